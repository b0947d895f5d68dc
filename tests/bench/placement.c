/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placement: how often an unpinned pair stays on one CPU, which decides
 * what an unpinned call costs (docs/PERFORMANCE.md, "Placement"). Each trial runs a
 * batch with server and client pinned to one CPU, then frees both and
 * times a batch unpinned. The unpinned batch counts as together when it
 * costs less than twice the pinned one: a pair on two CPUs pays a
 * cross-CPU wake-up per call, several times a pinned call. The floor is
 * measured bare and with 1 and 2 µs of CPU per request, beside
 * sockbrokerd. */
#include <stdlib.h>
#include <string.h>

#include "tests/bench/bench.h"

struct subject {
	const char *label;
	struct bench_server *server;
	bench_fn fn;
	unsigned together;
	unsigned trials;
	double *unpinned; /* ns per call, one per trial */
	bool failed;
};

/* One batch of job; false (and the reason told) when it failed. */
static bool run_batch(struct subject *s, const struct bench_job *job, struct bench_result *res)
{
	if (bench_worker_run(job, res) == 0 && !res->error)
		return true;
	bench_progress("placement, %s: %s (%s)", s->label, res->what, strerror(res->error));
	return false;
}

/* One trial: a pinned batch, then an unpinned one. */
static void trial(struct subject *s, const struct bench_opts *o)
{
	struct bench_job pinned_job = bench_job_of(s->fn, s->server, o, BENCH_NOBODY, BENCH_CPU);
	struct bench_job unpinned_job = bench_job_of(s->fn, s->server, o, BENCH_NOBODY, -1);
	struct bench_result p, u;
	int r;

	r = bench_pin(s->server->pid, BENCH_CPU);
	if (r < 0) {
		bench_progress("placement, %s: cannot pin the server: %s", s->label, strerror(-r));
		goto fail;
	}
	if (!run_batch(s, &pinned_job, &p))
		goto fail;
	r = bench_pin(s->server->pid, -1);
	if (r < 0) {
		bench_progress("placement, %s: cannot free the server: %s", s->label, strerror(-r));
		goto fail;
	}
	if (!run_batch(s, &unpinned_job, &u))
		goto fail;
	s->unpinned[s->trials++] = u.value;
	if (u.value < 2 * p.value)
		s->together++;
	return;
fail:
	bench_pin(s->server->pid, -1);
	s->failed = true;
}

static void subject_row(struct subject *s)
{
	char what[64], value[40];

	snprintf(what, sizeof(what), "%s, together after pinned", s->label);
	if (s->failed || s->trials == 0) {
		bench_row("p", what, "-", "", "", "failed");
		return;
	}
	snprintf(value, sizeof(value), "%u of %u", s->together, s->trials);
	bench_rowf("p", what, "", "", "-", "%s (median %.2f µs)", value,
		   bench_median(s->unpinned, s->trials) / 1e3);
}

void bench_placement(const struct bench_opts *o)
{
	struct bench_server d = {0}, f0 = {0}, f1 = {0}, f2 = {0};
	struct subject subjects[] = {
		{"floor", &f0, bench_job_floor_socket},
		{"floor + 1 µs of work", &f1, bench_job_floor_socket},
		{"floor + 2 µs of work", &f2, bench_job_floor_socket},
		{"sockbrokerd", &d, bench_job_broker_socket},
	};
	const size_t n = ELEMENTSOF(subjects);

	bench_progress("placement: %u trials of a pinned then an unpinned batch of %u calls",
		       o->rounds, o->calls);
	for (size_t i = 0; i < n; i++) {
		subjects[i].unpinned = calloc(o->rounds ? o->rounds : 1, sizeof(double));
		subjects[i].failed = !subjects[i].unpinned;
	}
	if (bench_daemon_start(&d, "placement", bench_policy, NULL) < 0 ||
	    bench_floor_start(&f0, "placement-floor", false, 0) < 0 ||
	    bench_floor_start(&f1, "placement-floor-1us", false, BENCH_WORK_NS / 2) < 0 ||
	    bench_floor_start(&f2, "placement-floor-2us", false, BENCH_WORK_NS) < 0) {
		bench_row("p", "placement", "-", "", "", "failed");
		goto out;
	}
	/* Interleaved, as every comparison; each trial brings its own
	 * history (the pinned batch), so the order needs no shuffling. */
	for (unsigned t = 0; t < o->rounds; t++)
		for (size_t i = 0; i < n; i++) {
			struct subject *s = &subjects[(t + i) % n];

			if (!s->failed)
				trial(s, o);
		}
	for (size_t i = 0; i < n; i++)
		subject_row(&subjects[i]);
out:
	for (size_t i = 0; i < n; i++)
		free(subjects[i].unpinned);
	bench_server_stop(&d);
	bench_server_stop(&f0);
	bench_server_stop(&f1);
	bench_server_stop(&f2);
}
