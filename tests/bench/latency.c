/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sections 1 and 2 and the scaling check: per-call cost of a brokered
 * socket against the floor (pinned and unpinned), of a brokered bind
 * against authbind, and of a brokered socket as rules and held
 * connections grow. */
#include <stdio.h>
#include <string.h>

#include "tests/bench/authbind.h"
#include "tests/bench/bench.h"

#define HELD_CONNECTIONS 1000

static void ratio_row(const char *section, const char *what, struct bench_arm *num,
		      struct bench_arm *den, double limit, bool at_most, const char *target)
{
	char value[64], ratio[40];
	double n = bench_arm_median(num), d = bench_arm_median(den), q;
	const char *verdict;

	bench_format_ns(num, value, sizeof(value));
	if (num->failed || den->failed || d <= 0 || n <= 0) {
		bench_row(section, what, value, "-", target, "failed");
		if (num->failed)
			bench_note("%s: %s (%s)", num->label, num->failure.what,
				   strerror(num->failure.error));
		return;
	}
	q = at_most ? n / d : d / n;
	if (at_most)
		snprintf(ratio, sizeof(ratio), "%.2f x %s", q, den->label);
	else
		snprintf(ratio, sizeof(ratio), "%.1f x faster", q);
	if (limit <= 0)
		verdict = "-"; /* information only */
	else
		verdict = (at_most ? q <= limit : q >= limit) ? "met" : "NOT MET";
	bench_row(section, what, value, ratio, target, verdict);
}

static void value_row(const char *section, struct bench_arm *a)
{
	char value[64];

	bench_format_ns(a, value, sizeof(value));
	bench_row(section, a->label, value, "", "", a->failed ? "failed" : "-");
	if (a->failed)
		bench_note("%s: %s (%s)", a->label, a->failure.what, strerror(a->failure.error));
}

/* --against: the same calls to another sockbrokerd, interleaved with
 * this build's, to measure a change in one run; for the Socket call
 * (section 1) and the Bind call (section 2). */
static void against(const struct bench_opts *o, struct bench_server *d, const char *section,
		    bench_fn job)
{
	struct bench_server b = {0};
	struct bench_arm arms[] = {
		{"brokered, pinned", bench_job_of(job, d, o, BENCH_NOBODY, BENCH_CPU), d,
		 BENCH_CPU},
		{"--against, pinned", bench_job_of(job, &b, o, BENCH_NOBODY, BENCH_CPU), &b,
		 BENCH_CPU},
		{"brokered, unpinned", bench_job_of(job, d, o, BENCH_NOBODY, -1), d, -1},
		{"--against, unpinned", bench_job_of(job, &b, o, BENCH_NOBODY, -1), &b, -1},
	};

	bench_progress("A/B (%s): this build's sockbrokerd against %s", section, o->against);
	if (bench_daemon_start_exe(&b, o->against, "against", bench_policy, NULL, NULL) < 0) {
		bench_row(section, "--against daemon", "-", "", "", "failed");
		return;
	}
	bench_compare(arms, ELEMENTSOF(arms), o->rounds);
	value_row(section, &arms[0]);
	ratio_row(section, "--against, pinned", &arms[1], &arms[0], 0, true, "");
	value_row(section, &arms[2]);
	ratio_row(section, "--against, unpinned", &arms[3], &arms[2], 0, true, "");
	for (size_t i = 0; i < ELEMENTSOF(arms); i++)
		bench_arm_free(&arms[i]);
	bench_server_stop(&b);
}

/* 1. sockbroker_socket() + close against the floor pair. */
static void socket_vs_floor(const struct bench_opts *o, struct bench_server *d,
			    struct bench_server *fl, struct bench_server *ep,
			    struct bench_server *wk)
{
	/* Split: client and server always on different CPUs, the case an
	 * unpinned pair falls into whenever the scheduler separates them. */
	int other = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? BENCH_CPU + 1 : BENCH_CPU;
	struct bench_arm arms[] = {
		{"floor, pinned",
		 bench_job_of(bench_job_floor_socket, fl, o, BENCH_NOBODY, BENCH_CPU), fl,
		 BENCH_CPU},
		{"brokered, pinned",
		 bench_job_of(bench_job_broker_socket, d, o, BENCH_NOBODY, BENCH_CPU), d,
		 BENCH_CPU},
		{"floor, unpinned", bench_job_of(bench_job_floor_socket, fl, o, BENCH_NOBODY, -1),
		 fl, -1},
		{"brokered, unpinned",
		 bench_job_of(bench_job_broker_socket, d, o, BENCH_NOBODY, -1), d, -1},
		{"floor, split",
		 bench_job_of(bench_job_floor_socket, fl, o, BENCH_NOBODY, BENCH_CPU), fl, other},
		{"brokered, split",
		 bench_job_of(bench_job_broker_socket, d, o, BENCH_NOBODY, BENCH_CPU), d, other},
		{"epoll floor, pinned",
		 bench_job_of(bench_job_floor_socket, ep, o, BENCH_NOBODY, BENCH_CPU), ep,
		 BENCH_CPU},
		{"epoll floor, unpinned",
		 bench_job_of(bench_job_floor_socket, ep, o, BENCH_NOBODY, -1), ep, -1},
		{"floor + 2 µs of work, pinned",
		 bench_job_of(bench_job_floor_socket, wk, o, BENCH_NOBODY, BENCH_CPU), wk,
		 BENCH_CPU},
		{"floor + 2 µs of work, unpinned",
		 bench_job_of(bench_job_floor_socket, wk, o, BENCH_NOBODY, -1), wk, -1},
	};

