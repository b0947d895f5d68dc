/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Instruction counts per request, from callgrind: repeatable where times
 * are not. The daemon runs under valgrind --tool=callgrind twice per
 * configuration, serving a short and a long run of sockbroker_socket()
 * calls; the difference of the totals divided by the difference of the
 * calls is the daemon's user-space cost of one request, with start-up,
 * policy loading and connection set-up cancelled out. What is left varies
 * by a few per cent from run to run (the heap's state, json-c's random
 * hash seed), hence the 5% tolerance. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "tests/bench/bench.h"

#define VALGRIND "/usr/bin/valgrind"
#define SHORT_RUN 100
#define LONG_RUN 600
/* The client waits this long after each reply: longer than the daemon
 * needs under callgrind to get back to epoll_wait(). */
#define PAUSE_US 1500
#define PROFILE_HELD 1000
/* Pairs of runs per configuration. One pair varies by up to 6% with
 * 1,000 connections held (the heap's state differs from run to run),
 * more than the 5% the scaling rows allow; the median of three makes a
 * chance crossing much rarer. */
#define PROFILE_REPEATS 3

/* The "summary:" (or "totals:") line of a callgrind output file. */
static long long callgrind_total(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[512];
	long long total = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "summary: %lld", &total) == 1 ||
		    sscanf(line, "totals: %lld", &total) == 1)
			break;
	fclose(f);
	return total;
}

static int copy_file(const char *from, const char *to)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -EIO;
	return n < 0 ? -errno : 0;
}

/* One daemon run under callgrind serving calls requests from one client
 * (uid 65534), with held idle root connections; total Ir or -1. */
static long long run_once(const char *program, const char *name, const char *policy, unsigned calls,
			  size_t held, const char *keep)
{
	char out[256], opt[300];
	const char *wrapper[] = {VALGRIND, "--tool=callgrind", opt, "--quiet", NULL};
	struct bench_server d = {0};
	struct bench_job job = {
		.fn = bench_job_broker_socket,
		.calls = calls,
		.pause_us = PAUSE_US,
		.who = BENCH_NOBODY,
		.cpu = -1,
		.go_fd = -1,
		.ready_fd = -1,
	};
	struct bench_result res;
	_cleanup_free_ int *fds = calloc(held ? held : 1, sizeof(int));
	long long total;

	snprintf(out, sizeof(out), "%s/callgrind.%s.%u", bench_dir(), name, calls);
	snprintf(opt, sizeof(opt), "--callgrind-out-file=%s", out);
	if (!fds || bench_daemon_start_exe(&d, program, name, policy, NULL, wrapper) < 0)
		return -1;
	for (size_t i = 0; i < held; i++)
		fds[i] = -1;
	if (held && bench_hold_connections(d.socket, fds, held) != held)
		bench_progress("callgrind %s: not every connection was kept", name);
	job.socket = d.socket;
	bench_worker_run(&job, &res);
	bench_close_all(fds, held);
	/* callgrind writes its file when the daemon exits. */
	if (!bench_server_stop(&d) || res.error) {
		bench_progress("callgrind %s: %s", name,
			       res.error ? res.what : "daemon did not exit cleanly");
		return -1;
	}
	total = callgrind_total(out);
	if (keep && calls == LONG_RUN && copy_file(out, keep) < 0)
		bench_progress("cannot copy the profile to %s: %m", keep);
	return total;
}

/* Instructions per request, the median of PROFILE_REPEATS pairs of runs,
 * or -1. */
static double per_request(const char *program, const char *name, const char *policy, size_t held,
			  const char *keep)
{
	double v[PROFILE_REPEATS];

	for (size_t i = 0; i < PROFILE_REPEATS; i++) {
		long long a = run_once(program, name, policy, SHORT_RUN, held, NULL);
		long long b = a < 0 ? -1
				    : run_once(program, name, policy, LONG_RUN, held,
					       i == 0 ? keep : NULL);

		if (a < 0 || b < 0)
			return -1;
		v[i] = (double)(b - a) / (LONG_RUN - SHORT_RUN);
	}
	return bench_median(v, PROFILE_REPEATS);
}

void bench_profile(const struct bench_opts *o)
{
	_cleanup_free_ char *other = bench_policy_other_rules();
	_cleanup_free_ char *own = bench_policy_own_rules();
	double base, v;
	char value[48], ratio[48];

	if (access(VALGRIND, X_OK) < 0) {
		bench_row("s", "daemon instructions per request", "-", "", "", "skipped");
		bench_note(
			"instruction counts skipped: valgrind is not installed (apt-get install valgrind)");
		return;
	}
	bench_progress("instructions per request under callgrind (%d vs %d calls, median of %d "
		       "pairs per configuration)",
		       SHORT_RUN, LONG_RUN, PROFILE_REPEATS);
	base = per_request(NULL, "cg-base", bench_policy, 0, o->profile_out);
	if (base <= 0 || !other || !own) {
		bench_row("s", "daemon instructions per request", "-", "", "", "failed");
		return;
	}
	bench_rowf("s", "daemon Ir/request, 3 rules", "", "", "-", "%.0f Ir", base);

	v = per_request(NULL, "cg-other", other, 0, NULL);
	snprintf(value, sizeof(value), "%.0f Ir", v);
	snprintf(ratio, sizeof(ratio), "%+.0f Ir (%.3f x)", v - base, v / base);
	bench_row("s", "daemon Ir/request, +1,000 rules for others", value, ratio, "≤ 1.05 x",
		  v > 0 && v / base <= 1.05 ? "met" : "NOT MET");

	v = per_request(NULL, "cg-held", bench_policy, PROFILE_HELD, NULL);
	snprintf(value, sizeof(value), "%.0f Ir", v);
	snprintf(ratio, sizeof(ratio), "%+.0f Ir (%.3f x)", v - base, v / base);
	bench_row("s", "daemon Ir/request, +1,000 idle connections", value, ratio, "≤ 1.05 x",
		  v > 0 && v / base <= 1.05 ? "met" : "NOT MET");

	if (o->against) {
		v = per_request(o->against, "cg-against", bench_policy, 0, NULL);
		snprintf(value, sizeof(value), "%.0f Ir", v);
		snprintf(ratio, sizeof(ratio), "%+.0f Ir (%.3f x)", v - base, v / base);
		bench_row("s", "daemon Ir/request, --against daemon", value, ratio, "", "-");
	}

	v = per_request(NULL, "cg-own", own, 0, NULL);
	snprintf(value, sizeof(value), "%.0f Ir", v);
	snprintf(ratio, sizeof(ratio), "%+.0f Ir (%.0f per rule)", v - base,
		 (v - base) / BENCH_EXTRA_RULES);
	bench_row("s", "daemon Ir/request, +1,000 rules for caller", value, ratio,
		  "(worst case, linear)", "-");
}
