/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Section 4: the daemon's resident memory with 0, 1,000 and 10,000 idle
 * connections. The connections come from root (this program), which the
 * per-uid limit does not cover; each makes one call and then stays idle,
 * as a client holding libsockbroker's process-wide connection does. */
#include <string.h>

#include "tests/bench/bench.h"
#include "tests/harness.h"

void bench_memory(const struct bench_opts *o)
{
	struct bench_server d = {0};
	char max_arg[32], value[64], ratio[48], target_text[32];
	const char *extra[3] = {NULL};
	size_t want = o->max_conns, held = 0, steps[2] = {1000, o->max_conns};
	_cleanup_free_ int *fds = calloc(want ? want : 1, sizeof(int));
	long limit = bench_raise_nofile(), rss0, rss;
	int baseline;

	bench_progress("4. daemon memory with 0, 1,000 and %zu idle connections", want);
	snprintf(target_text, sizeof(target_text), "%zu", want);
	for (size_t i = 0; fds && i < want; i++)
		fds[i] = -1;
	/* The daemon's own limit is 4096 connections unless it can be told. */
	if (bench_daemon_has_option("--max-connections")) {
		snprintf(max_arg, sizeof(max_arg), "--max-connections=%zu", want + 16);
		extra[0] = max_arg;
	}
	if (!fds || limit < (long)want + 64) {
		bench_row("4", "daemon memory", "-", "", "", "skipped");
		bench_note("memory: RLIMIT_NOFILE hard limit %ld is below %zu connections", limit,
			   want + 64);
		return;
	}
	if (bench_daemon_start(&d, "memory", bench_policy, extra) < 0) {
		bench_row("4", "daemon memory", "-", "", "", "failed");
		return;
	}
	/* Let the probe connection go, then take the figure with nothing held
	 * after the allocator has seen one call. */
	bench_hold_connections(d.socket, fds, 1);
	bench_close_all(fds, 1);
	baseline = bench_settled_fds(d.pid);
	rss0 = sb_test_rss_kib(d.pid);
	bench_rowf("4", "RSS, 0 connections", "", "", "-", "%ld KiB", rss0);

	held = 0;
	for (size_t s = 0; s < ELEMENTSOF(steps); s++) {
		size_t target = steps[s];
		char what[48];
		double per;

		if (s > 0 && target <= steps[s - 1])
			continue;

		held += bench_hold_connections(d.socket, fds + held, target - held);
		if (!bench_wait_fds(d.pid, baseline + (int)held, 2000))
			bench_progress("daemon holds %d descriptors, expected %d",
				       sb_test_count_fds(d.pid), baseline + (int)held);
		rss = sb_test_rss_kib(d.pid);
		per = held ? (double)(rss - rss0) * 1024.0 / (double)held : 0;
		snprintf(what, sizeof(what), "RSS, %zu connections held", held);
		snprintf(value, sizeof(value), "%ld KiB", rss);
		snprintf(ratio, sizeof(ratio), "%.0f bytes/connection", per);
		bench_row("4", what, value, ratio, "≤ 2048 bytes/connection",
			  per <= 2048 ? "met" : "NOT MET");
		if (held < target) {
			bench_rowf("4", "connections held without error", "", target_text,
				   "NOT MET", "%zu", held);
			bench_note(
				"memory: the daemon kept %zu of %zu connections (its limit is 4096 "
				"unless sockbrokerd takes --max-connections)",
				held, target);
			break;
		}
	}
	if (held >= want)
		bench_rowf("4", "connections held without error", "", target_text, "met", "%zu",
			   held);
	bench_close_all(fds, want);
	bench_server_stop(&d);
}