	bench_progress("1. raw ICMP socket + close: brokered vs floor, %u rounds of %u calls",
		       o->rounds, o->calls);
	/* Split batches take several times longer: fewer calls. */
	arms[4].job.calls = arms[5].job.calls = o->calls / 4 > 10 ? o->calls / 4 : 10;
	bench_compare(arms, ELEMENTSOF(arms), o->rounds);
	value_row("1", &arms[0]);
	ratio_row("1", "sockbroker_socket() + close, pinned", &arms[1], &arms[0], 1.5, true,
		  "≤ 1.5 x floor");
	value_row("1", &arms[2]);
	ratio_row("1", "sockbroker_socket() + close, unpinned", &arms[3], &arms[2], 1.5, true,
		  "≤ 1.5 x floor");
	/* Information: both ends on different CPUs; the same floor served
	 * from an epoll loop, as any server of many clients is. */
	value_row("1", &arms[4]);
	ratio_row("1", "sockbroker_socket() + close, split", &arms[5], &arms[4], 0, true, "");
	ratio_row("1", "epoll floor, pinned", &arms[6], &arms[0], 0, true, "");
	ratio_row("1", "epoll floor, unpinned", &arms[7], &arms[2], 0, true, "");
	/* Information: where the scheduler puts a pair whose server spends a
	 * little CPU on each request. */
	ratio_row("1", "floor + 2 µs of work, pinned", &arms[8], &arms[0], 0, true, "");
	ratio_row("1", "floor + 2 µs of work, unpinned", &arms[9], &arms[2], 0, true, "");
	for (size_t i = 0; i < ELEMENTSOF(arms); i++)
		bench_arm_free(&arms[i]);
}

/* A call between two processes on different CPUs costs at least the
 * host's cross-CPU round trip. Where that is more than a twentieth of
 * authbind's time, an unpinned pair that the scheduler separates cannot
 * meet target (2) whatever the broker does; say so beside the row. */
static void note_bind_bound(struct bench_arm *authbind_unpinned)
{
	double bound = bench_arm_median(authbind_unpinned) / 20, trip = bench_host_cross_cpu_ns();

	if (authbind_unpinned->failed || trip <= 0 || trip <= bound)
		return;
	bench_note("unpinned bind: authbind / 20 = %.1f µs < %.1f µs, the cross-CPU round trip "
		   "that a pair on two CPUs pays per call",
		   bound / 1000, trip / 1000);
}

/* 2. sockbroker_bind() to 127.0.0.1:80 against authbind, on one CPU and
 * unpinned. */
static void bind_vs_authbind(const struct bench_opts *o, struct bench_server *d)
{
	struct bench_job plain = bench_job_of(bench_job_plain_bind, NULL, o, BENCH_NOBODY, -1);
	struct bench_arm arms[] = {
		{"sockbroker_bind(), pinned",
		 bench_job_of(bench_job_broker_bind, d, o, BENCH_NOBODY, BENCH_CPU), d, BENCH_CPU},
		{"sockbroker_bind(), unpinned",
		 bench_job_of(bench_job_broker_bind, d, o, BENCH_NOBODY, -1), d, -1},
		{"authbind, pinned",
		 bench_job_of(bench_job_authbind_bind, NULL, o, BENCH_USER, BENCH_CPU), NULL, -1},
		{"authbind, unpinned",
		 bench_job_of(bench_job_authbind_bind, NULL, o, BENCH_USER, -1), NULL, -1},
	};
	struct bench_result res;
	char why[160];

	bench_progress("2. bind to 127.0.0.1:%d: sockbroker_bind() vs authbind", BENCH_BIND_PORT);
	/* First the proof that the clients need help at all. */
	plain.calls = 1;
	plain.warmup = 0;
	bench_worker_run(&plain, &res);
	if (res.error == EACCES)
		bench_note(
			"bind() to 127.0.0.1:%d as uid %s without help fails with EACCES, as it must",
			BENCH_BIND_PORT, BENCH_UID);
	else
		bench_note(
			"bind() to 127.0.0.1:%d as uid %s without help did not fail with EACCES: %s",
			BENCH_BIND_PORT, BENCH_UID, res.error ? res.what : "it succeeded");

	/* authbind forks and executes a helper per call: fewer calls. */
	for (size_t i = 2; i < 4; i++) {
		arms[i].job.calls = o->calls / 10 > 50 ? o->calls / 10 : 50;
		arms[i].job.warmup = 5;
	}
	if (bench_authbind_prepare(why, sizeof(why)) < 0) {
		bench_compare(arms, 2, o->rounds);
		value_row("2", &arms[0]);
		value_row("2", &arms[1]);
		bench_row("2", "authbind bind()", "-", "", "≥ 20 x faster", "skipped");
		bench_note("authbind rows skipped: %s", why);
	} else {
		bench_compare(arms, ELEMENTSOF(arms), o->rounds);
		bench_authbind_cleanup();
		value_row("2", &arms[2]);
		ratio_row("2", "sockbroker_bind() to :80, pinned", &arms[0], &arms[2], 20, false,
			  "≥ 20 x faster than authbind");
		value_row("2", &arms[3]);
		ratio_row("2", "sockbroker_bind() to :80, unpinned", &arms[1], &arms[3], 20, false,
			  "≥ 20 x faster than authbind");
		note_bind_bound(&arms[3]);
	}
	for (size_t i = 0; i < ELEMENTSOF(arms); i++)
		bench_arm_free(&arms[i]);
}

