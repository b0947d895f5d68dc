/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The interposer (sockbroker-preload(8)): what it adds to a socket() the
 * kernel allows, and a brokered socket through it against
 * sockbroker_socket() called directly. A worker loads the build tree's
 * libsockbroker-preload.so and calls its socket(), which is what a
 * program started under it calls. */
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client/lib/sockbroker.h"
#include "tests/bench/bench.h"

typedef int (*socket_fn)(int, int, int);

static socket_fn interposed_socket(struct bench_result *res)
{
	char path[512];
	void *lib;
	socket_fn fn;

	snprintf(path, sizeof(path), "%s/.libs/libsockbroker-preload.so", bench_builddir());
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		bench_fail(res, ENOENT, "dlopen %s: %s", path, dlerror());
		return NULL;
	}
	fn = (socket_fn)dlsym(lib, "socket");
	if (!fn)
		bench_fail(res, ENOENT, "no socket() in %s", path);
	return fn;
}

/* calls of socket(domain, type, protocol) + close() through fn, after a
 * tenth as many unmeasured. */
static int socket_calls(struct bench_job *job, struct bench_result *res, socket_fn fn, int domain,
			int type, int protocol)
{
	uint64_t t0;

	if (job->socket && setenv("SOCKBROKER_SOCKET", job->socket, 1) < 0)
		return bench_fail(res, errno, "setenv: %m");
	for (unsigned i = 0; i < job->warmup; i++) {
		int fd = fn(domain, type, protocol);

		if (fd < 0)
			return bench_fail(res, errno, "socket(%d, %d, %d): %m", domain, type,
					  protocol);
		close(fd);
	}
	bench_worker_ready(job);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < job->calls; i++) {
		int fd = fn(domain, type, protocol);

		if (fd < 0)
			return bench_fail(res, errno, "socket call %u: %m", i);
		close(fd);
	}
	res->count = job->calls;
	res->seconds = (double)(bench_now_ns() - t0) / 1e9;
	res->value = job->calls ? res->seconds * 1e9 / job->calls : 0;
	return 0;
}

static int job_plain_udp(struct bench_job *job, struct bench_result *res)
{
	return socket_calls(job, res, socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static int job_interposed_udp(struct bench_job *job, struct bench_result *res)
{
	socket_fn fn = interposed_socket(res);

	return fn ? socket_calls(job, res, fn, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -res->error;
}

static int job_interposed_raw(struct bench_job *job, struct bench_result *res)
{
	socket_fn fn = interposed_socket(res);

	return fn ? socket_calls(job, res, fn, AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)
		  : -res->error;
}

int bench_job_library_raw(struct bench_job *job, struct bench_result *res)
{
	return socket_calls(job, res, sockbroker_socket, AF_INET, SOCK_RAW | SOCK_CLOEXEC,
			    IPPROTO_ICMP);
}

static void row(const char *what, struct bench_arm *num, struct bench_arm *den, double limit,
		const char *target)
{
	char value[64], ratio[48];
	double n = bench_arm_median(num), d = bench_arm_median(den);

	bench_format_ns(num, value, sizeof(value));
	if (num->failed || den->failed || n <= 0 || d <= 0) {
		bench_row("interposer", what, value, "-", target, "failed");
		if (num->failed || den->failed)
			bench_note("%s", num->failed ? num->failure.what : den->failure.what);
		return;
	}
	snprintf(ratio, sizeof(ratio), "%.3f x %s", n / d, den->label);
	bench_row("interposer", what, value, ratio, target, n / d <= limit ? "met" : "NOT MET");
}

void bench_interposer(const struct bench_opts *o, struct bench_server *d)
{
	struct bench_arm kernel[] = {
		{"libc socket()", bench_job_of(job_plain_udp, NULL, o, BENCH_NOBODY, BENCH_CPU),
		 NULL, BENCH_CPU},
		{"interposed socket()",
		 bench_job_of(job_interposed_udp, NULL, o, BENCH_NOBODY, BENCH_CPU), NULL,
		 BENCH_CPU},
	};
	struct bench_arm broker[] = {
		{"sockbroker_socket()",
		 bench_job_of(bench_job_library_raw, d, o, BENCH_NOBODY, BENCH_CPU), d, BENCH_CPU},
		{"interposed socket()",
		 bench_job_of(job_interposed_raw, d, o, BENCH_NOBODY, BENCH_CPU), d, BENCH_CPU},
	};

	bench_progress("interposer: socket() the kernel allows, with and without it");
	bench_compare(kernel, ELEMENTSOF(kernel), o->rounds);
	row("UDP socket()+close(), interposed", &kernel[1], &kernel[0], 1.05, "1.00 within noise");
	bench_progress("interposer: a brokered socket through it and through the library");
	bench_compare(broker, ELEMENTSOF(broker), o->rounds);
	row("raw ICMP socket()+close(), brokered through it", &broker[1], &broker[0], 1.1,
	    "<= 1.1 x the library");
	for (size_t i = 0; i < ELEMENTSOF(kernel); i++)
		bench_arm_free(&kernel[i]);
	for (size_t i = 0; i < ELEMENTSOF(broker); i++)
		bench_arm_free(&broker[i]);
}
