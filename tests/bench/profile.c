/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Instruction counts per request, from callgrind: repeatable where times
 * are not. The daemon runs under valgrind --tool=callgrind, which dumps
 * its counts each time the daemon enters sb_method_get_info(). The
 * client makes two GetInfo calls on a second connection, then its
 * sockbroker_socket() (or sockbroker_bind()) calls, then one more
 * GetInfo: the second dump holds what lies between two markers alone,
 * the third the same plus the calls, so their difference divided by the
 * calls is the daemon's user-space cost of one request. Start-up, policy
 * loading and the connections held are outside both windows.
 *
 * The difference of two whole runs (say 100 and 600 calls) would not do:
 * their fixed costs do not cancel exactly. With 1,000 connections held,
 * their accepts and closes (about 60 million instructions) vary by up to
 * 1.2 million from run to run, -2,200 to +800 per request, which crosses
 * the 5% line of the scaling row by chance. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/bench/bench.h"
#include "tests/harness.h"

#define VALGRIND "/usr/bin/valgrind"
#define CALLS 500
/* The client waits this long after each reply: longer than the daemon
 * needs under callgrind to get back to epoll_wait(), so that every call
 * takes the same path. */
#define PAUSE_US 1500
#define PROFILE_HELD 1000
/* Runs per configuration, of which the median is reported. */
#define PROFILE_REPEATS 3
/* The calls counted: marked jobs (calls.c). */
#define SOCKET_CALLS bench_job_broker_socket_marked
#define BIND_CALLS bench_job_broker_bind_marked

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

/* One daemon run under callgrind serving CALLS requests of fn (a marked
 * job) from one client (uid 65534), with held idle root connections:
 * instructions per request, or -1. keep: where to copy the dump of the
 * calls. */
static double run_once(bench_fn fn, const char *program, const char *name, const char *policy,
		       size_t held, const char *keep)
{
	char out[256], opt[300], dump[300];
	const char *wrapper[] = {VALGRIND,  "--tool=callgrind",
				 opt,	    "--dump-before=sb_method_get_info",
				 "--quiet", NULL};
	struct bench_server d = {0};
	struct bench_job job = {
		.fn = fn,
		.calls = CALLS,
		.pause_us = PAUSE_US,
		.who = BENCH_NOBODY,
		.cpu = -1,
		.go_fd = -1,
		.ready_fd = -1,
	};
	struct bench_result res;
	_cleanup_free_ int *fds = calloc(held ? held : 1, sizeof(int));
	long long between, with_calls;
	bool extra;

	snprintf(out, sizeof(out), "%s/" BENCH_PROFILE_SUBDIR "/%s", bench_dir(), name);
	snprintf(opt, sizeof(opt), "--callgrind-out-file=%s", out);
	/* The dumps of an earlier run have the same names. */
	for (int i = 0; i <= 4; i++) {
		snprintf(dump, sizeof(dump), i ? "%s.%d" : "%s", out, i);
		(void)unlink(dump);
	}
	if (!fds || bench_daemon_start_exe(&d, program, name, policy, NULL, wrapper) < 0)
		return -1;
	for (size_t i = 0; i < held; i++)
		fds[i] = -1;
	if (held && bench_hold_connections(d.socket, fds, held) != held)
		bench_progress("callgrind %s: not every connection was kept", name);
	job.socket = d.socket;
	bench_worker_run(&job, &res);
	bench_close_all(fds, held);
	if (!bench_server_stop(&d) || res.error) {
		bench_progress("callgrind %s: %s", name,
			       res.error ? res.what : "daemon did not exit cleanly");
		return -1;
	}
	/* Dump 1 is the start-up, 2 the markers alone, 3 the calls; a
	 * fourth would be a GetInfo call from elsewhere. */
	snprintf(dump, sizeof(dump), "%s.4", out);
	extra = access(dump, F_OK) == 0;
	snprintf(dump, sizeof(dump), "%s.2", out);
	between = callgrind_total(dump);
	snprintf(dump, sizeof(dump), "%s.3", out);
	with_calls = callgrind_total(dump);
	if (between < 0 || with_calls < between || extra) {
		bench_progress("callgrind %s: %s", name,
			       extra ? "more dumps than GetInfo markers"
				     : "no dumps at the GetInfo markers");
		return -1;
	}
	if (keep && copy_file(dump, keep) < 0)
		bench_progress("cannot copy the profile to %s: %m", keep);
	return (double)(with_calls - between) / CALLS;
}

/* The dumps at the markers are written while the daemon holds the last
 * client's filesystem ids (daemon/fsid.h), group 65534 here, and the
 * last at exit as root without CAP_DAC_OVERRIDE: a directory of root
 * and that group. */
