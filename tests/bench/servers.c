/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The servers under test (sockbrokerd and the floor server, started from
 * the build tree), their CPUs, descriptors and idle connections. */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "proto/protocol.h"
#include "tests/bench/bench.h"
#include "tests/call.h"
#include "tests/harness.h"

static char dir[64];
static char builddir[512];
static char self[512];

const char *bench_dir(void)
{
	return dir;
}

const char *bench_builddir(void)
{
	return builddir;
}

const char *bench_self(void)
{
	return self;
}

int bench_dir_init(void)
{
	const char *top = getenv("top_builddir");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char copy[sizeof(self)];

	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return -ENAMETOOLONG;
	self[n] = 0;
	/* The bench programs are built at the top of the build tree, beside
	 * sockbrokerd. */
	memcpy(copy, self, sizeof(copy));
	snprintf(builddir, sizeof(builddir), "%s", top && *top ? top : dirname(copy));
	snprintf(dir, sizeof(dir), "/tmp/sockbroker-bench-XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	if (chmod(dir, 0755) < 0)
		return -errno;
	return 0;
}

/* Remove path and the files in it. */
static void remove_flat(const char *path)
{
	DIR *d = opendir(path);

	if (d) {
		for (struct dirent *de; (de = readdir(d));)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	if (rmdir(path) < 0 && errno != ENOENT)
		fprintf(stderr, "bench: could not remove %s: %m\n", path);
}

void bench_dir_cleanup(void)
{
	char sub[sizeof(dir) + 16];

	if (!dir[0])
		return;
	/* Sockets, policies, logs and profiles, and one directory of
	 * profiles (profile.c). */
	snprintf(sub, sizeof(sub), "%s/" BENCH_PROFILE_SUBDIR, dir);
	remove_flat(sub);
	remove_flat(dir);
}

long bench_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return (long)rl.rlim_cur;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	if (fclose(f) != 0)
		return -EIO;
	return chmod(path, 0644) < 0 ? -errno : 0;
}

static void server_paths(struct bench_server *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->socket, sizeof(s->socket), "%s/%s.sock", dir, name);
	snprintf(s->policy, sizeof(s->policy), "%s/%s.conf", dir, name);
	snprintf(s->log, sizeof(s->log), "%s/%s.log", dir, name);
}

/* Ready when the socket answers a request (the floor server answers
 * anything; sockbrokerd answers Info). */
static bool answers(const char *path)
{
	_cleanup_close_ int fd = sb_test_connect(path);
	_cleanup_free_ char *reply = NULL;
	int got = -1;

	if (fd < 0)
		return false;
	if (sb_test_call_raw(fd, "{\"method\":\"" SB_METHOD_INFO "\"}", NULL, 0, &reply, &got) < 0)
		return false;
	safe_close(got);
	return true;
}

static int spawn(struct bench_server *s, const char *const *argv, unsigned timeout_ms)
{
	s->pid = fork();
	if (s->pid < 0)
		return -errno;
	if (s->pid == 0) {
		sb_test_prepare_server_exec(s->log, O_TRUNC);
		/* What a real daemon holding many connections does first. */
		bench_raise_nofile();
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	for (unsigned waited = 0; waited < timeout_ms; waited += 10) {
		int status;

		if (answers(s->socket))
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "bench: %s exited during start-up (status 0x%x), see %s\n",
				argv[0], status, s->log);
			s->pid = 0;
			return -ECHILD;
		}
		sb_test_sleep_ms(10);
	}
	fprintf(stderr, "bench: %s did not answer on %s within %u ms\n", argv[0], s->socket,
		timeout_ms);
	bench_server_stop(s);
	return -ETIMEDOUT;
}

