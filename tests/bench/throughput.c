/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Section 3: grants per second with 1, 4, 16 and 64 concurrent client
 * processes (each with its own connection, all unpinned, all uid 65534:
 * 64 is the daemon's per-uid connection limit), against the rate of one
 * floor client. */
#include <fcntl.h>
#include <string.h>

#include "tests/bench/bench.h"
#include "tests/harness.h"

static const unsigned client_counts[] = {1, 4, 16, 64};

/* Time pid has spent on a CPU, in ns (/proc/PID/schedstat). */
static uint64_t on_cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

/* Start n workers, let them warm up, start them together and add up
 * their rates. 0 when any failed. */
static double run_clients(const struct bench_opts *o, bench_fn fn, struct bench_server *s,
			  unsigned n, struct bench_result *failure, double *busy)
{
	pid_t pids[64];
	int result_fds[64];
	int go[2], ready[2];
	unsigned started = 0;
	double total = 0;
	uint64_t cpu0, t0;
	bool ok = true;
	char c;

	if (pipe2(go, O_CLOEXEC) < 0)
		return bench_fail(failure, errno, "pipe: %m"), 0;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		bench_fail(failure, errno, "pipe: %m");
		close(go[0]);
		close(go[1]);
		return 0;
	}
	for (; started < n && started < ELEMENTSOF(pids); started++) {
		struct bench_job job = {
			.fn = fn,
			.socket = s->socket,
			.warmup = 50,
			.seconds = o->tp_seconds,
			.who = BENCH_NOBODY,
			.cpu = -1,
			.go_fd = go[0],
			.ready_fd = ready[1],
		};

		pids[started] = bench_worker_start(&job, &result_fds[started]);
		if (pids[started] < 0)
			break;
	}
	close(go[0]);
	close(ready[1]);
	/* Every worker connected and warmed up (one that failed says it is
	 * ready too, and reports its failure at the end). */
	for (unsigned i = 0; i < started; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	cpu0 = on_cpu_ns(s->pid);
	t0 = bench_now_ns();
	close(go[1]);
	close(ready[0]);
	for (unsigned i = 0; i < started; i++) {
		struct bench_result res;

		bench_worker_finish(pids[i], result_fds[i], &res);
		/* The server's share of one CPU while the clients ran. */
		if (i == 0)
			*busy = (double)(on_cpu_ns(s->pid) - cpu0) / (double)(bench_now_ns() - t0);
		if (res.error) {
			if (ok)
				*failure = res;
			ok = false;
		}
		total += res.value;
	}
	if (started < n) {
		bench_fail(failure, EAGAIN, "could start only %u of %u clients", started, n);
		ok = false;
	}
	return ok ? total : 0;
}

static void rate_format(const double *sorted, size_t n, char *buf, size_t size)
{
	snprintf(buf, size, "%.0f/s [%.0f–%.0f]", bench_quantile(sorted, n, 0.5),
		 bench_quantile(sorted, n, 0.25), bench_quantile(sorted, n, 0.75));
}

void bench_throughput(const struct bench_opts *o)
{
	enum { N = ELEMENTSOF(client_counts) };
	struct bench_server d = {0}, fl = {0};
	double *floor_rates = calloc(o->tp_rounds, sizeof(double));
	double *rates[N], *busy[N];
	size_t n_floor = 0, n_rates[N] = {0};
	struct bench_result failure = {0};
	double floor_rate, med[N], cpu;
	char value[64], ratio[48], target[48];
	int baseline;

	for (size_t k = 0; k < N; k++) {
		rates[k] = calloc(o->tp_rounds, sizeof(double));
		busy[k] = calloc(o->tp_rounds, sizeof(double));
	}
	bench_progress(
		"3. throughput: 1 floor client, then 1/4/16/64 brokered clients, %u rounds of %.1f s",
		o->tp_rounds, o->tp_seconds);
	if (bench_daemon_start(&d, "throughput", bench_policy, NULL) < 0 ||
	    bench_floor_start(&fl, "throughput-floor", false, 0) < 0) {
		bench_row("3", "throughput", "-", "", "", "failed");
		goto out;
	}
	baseline = bench_settled_fds(d.pid);
	for (unsigned r = 0; r < o->tp_rounds && !failure.error; r++) {
		double v = run_clients(o, bench_job_floor_socket_rate, &fl, 1, &failure, &cpu);

		if (v > 0)
			floor_rates[n_floor++] = v;
		for (size_t k = 0; k < N && !failure.error; k++) {
			/* The previous clients' connections must be gone: 64
			 * clients is exactly the per-uid limit. */
			if (!bench_wait_fds(d.pid, baseline, 2000))
				bench_progress("daemon still holds old connections");
			v = run_clients(o, bench_job_broker_socket_rate, &d, client_counts[k],
					&failure, &cpu);
			if (v > 0) {
				busy[k][n_rates[k]] = cpu;
				rates[k][n_rates[k]++] = v;
			}
		}
	}
	if (failure.error) {
		bench_row("3", "throughput", "-", "", "", "failed");
		bench_note("throughput: %s (%s)", failure.what, strerror(failure.error));
		goto out;
	}
	floor_rate = bench_median(floor_rates, n_floor);
	rate_format(floor_rates, n_floor, value, sizeof(value));
	bench_row("3", "floor, 1 client", value, "", "", "-");
	for (size_t k = 0; k < N; k++) {
		char what[48];
		const char *verdict = "-";

		med[k] = bench_median(rates[k], n_rates[k]);
		rate_format(rates[k], n_rates[k], value, sizeof(value));
		snprintf(what, sizeof(what), "brokered, %u client%s", client_counts[k],
			 client_counts[k] > 1 ? "s" : "");
		snprintf(ratio, sizeof(ratio), "%.2f x floor, 1 client", med[k] / floor_rate);
		target[0] = 0;
		if (client_counts[k] == 16) {
			snprintf(target, sizeof(target), "≥ 2 x floor, 1 client");
			verdict = med[k] >= 2 * floor_rate ? "met" : "NOT MET";
		} else if (client_counts[k] == 64) {
			/* Not falling: within the noise of the 16-client figure. */
			snprintf(target, sizeof(target), "≥ 16 clients (-5%% noise)");
			verdict = med[k] >= 0.95 * med[k - 1] ? "met" : "NOT MET";
			snprintf(ratio, sizeof(ratio), "%.2f x floor; %.2f x 16",
				 med[k] / floor_rate, med[k] / med[k - 1]);
		}
		bench_row("3", what, value, ratio, target, verdict);
		/* On a shared or small machine the clients take CPU time from
		 * the daemon; its own cost per grant says what it could do
		 * with a CPU to itself. */
		cpu = bench_median(busy[k], n_rates[k]);
		bench_note("throughput, %u client%s: sockbrokerd on a CPU %.0f%% of the time, "
			   "%.1f µs per grant (%.0f grants/s with a CPU of its own)",
			   client_counts[k], client_counts[k] > 1 ? "s" : "", 100 * cpu,
			   1e6 * cpu / med[k], med[k] / cpu);
	}
out:
	bench_server_stop(&d);
	bench_server_stop(&fl);
	free(floor_rates);
	for (size_t k = 0; k < N; k++) {
		free(rates[k]);
		free(busy[k]);
	}
}