/* Per-request cost against rules and held connections. */
static void scaling(const struct bench_opts *o, struct bench_server *base)
{
	struct bench_server other = {0}, own = {0}, held = {0};
	_cleanup_free_ char *other_text = bench_policy_other_rules();
	_cleanup_free_ char *own_text = bench_policy_own_rules();
	int fds[HELD_CONNECTIONS];
	size_t kept = 0;
	struct bench_arm arms[4];

	bench_progress("scaling: 1 vs %u rules, 0 vs %u held connections", BENCH_EXTRA_RULES,
		       HELD_CONNECTIONS);
	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		fds[i] = -1;
	if (!other_text || !own_text ||
	    bench_daemon_start(&other, "rules-other", other_text, NULL) < 0 ||
	    bench_daemon_start(&own, "rules-own", own_text, NULL) < 0 ||
	    bench_daemon_start(&held, "held", bench_policy, NULL) < 0) {
		bench_row("s", "scaling with rules and connections", "-", "", "", "failed");
		goto out;
	}
	kept = bench_hold_connections(held.socket, fds, HELD_CONNECTIONS);
	if (kept != HELD_CONNECTIONS)
		bench_note("the daemon kept %zu of %u connections", kept, HELD_CONNECTIONS);

	arms[0] = (struct bench_arm){
		"3 rules", bench_job_of(bench_job_broker_socket, base, o, BENCH_NOBODY, BENCH_CPU),
		base, BENCH_CPU};
	arms[1] = (struct bench_arm){
		"+1,000 rules for others",
		bench_job_of(bench_job_broker_socket, &other, o, BENCH_NOBODY, BENCH_CPU), &other,
		BENCH_CPU};
	arms[2] = (struct bench_arm){
		"+1,000 idle connections",
		bench_job_of(bench_job_broker_socket, &held, o, BENCH_NOBODY, BENCH_CPU), &held,
		BENCH_CPU};
	arms[3] = (struct bench_arm){
		"+1,000 rules for the caller",
		bench_job_of(bench_job_broker_socket, &own, o, BENCH_NOBODY, BENCH_CPU), &own,
		BENCH_CPU};
	bench_compare(arms, ELEMENTSOF(arms), o->rounds);
	value_row("s", &arms[0]);
	ratio_row("s", "1,000 rules for other users/groups", &arms[1], &arms[0], 1.10, true,
		  "≤ 1.10 (noise)");
	ratio_row("s", "1,000 idle connections held", &arms[2], &arms[0], 1.10, true,
		  "≤ 1.10 (noise)");
	ratio_row("s", "1,000 non-matching rules for caller", &arms[3], &arms[0], 0, true,
		  "(worst case, linear)");
	for (size_t i = 0; i < ELEMENTSOF(arms); i++)
		bench_arm_free(&arms[i]);
out:
	bench_close_all(fds, HELD_CONNECTIONS);
	bench_server_stop(&other);
	bench_server_stop(&own);
	bench_server_stop(&held);
}

void bench_latency(const struct bench_opts *o)
{
	struct bench_server d = {0}, fl = {0}, ep = {0}, wk = {0};

	if (bench_daemon_start(&d, "latency", bench_policy, NULL) < 0 ||
	    bench_floor_start(&fl, "floor", false, 0) < 0 ||
	    bench_floor_start(&ep, "floor-epoll", true, 0) < 0 ||
	    bench_floor_start(&wk, "floor-work", false, BENCH_WORK_NS) < 0) {
		bench_row("1", "latency", "-", "", "", "failed");
		goto out;
	}
	if (bench_wants(o, "socket")) {
		socket_vs_floor(o, &d, &fl, &ep, &wk);
		if (o->against)
			against(o, &d, "1", bench_job_broker_socket);
	}
	if (bench_wants(o, "bind")) {
		bind_vs_authbind(o, &d);
		if (o->against)
			against(o, &d, "2", bench_job_broker_bind);
	}
	if (bench_wants(o, "scaling"))
		scaling(o, &d);
out:
	bench_server_stop(&d);
	bench_server_stop(&fl);
	bench_server_stop(&ep);
	bench_server_stop(&wk);
}
