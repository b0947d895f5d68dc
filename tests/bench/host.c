/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host: what a wake-up costs on this machine, the yardstick for the
 * unpinned and split rows. Two processes pass a byte back and forth
 * over two pipes, both on one CPU and on two CPUs; across CPUs every
 * round trip wakes an idle CPU twice. The ratio between the two tells
 * how much an unpinned pair loses when the scheduler separates it, which
 * differs from host to host far more than anything sockbroker does
 * (docs/PERFORMANCE.md, "Placement"). What an idle CPU does while it waits decides
 * most of that cost, so the section names it too. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/bench/bench.h"

#define ROUND_TRIPS 2000
#define BATCHES 9

/* The cross-CPU round trip measured, for the sections after this one. */
static double cross_cpu_ns;

double bench_host_cross_cpu_ns(void)
{
	return cross_cpu_ns;
}

/* The echoing side: return every byte until the pipe closes. */
static _noreturn_ void echo(int in, int out, int cpu)
{
	char b;

	if (bench_pin(0, cpu) < 0)
		_exit(1);
	while (read(in, &b, 1) == 1)
		if (write(out, &b, 1) != 1)
			_exit(1);
	_exit(0);
}

/* The median ns per round trip over BATCHES batches, with this process
 * on CPU a and the echo on CPU b; negative errno on failure. */
static double round_trip(int a, int b)
{
	int to[2], from[2];
	double batch[BATCHES];
	size_t n = 0;
	pid_t pid;
	char c = 0;

	if (pipe2(to, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(from, O_CLOEXEC) < 0) {
		close(to[0]);
		close(to[1]);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		echo(to[0], from[1], b);
	}
	close(to[0]);
	close(from[1]);
	if (pid > 0 && bench_pin(0, a) == 0) {
		/* The first batch warms up and is not counted. */
		for (size_t i = 0; i <= BATCHES; i++) {
			uint64_t t0 = bench_now_ns();
			size_t k;

			for (k = 0; k < ROUND_TRIPS; k++)
				if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
					break;
			if (k < ROUND_TRIPS)
				break;
			if (i > 0)
				batch[n++] = (double)(bench_now_ns() - t0) / ROUND_TRIPS;
		}
	}
	close(to[1]);
	close(from[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	bench_pin(0, -1);
	if (pid < 0)
		return -EAGAIN;
	return n == BATCHES ? bench_median(batch, n) : -EIO;
}

/* The first line of a sysfs file, without its newline; false if absent. */
static bool read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, (int)size, f);

	if (f)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* How idle CPUs wait. Under the haltpoll governor of a KVM guest with
 * its polling window at 0, an idle vCPU halts at once and a wake-up waits
 * for the hypervisor to run it again: that is the cross-CPU row
 * (docs/PERFORMANCE.md, "The host's idle path"). The window means nothing under other governors. */
static void note_idle_path(void)
{
	const char *sysfs = "/sys/devices/system/cpu/cpuidle";
	char path[96], driver[64], governor[64], poll_ns[32];

	snprintf(path, sizeof(path), "%s/current_driver", sysfs);
	if (!read_line(path, driver, sizeof(driver)))
		snprintf(driver, sizeof(driver), "none");
	snprintf(path, sizeof(path), "%s/current_governor_ro", sysfs);
	if (!read_line(path, governor, sizeof(governor)))
		snprintf(governor, sizeof(governor), "none");
	if (strcmp(governor, "haltpoll") != 0 ||
	    !read_line("/sys/module/haltpoll/parameters/guest_halt_poll_ns", poll_ns,
		       sizeof(poll_ns))) {
		bench_note("host: idle CPUs: cpuidle driver %s, governor %s", driver, governor);
		return;
	}
	bench_note(
		"host: idle CPUs: cpuidle driver %s, governor haltpoll, guest halt polling %s ns%s",
		driver, poll_ns,
		strcmp(poll_ns, "0") == 0 ? " (off: an idle vCPU halts at once)" : "");
}

void bench_host(const struct bench_opts *o)
{
	char ratio[48];
	double one, two;

	(void)o;
	bench_progress("host: pipe round trips between two processes, on one CPU and on two");
	note_idle_path();
	one = round_trip(BENCH_CPU, BENCH_CPU);
	two = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? round_trip(BENCH_CPU, BENCH_CPU + 1) : -ENODEV;
	if (one <= 0) {
		bench_row("h", "pipe round trip, one CPU", "-", "", "", "failed");
		bench_note("host, one CPU: %s", strerror((int)-one));
		return;
	}
	bench_rowf("h", "pipe round trip, one CPU", "", "", "-", "%.2f µs", one / 1000);
	if (two <= 0) {
		bench_row("h", "pipe round trip, two CPUs", "-", "", "",
			  two == -ENODEV ? "skipped" : "failed");
		bench_note("host, two CPUs: %s",
			   two == -ENODEV ? "one CPU online" : strerror((int)-two));
		return;
	}
	cross_cpu_ns = two;
	snprintf(ratio, sizeof(ratio), "%.1f x one CPU", two / one);
	bench_rowf("h", "pipe round trip, two CPUs", ratio, "", "-", "%.2f µs", two / 1000);
}
