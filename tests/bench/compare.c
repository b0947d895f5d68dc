/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interleaved comparisons: every arm runs once per round, in an order
 * shuffled from round to round, so drifts of the machine (other load,
 * frequency, caches) fall on every arm alike. Shuffled, not rotated: a
 * rotation keeps each arm's predecessor, and an unpinned arm starts from
 * the CPUs its predecessor left the processes on (docs/PERFORMANCE.md, "Method"). */
#include <stdint.h>
#include <string.h>

#include "tests/bench/bench.h"

static void run_arm(struct bench_arm *a)
{
	struct bench_result res;

	if (a->failed)
		return;
	if (a->server && a->server->pid > 0)
		bench_pin(a->server->pid, a->server_cpu);
	bench_worker_run(&a->job, &res);
	if (res.error) {
		a->failed = true;
		a->failure = res;
		bench_progress("%s: %s (%s)", a->label, res.what, strerror(res.error));
		return;
	}
	a->samples[a->n_samples++] = res.value;
}

/* The next arm order: a Fisher-Yates shuffle driven by xorshift64. */
static void shuffle(size_t *order, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j, t;

		*state ^= *state << 13;
		*state ^= *state >> 7;
		*state ^= *state << 17;
		j = (size_t)(*state % i);
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

void bench_compare(struct bench_arm *arms, size_t n_arms, unsigned rounds)
{
	/* A fixed seed: the same orders in every run. */
	uint64_t state = 0x9e3779b97f4a7c15u;
	_cleanup_free_ size_t *order = calloc(n_arms, sizeof(*order));

	for (size_t i = 0; i < n_arms; i++) {
		if (order)
			order[i] = i;
		arms[i].samples = calloc(rounds ? rounds : 1, sizeof(double));
		arms[i].n_samples = 0;
		if (!arms[i].samples || !order) {
			arms[i].failed = true;
			arms[i].failure.error = ENOMEM;
		}
	}
	for (unsigned r = 0; order && r < rounds; r++) {
		shuffle(order, n_arms, &state);
		for (size_t k = 0; k < n_arms; k++)
			run_arm(&arms[order[k]]);
	}
	/* Leave the servers free to run anywhere. */
	for (size_t i = 0; i < n_arms; i++)
		if (arms[i].server && arms[i].server->pid > 0)
			bench_pin(arms[i].server->pid, -1);
}

void bench_arm_free(struct bench_arm *arm)
{
	free(arm->samples);
	arm->samples = NULL;
	arm->n_samples = 0;
}

double bench_arm_median(struct bench_arm *arm)
{
	if (arm->failed || arm->n_samples == 0)
		return 0;
	return bench_median(arm->samples, arm->n_samples);
}

void bench_format_ns(struct bench_arm *arm, char *buf, size_t size)
{
	double med, lo, hi, scale = 1;
	const char *unit = "ns";
	int digits = 0;

	if (arm->failed || arm->n_samples == 0) {
		snprintf(buf, size, "failed");
		return;
	}
	med = bench_arm_median(arm);
	lo = bench_quantile(arm->samples, arm->n_samples, 0.25);
	hi = bench_quantile(arm->samples, arm->n_samples, 0.75);
	if (med >= 1e6) {
		scale = 1e6, unit = "ms", digits = 3;
	} else if (med >= 1e3) {
		scale = 1e3, unit = "µs", digits = 2;
	}
	snprintf(buf, size, "%.*f %s [%.*f–%.*f]", digits, med / scale, unit, digits, lo / scale,
		 digits, hi / scale);
}
