/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* authbind, the comparison for brokered binds: Debian's authbind
 * preloads a bind() that forks and executes a set-uid helper for every
 * bind to a port below 512. The grant used is the narrowest it offers:
 * /etc/authbind/byuid/65534 allowing 127.0.0.1:80, created for the run
 * and removed after it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/bench/authbind.h"
#include "tests/bench/bench.h"

#define AUTHBIND "/usr/bin/authbind"
#define AUTHBIND_HELPER "/usr/lib/authbind/helper"
#define GRANT_DIR "/etc/authbind/byuid"
#define GRANT_FILE GRANT_DIR "/" BENCH_UID

static bool created_grant;

int bench_authbind_prepare(char *why, size_t size)
{
	struct stat st;
	int fd;

	if (access(AUTHBIND, X_OK) < 0 || stat(AUTHBIND_HELPER, &st) < 0) {
		snprintf(why, size, "authbind is not installed (apt-get install authbind)");
		return -ENOENT;
	}
	if (!(st.st_mode & S_ISUID) || st.st_uid != 0) {
		snprintf(why, size, "%s is not set-uid root", AUTHBIND_HELPER);
		return -EPERM;
	}
	if (access(GRANT_FILE, F_OK) == 0)
		return 0; /* the administrator's own grant; it must cover 127.0.0.1:80 */
	fd = open(GRANT_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, size, "cannot create %s: %s", GRANT_FILE, strerror(errno));
		return -errno;
	}
	created_grant = true;
	if (dprintf(fd, "127.0.0.1,%d\n", BENCH_BIND_PORT) < 0 || close(fd) < 0) {
		snprintf(why, size, "cannot write %s", GRANT_FILE);
		bench_authbind_cleanup();
		return -EIO;
	}
	return 0;
}

void bench_authbind_cleanup(void)
{
	if (created_grant)
		unlink(GRANT_FILE);
	created_grant = false;
}

/* The worker runs this program again under authbind, so that the
 * preloaded bind() is the one timed; the result comes back on the same
 * pipe. */
int bench_job_authbind_bind(struct bench_job *job, struct bench_result *res)
{
	char fd[16], calls[16], warmup[16];

	snprintf(fd, sizeof(fd), "%d", job->result_fd);
	snprintf(calls, sizeof(calls), "%u", job->calls);
	snprintf(warmup, sizeof(warmup), "%u", job->warmup);
	execl(AUTHBIND, AUTHBIND, bench_self(), "--bind-worker", fd, calls, warmup, (char *)NULL);
	return bench_fail(res, errno, "exec %s: %m", AUTHBIND);
}

int bench_bind_worker_main(int argc, char **argv)
{
	struct bench_job job = {.go_fd = -1, .ready_fd = -1, .cpu = -1};
	struct bench_result res = {0};
	char *end;
	long fd;

	if (argc != 4)
		return 2;
	fd = strtol(argv[1], &end, 10);
	if (*end || fd < 3 || fd > 1024 || fcntl((int)fd, F_GETFD) < 0)
		return 2;
	job.calls = (unsigned)strtoul(argv[2], NULL, 10);
	job.warmup = (unsigned)strtoul(argv[3], NULL, 10);
	job.result_fd = (int)fd;
	bench_job_plain_bind(&job, &res);
	bench_result_write((int)fd, &res);
	return 0;
}