int bench_daemon_start_exe(struct bench_server *s, const char *program, const char *name,
			   const char *policy_text, const char *const *extra,
			   const char *const *wrapper)
{
	char exe[600];
	const char *argv[48];
	size_t n = 0;
	int r;

	server_paths(s, name);
	r = write_file(s->policy, policy_text);
	if (r < 0)
		return r;
	if (program)
		snprintf(exe, sizeof(exe), "%s", program);
	else
		snprintf(exe, sizeof(exe), "%s/sockbrokerd", builddir);
	for (size_t i = 0; wrapper && wrapper[i] && n < 24; i++)
		argv[n++] = wrapper[i];
	argv[n++] = exe;
	argv[n++] = "--listen";
	argv[n++] = s->socket;
	argv[n++] = "--policy";
	argv[n++] = s->policy;
	for (size_t i = 0; extra && extra[i] && n < ELEMENTSOF(argv) - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	/* Under valgrind the start takes seconds. */
	return spawn(s, argv, wrapper ? 60000 : 5000);
}

int bench_daemon_start(struct bench_server *s, const char *name, const char *policy_text,
		       const char *const *extra)
{
	return bench_daemon_start_exe(s, NULL, name, policy_text, extra, NULL);
}

int bench_floor_start(struct bench_server *s, const char *name, bool epoll, unsigned work_ns)
{
	char exe[600], work[32];
	const char *argv[5];
	size_t n = 0;

	server_paths(s, name);
	snprintf(exe, sizeof(exe), "%s/bench-floor-server", builddir);
	argv[n++] = exe;
	if (epoll)
		argv[n++] = "--epoll";
	if (work_ns) {
		snprintf(work, sizeof(work), "--work=%u", work_ns);
		argv[n++] = work;
	}
	argv[n++] = s->socket;
	argv[n] = NULL;
	return spawn(s, argv, 5000);
}

bool bench_server_stop(struct bench_server *s)
{
	int status = 0;

	if (s->pid <= 0)
		return false;
	kill(s->pid, SIGTERM);
	if (waitpid(s->pid, &status, 0) != s->pid)
		status = -1;
	s->pid = 0;
	unlink(s->socket);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool bench_daemon_has_option(const char *option)
{
	char exe[600], line[256];
	bool found = false;
	int p[2];
	pid_t pid;
	FILE *f;

	snprintf(exe, sizeof(exe), "%s/sockbrokerd", builddir);
	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl(exe, exe, "--help", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "re");
	if (!f) {
		close(p[0]);
	} else {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, option))
				found = true;
		fclose(f);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return found;
}

int bench_pin(pid_t pid, int cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	char path[64];
	DIR *tasks;
	int r = 0;

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	else
		for (long i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET((int)i, &set);
	if (pid == 0)
		return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
	/* Every thread, as taskset -a does: the daemon closes client
	 * sockets in worker threads, which belong with it. */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return -errno;
	for (struct dirent *de; (de = readdir(tasks));)
		if (de->d_name[0] != '.' &&
		    sched_setaffinity(atoi(de->d_name), sizeof(set), &set) < 0)
			r = -errno;
	closedir(tasks);
	return r;
}

bool bench_wait_fds(pid_t pid, int n, unsigned timeout_ms)
{
	return sb_test_wait_fds(pid, n, timeout_ms) == n;
}

int bench_settled_fds(pid_t pid)
{
	/* The same count over 50 ms: closed connections have been seen. */
	return sb_test_settled_fds(pid, 10, 5, 2000);
}

size_t bench_hold_connections(const char *path, int *fds, size_t count)
{
	size_t kept = 0;

	for (size_t i = 0; i < count; i++) {
		_cleanup_free_ char *reply = NULL;
		int got = -1;

		fds[i] = sb_test_connect(path);
		if (fds[i] < 0) {
			fds[i] = -1;
			continue;
		}
		/* A connection the daemon refused reads EOF here. */
		if (sb_test_call_raw(fds[i], "{\"method\":\"" SB_METHOD_INFO "\"}", NULL, 0, &reply,
				     &got) < 0) {
			fds[i] = safe_close(fds[i]);
			continue;
		}
		safe_close(got);
		kept++;
	}
	return kept;
}

void bench_close_all(int *fds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		fds[i] = safe_close(fds[i]);
}