static int make_dump_dir(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/" BENCH_PROFILE_SUBDIR, bench_dir());
	if (mkdir(path, 0770) < 0 && errno != EEXIST)
		return -errno;
	if (chown(path, 0, SB_TEST_NOBODY) < 0 || chmod(path, 0770) < 0)
		return -errno;
	return 0;
}

/* Instructions per request, the median of PROFILE_REPEATS runs, or -1. */
static double per_request(bench_fn fn, const char *program, const char *name, const char *policy,
			  size_t held, const char *keep)
{
	double v[PROFILE_REPEATS];

	for (size_t i = 0; i < PROFILE_REPEATS; i++) {
		v[i] = run_once(fn, program, name, policy, held, i == 0 ? keep : NULL);
		if (v[i] < 0)
			return -1;
	}
	return bench_median(v, PROFILE_REPEATS);
}

/* A configuration against the base: within 5% of it when checked. */
static void ir_row(const char *label, double v, double base, bool checked)
{
	char value[48], ratio[48];
	const char *target = checked ? "≤ 1.05 x" : "";

	if (v < 0) {
		bench_row("s", label, "-", "", target, "failed");
		return;
	}
	snprintf(value, sizeof(value), "%.0f Ir", v);
	snprintf(ratio, sizeof(ratio), "%+.0f Ir (%.3f x)", v - base, v / base);
	bench_row("s", label, value, ratio, target,
		  !checked	     ? "-"
		  : v / base <= 1.05 ? "met"
				     : "NOT MET");
}

void bench_profile(const struct bench_opts *o)
{
	_cleanup_free_ char *other = bench_policy_other_rules();
	_cleanup_free_ char *own = bench_policy_own_rules();
	double base, bind_base, v;
	char value[48], ratio[48];
	int r;

	if (access(VALGRIND, X_OK) < 0) {
		bench_row("s", "daemon instructions per request", "-", "", "", "skipped");
		bench_note(
			"instruction counts skipped: valgrind is not installed (apt-get install valgrind)");
		return;
	}
	r = make_dump_dir();
	if (r < 0) {
		bench_row("s", "daemon instructions per request", "-", "", "", "failed");
		bench_note("instruction counts failed: no directory for the dumps: %s",
			   strerror(-r));
		return;
	}
	bench_progress("instructions per request under callgrind (%d calls between markers, "
		       "median of %d runs per configuration)",
		       CALLS, PROFILE_REPEATS);
	base = per_request(SOCKET_CALLS, NULL, "cg-base", bench_policy, 0, o->profile_out);
	if (base <= 0 || !other || !own) {
		bench_row("s", "daemon instructions per request", "-", "", "", "failed");
		return;
	}
	bench_rowf("s", "daemon Ir/request, 3 rules", "", "", "-", "%.0f Ir", base);
	bind_base = per_request(BIND_CALLS, NULL, "cg-bind", bench_policy, 0, NULL);
	if (bind_base > 0)
		bench_rowf("s", "daemon Ir/Bind call, 3 rules", "", "", "-", "%.0f Ir", bind_base);
	else
		bench_row("s", "daemon Ir/Bind call, 3 rules", "-", "", "", "failed");

	v = per_request(SOCKET_CALLS, NULL, "cg-other", other, 0, NULL);
	ir_row("daemon Ir/request, +1,000 rules for others", v, base, true);
	v = per_request(SOCKET_CALLS, NULL, "cg-held", bench_policy, PROFILE_HELD, NULL);
	ir_row("daemon Ir/request, +1,000 idle connections", v, base, true);
	if (o->against) {
		v = per_request(SOCKET_CALLS, o->against, "cg-against", bench_policy, 0, NULL);
		ir_row("daemon Ir/request, --against daemon", v, base, false);
		v = per_request(BIND_CALLS, o->against, "cg-against-bind", bench_policy, 0, NULL);
		if (bind_base > 0)
			ir_row("daemon Ir/Bind call, --against daemon", v, bind_base, false);
		if (v < 0)
			bench_note("--against: callgrind found no sb_method_get_info() to mark "
				   "the calls by; the program must not be stripped");
	}
	v = per_request(SOCKET_CALLS, NULL, "cg-own", own, 0, NULL);
	if (v < 0) {
		bench_row("s", "daemon Ir/request, +1,000 rules for caller", "-", "",
			  "(worst case, linear)", "failed");
		return;
	}
	snprintf(value, sizeof(value), "%.0f Ir", v);
	snprintf(ratio, sizeof(ratio), "%+.0f Ir (%.0f per rule)", v - base,
		 (v - base) / BENCH_EXTRA_RULES);
	bench_row("s", "daemon Ir/request, +1,000 rules for caller", value, ratio,
		  "(worst case, linear)", "-");
}
