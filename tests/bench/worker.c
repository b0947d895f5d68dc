/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Workers: forked client processes that take the identity a measurement
 * asks for, run one job and send back one result over a pipe. */
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/bench/bench.h"
#include "tests/harness.h"

int bench_fail(struct bench_result *res, int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	if (res->error == 0) {
		res->error = err ? err : EIO;
		va_start(ap, fmt);
		vsnprintf(res->what, sizeof(res->what), fmt, ap);
		va_end(ap);
	}
	return -res->error;
}

void bench_result_write(int fd, const struct bench_result *res)
{
	/* Smaller than PIPE_BUF: one write, never torn. */
	if (write(fd, res, sizeof(*res)) != (ssize_t)sizeof(*res))
		_exit(125);
}

/* Whether this worker has said it is ready (a worker that fails before
 * that says so on its way out, or the driver would wait for it). */
static bool said_ready;

void bench_worker_ready(const struct bench_job *job)
{
	char c = 0;

	if (job->go_fd < 0 || said_ready)
		return;
	said_ready = true;
	if (write(job->ready_fd, &c, 1) != 1)
		_exit(124);
	/* The driver closes the write end to start every worker at once. */
	while (read(job->go_fd, &c, 1) > 0)
		;
}

/* A plain unprivileged user, for authbind: its helper is set-uid root,
 * which an empty bounding set or no_new_privs would disarm. */
static void become_user(void)
{
	if (setgroups(0, NULL) < 0 ||
	    setresgid(SB_TEST_NOBODY, SB_TEST_NOBODY, SB_TEST_NOBODY) < 0 ||
	    setresuid(SB_TEST_NOBODY, SB_TEST_NOBODY, SB_TEST_NOBODY) < 0)
		_exit(126);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* A worker keeps stdio and its pipes and nothing else of the driver:
 * no held connections, no other worker's pipes (the start signal is the
 * EOF of the go pipe, which needs every copy of its write end closed). */
static void close_inherited(int a, int b, int c)
{
	int keep[] = {a, b, c};
	unsigned next = 3;

	qsort(keep, ELEMENTSOF(keep), sizeof(int), cmp_int);
	for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
		if (keep[i] < (int)next)
			continue;
		if ((unsigned)keep[i] > next)
			close_range(next, (unsigned)keep[i] - 1, 0);
		next = (unsigned)keep[i] + 1;
	}
	close_range(next, ~0u, 0);
}

pid_t bench_worker_start(const struct bench_job *job, int *result_fd)
{
	int p[2];
	pid_t pid;

	/* Not close-on-exec: exec'd workers (authbind) write to it. */
	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		struct bench_job j = *job;
		struct bench_result res = {0};

		close_inherited(p[1], j.go_fd, j.ready_fd);
		j.result_fd = p[1];
		if (bench_pin(0, j.cpu) < 0)
			_exit(123);
		if (j.who == BENCH_NOBODY)
			sb_test_become_nobody();
		else if (j.who == BENCH_USER)
			become_user();
		j.fn(&j, &res);
		bench_worker_ready(&j);
		bench_result_write(p[1], &res);
		_exit(0);
	}
	close(p[1]);
	*result_fd = p[0];
	return pid;
}

int bench_worker_finish(pid_t pid, int result_fd, struct bench_result *res)
{
	ssize_t n;
	int status;

	memset(res, 0, sizeof(*res));
	do
		n = read(result_fd, res, sizeof(*res));
	while (n < 0 && errno == EINTR);
	close(result_fd);
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	if (n == (ssize_t)sizeof(*res))
		return 0;
	memset(res, 0, sizeof(*res));
	res->error = ECHILD;
	snprintf(res->what, sizeof(res->what), "worker died (status 0x%x)", status);
	return -ECHILD;
}

int bench_worker_run(const struct bench_job *job, struct bench_result *res)
{
	int fd;
	pid_t pid = bench_worker_start(job, &fd);

	if (pid < 0) {
		memset(res, 0, sizeof(*res));
		return bench_fail(res, (int)-pid, "fork: %s", strerror((int)-pid));
	}
	return bench_worker_finish(pid, fd, res);
}

struct bench_job bench_job_of(bench_fn fn, const struct bench_server *s, const struct bench_opts *o,
			      enum bench_who who, int cpu)
{
	return (struct bench_job){
		.fn = fn,
		.socket = s ? s->socket : NULL,
		.calls = o->calls,
		.warmup = o->calls / 10 + 10,
		.who = who,
		.cpu = cpu,
		.go_fd = -1,
		.ready_fd = -1,
	};
}
