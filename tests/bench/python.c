/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Python package (client/python/sockbroker): a brokered socket from
 * sockbroker.socket() against sockbroker_socket() in C, both as nobody
 * and pinned. The worker runs the interpreter configure found on the
 * source tree's package; the interpreter times its own calls, so its
 * start-up is not counted. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/bench/bench.h"

/* argv: calls, warm-up calls. Prints the nanoseconds the timed calls took. */
static const char python_calls[] =
	"import socket, sys, time\n"
	"import sockbroker\n"
	"calls, warmup = int(sys.argv[1]), int(sys.argv[2])\n"
	"def once():\n"
	"    sockbroker.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()\n"
	"for _ in range(warmup):\n"
	"    once()\n"
	"t0 = time.perf_counter_ns()\n"
	"for _ in range(calls):\n"
	"    once()\n"
	"print(time.perf_counter_ns() - t0)\n";

static const char *python(void)
{
	const char *p = getenv("PYTHON");

	return p && *p && strcmp(p, ":") != 0 ? p : "python3";
}

static int job_python_raw(struct bench_job *job, struct bench_result *res)
{
	char calls[16], warmup[16], path[512], out[64] = "";
	const char *srcdir = getenv("top_srcdir");
	int p[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	if (!srcdir)
		return bench_fail(res, EINVAL, "top_srcdir is not set (run make bench)");
	snprintf(path, sizeof(path), "%s/client/python", srcdir);
	snprintf(calls, sizeof(calls), "%u", job->calls);
	snprintf(warmup, sizeof(warmup), "%u", job->warmup);
	if (pipe2(p, O_CLOEXEC) < 0)
		return bench_fail(res, errno, "pipe2: %m");
	bench_worker_ready(job);
	pid = fork();
	if (pid < 0)
		return bench_fail(res, errno, "fork: %m");
	if (pid == 0) {
		if (dup2(p[1], STDOUT_FILENO) < 0 || setenv("PYTHONPATH", path, 1) < 0 ||
		    (job->socket && setenv("SOCKBROKER_SOCKET", job->socket, 1) < 0))
			_exit(127);
		execlp(python(), python(), "-c", python_calls, calls, warmup, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got < sizeof(out) - 1 && (n = read(p[0], out + got, sizeof(out) - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bench_fail(res, EIO, "%s on %s failed (status %d)", python(), path, status);
	res->count = job->calls;
	res->seconds = strtod(out, NULL) / 1e9;
	if (res->seconds <= 0)
		return bench_fail(res, EIO, "%s printed no time", python());
	res->value = job->calls ? res->seconds * 1e9 / job->calls : 0;
	return 0;
}

void bench_python(const struct bench_opts *o, struct bench_server *d)
{
	struct bench_arm arms[] = {
		{"sockbroker_socket()",
		 bench_job_of(bench_job_library_raw, d, o, BENCH_NOBODY, BENCH_CPU), d, BENCH_CPU},
		{"sockbroker.socket()", bench_job_of(job_python_raw, d, o, BENCH_NOBODY, BENCH_CPU),
		 d, BENCH_CPU},
	};
	char value[64], ratio[48];
	double n, c;

	bench_progress("python: sockbroker.socket() and sockbroker_socket()");
	bench_compare(arms, ELEMENTSOF(arms), o->rounds);
	n = bench_arm_median(&arms[1]);
	c = bench_arm_median(&arms[0]);
	bench_format_ns(&arms[0], value, sizeof(value));
	bench_row("python", "raw ICMP sockbroker_socket()+close(), C", value, "", "-", "-");
	bench_format_ns(&arms[1], value, sizeof(value));
	if (arms[0].failed || arms[1].failed || n <= 0 || c <= 0) {
		bench_row("python", "raw ICMP sockbroker.socket()+close()", value, "-", "-",
			  "failed");
		bench_note("%s", arms[1].failed ? arms[1].failure.what : arms[0].failure.what);
	} else {
		snprintf(ratio, sizeof(ratio), "%.2f x C", n / c);
		bench_row("python", "raw ICMP sockbroker.socket()+close()", value, ratio, "-", "-");
	}
	for (size_t i = 0; i < ELEMENTSOF(arms); i++)
		bench_arm_free(&arms[i]);
}
