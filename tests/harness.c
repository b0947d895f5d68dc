/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/net.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "proto/protocol.h"
#include "proto/util.h"
#include "tests/call.h"
#include "tests/harness.h"
#include "tests/trace.h"

static void copy_file(const char *from, const char *to, mode_t mode)
{
	_cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[65536];
	ssize_t n;

	ck_assert_msg(in >= 0, "%s: %m", from);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_msg(out >= 0, "%s: %m", to);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(fchmod(out, mode), 0);
}

static char stage_dir[] = "/tmp/sockbroker-stage-XXXXXX";
static pid_t stage_owner;

static void unstage(void)
{
	_cleanup_close_ int fd = -1;
	DIR *d;

	/* Forked children inherit the handler: the directory is the
	 * stager's to remove. */
	if (getpid() != stage_owner)
		return;
	fd = open(stage_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d)
		return;
	fd = -1;
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(stage_dir);
}

const char *sb_test_stage_dir(void)
{
	if (stage_owner != getpid()) {
		/* Each process stages in a directory of its own. */
		snprintf(stage_dir, sizeof(stage_dir), "/tmp/sockbroker-stage-XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(stage_dir));
		ck_assert_int_eq(chmod(stage_dir, 0755), 0);
		if (stage_owner == 0)
			atexit(unstage);
		stage_owner = getpid();
	}
	return stage_dir;
}

void sb_test_stage(const char *name, mode_t mode, char *path, size_t size)
{
	const char *top = getenv("top_builddir"), *base = strrchr(name, '/');
	char from[512];

	snprintf(from, sizeof(from), "%s/%s", top ? top : ".", name);
	snprintf(path, size, "%s/%s", sb_test_stage_dir(), base ? base + 1 : name);
	copy_file(from, path, mode);
}

bool sb_test_private_netns(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	_cleanup_close_ int fd = -1;

	if (unshare(CLONE_NEWNET) < 0)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return false;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
}

void sb_test_hermetic(void)
{
	const char *vm = getenv("SB_VM");

	if (geteuid() == 0 && !(vm && strcmp(vm, "1") == 0))
		(void)sb_test_private_netns();
}

bool sb_test_is_root(void)
{
	return geteuid() == 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f, "cannot create %s: %m", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
}

void sb_test_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

long sb_test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The daemon answers Info once it is up (and after a reload, once the
 * signal has been handled: requests are served after signals). */
static bool daemon_answers(const char *path)
{
	_cleanup_close_ int fd = sb_test_connect(path);
	_cleanup_free_ char *reply = NULL;

	if (fd < 0)
		return false;
	if (sb_test_call_raw(fd, "{\"method\":\"" SB_METHOD_INFO "\"}", NULL, 0, &reply, NULL) < 0)
		return false;
	return strstr(reply, "\"version\"") != NULL;
}

/* A listening socket on d->socket, as systemd would create it. */
static int listen_for(const struct sb_test_daemon *d)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(d->socket), sizeof(sa.sun_path));
	strcpy(sa.sun_path, d->socket);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind %s: %m", d->socket);
	ck_assert_int_eq(chmod(d->socket, 0666), 0);
	ck_assert_int_eq(listen(fd, SOMAXCONN), 0);
	return fd;
}

void sb_test_prepare_server_exec(const char *log, int log_flags)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC | log_flags, 0644);

	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		dup2(fd, STDOUT_FILENO);
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("JOURNAL_STREAM");
}

/* Fork and exec the daemon with d's settings. */
static void spawn(struct sb_test_daemon *d)
{
	const char *top = getenv("top_builddir");
	char exe[512];
	const char *argv[32], *traced[64];
	size_t n = 0;

	snprintf(exe, sizeof(exe), "%s/sockbrokerd", top ? top : ".");
	argv[n++] = exe;
	argv[n++] = "--listen";
	argv[n++] = d->socket;
	argv[n++] = "--policy";
	argv[n++] = d->policy;
	argv[n++] = "--subuid";
	argv[n++] = d->subuid;
	argv[n++] = "--subgid";
	argv[n++] = d->subgid;
	argv[n++] = "--verbose";
	for (size_t i = 0; d->extra_args && d->extra_args[i] && n < ELEMENTSOF(argv) - 1; i++)
		argv[n++] = d->extra_args[i];
	argv[n] = NULL;
	if (d->trace)
		sb_test_strace_argv(traced, ELEMENTSOF(traced), d->trace, d->strace_opts, argv);

	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		sb_test_prepare_server_exec(d->log, O_APPEND);
		if (d->stderr_fd > 0 && dup2(d->stderr_fd, STDERR_FILENO) < 0)
			_exit(127);
		if (d->journal) {
			struct stat st;
			char stream[64];

			if (fstat(STDERR_FILENO, &st) < 0)
				_exit(127);
			snprintf(stream, sizeof(stream), "%llu:%llu", (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino);
			setenv("JOURNAL_STREAM", stream, 1);
		}
		if (d->activated) {
			char pid[16];

			/* dup2 clears close-on-exec on the copy; a descriptor
			 * that already is 3 keeps its flag, so clear it. */
			if (dup2(d->listen_fd, 3) < 0 || fcntl(3, F_SETFD, 0) < 0)
				_exit(127);
			snprintf(pid, sizeof(pid), "%d", (int)getpid());
			setenv("LISTEN_FDS", "1", 1);
			setenv("LISTEN_PID", pid, 1);
		}
		if (d->max_fds > 0) {
			struct rlimit rl = {d->max_fds, d->max_fds};

			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				_exit(127);
		}
		/* Root's capabilities after exec are its bounding set. */
		if (d->unit_capabilities && (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) < 0 ||
					     prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) < 0))
			_exit(127);
		if (d->trace)
			execvp(traced[0], (char **)traced);
		else
			execv(exe, (char **)argv);
		_exit(127);
	}
}

/* How long the daemon may take to answer once started: longer in the
 * test VM (SB_VM=1, see docs/VM-TESTS.md), where programs run under
 * software emulation and load their libraries over 9p. */
static int start_timeout_ms(void)
{
	const char *vm = getenv("SB_VM");

	return vm && strcmp(vm, "1") == 0 ? 30000 : 5000;
}

static void wait_until_serving(struct sb_test_daemon *d)
{
	int timeout_ms = start_timeout_ms();

	for (int waited = 0; waited < timeout_ms; waited += 10) {
		int status;

		if (daemon_answers(d->socket))
			return;
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			ck_abort_msg("sockbrokerd exited during start-up (status %d), see %s",
				     status, d->log);
		}
		sb_test_sleep_ms(10);
	}
	ck_abort_msg("sockbrokerd did not answer on %s within %d s", d->socket, timeout_ms / 1000);
}

void sb_test_daemon_start_opts(struct sb_test_daemon *d, const char *policy_text,
			       const char *const *extra_args,
			       const struct sb_test_daemon_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->listen_fd = -1;
	d->extra_args = extra_args;
	snprintf(d->dir, sizeof(d->dir), "/tmp/sockbroker-test-XXXXXX");
	ck_assert_msg(mkdtemp(d->dir), "mkdtemp: %m");
	ck_assert_int_eq(chmod(d->dir, 0755), 0);
	snprintf(d->socket, sizeof(d->socket), "%s/sock", d->dir);
	snprintf(d->policy, sizeof(d->policy), "%s/policy.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/daemon.log", d->dir);
	snprintf(d->subuid, sizeof(d->subuid), "%s/subuid", d->dir);
	snprintf(d->subgid, sizeof(d->subgid), "%s/subgid", d->dir);
	write_file(d->policy, policy_text);
	write_file(d->subuid, opts && opts->subuid_text ? opts->subuid_text : "");
	write_file(d->subgid, opts && opts->subgid_text ? opts->subgid_text : "");
	/* A fresh log: spawn() appends, so restarts keep the history. */
	write_file(d->log, "");
	if (opts) {
		d->max_fds = opts->max_fds;
		d->activated = opts->socket_activation;
		d->journal = opts->journal;
		d->stderr_fd = opts->stderr_fd;
		d->unit_capabilities = opts->unit_capabilities;
		d->trace = opts->trace;
		d->strace_opts = opts->strace_opts;
	}
	if (d->activated)
		d->listen_fd = listen_for(d);
	spawn(d);
	wait_until_serving(d);
}

void sb_test_daemon_start(struct sb_test_daemon *d, const char *policy_text,
			  const char *const *extra_args)
{
	sb_test_daemon_start_opts(d, policy_text, extra_args, NULL);
}

static struct sb_test_daemon *killed_at_exit;

static void kill_daemon_at_exit(void)
{
	struct sb_test_daemon *d = killed_at_exit;

	if (d && d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
}

void sb_test_daemon_kill_at_exit(struct sb_test_daemon *d)
{
	if (!killed_at_exit)
		ck_assert_int_eq(atexit(kill_daemon_at_exit), 0);
	killed_at_exit = d;
}

void sb_test_daemon_start_for_library(struct sb_test_daemon *d, const char *policy_text)
{
	sb_test_daemon_kill_at_exit(d);
	sb_test_daemon_start(d, policy_text, NULL);
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", d->socket, 1), 0);
}

void sb_test_daemon_terminate(struct sb_test_daemon *d)
{
	int status;

	ck_assert(d->activated);
	ck_assert_int_eq(kill(d->pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(d->pid, &status, 0), d->pid);
	d->pid = 0;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "sockbrokerd did not exit cleanly (status 0x%x), see %s", status, d->log);
}

void sb_test_daemon_respawn(struct sb_test_daemon *d)
{
	ck_assert(d->activated && d->pid == 0);
	spawn(d);
	wait_until_serving(d);
}

void sb_test_daemon_restart(struct sb_test_daemon *d)
{
	sb_test_daemon_terminate(d);
	sb_test_daemon_respawn(d);
}

void sb_test_daemon_reload(struct sb_test_daemon *d, const char *policy_text)
{
	write_file(d->policy, policy_text);
	ck_assert_int_eq(kill(d->pid, SIGHUP), 0);
	/* Signals are handled before new connections are served, so one
	 * answered call proves the reload has run. */
	ck_assert(daemon_answers(d->socket));
}

void sb_test_daemon_stop(struct sb_test_daemon *d)
{
	int status = 0;

	if (d->pid > 0) {
		ck_assert_int_eq(kill(d->pid, SIGTERM), 0);
		ck_assert_int_eq(waitpid(d->pid, &status, 0), d->pid);
		d->pid = 0;
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "sockbrokerd did not exit cleanly (status 0x%x), see %s", status,
			      d->log);
	}
	d->listen_fd = safe_close(d->listen_fd);
	unlink(d->socket);
	unlink(d->policy);
	unlink(d->log);
	unlink(d->subuid);
	unlink(d->subgid);
	rmdir(d->dir);
}

int sb_test_count_fds(pid_t pid)
{
	char path[64];
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	for (struct dirent *de; (de = readdir(dir));)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

int sb_test_settle(int (*count)(void *arg), void *arg, long interval_ms, int repeats, long max_ms)
{
	int last = count(arg), same = 0;

	for (long slept = 0; same < repeats && slept < max_ms; slept += interval_ms) {
		int now;

		sb_test_sleep_ms(interval_ms);
		now = count(arg);
		same = now == last ? same + 1 : 0;
		last = now;
	}
	return last;
}

static int count_fds_of(void *pid)
{
	return sb_test_count_fds(*(pid_t *)pid);
}

int sb_test_settled_fds(pid_t pid, long interval_ms, int repeats, long max_ms)
{
	return sb_test_settle(count_fds_of, &pid, interval_ms, repeats, max_ms);
}

int sb_test_wait_fds(pid_t pid, int want, long max_ms)
{
	long end = sb_test_now_ms() + max_ms;
	int n;

	while ((n = sb_test_count_fds(pid)) != want && sb_test_now_ms() < end)
		sb_test_sleep_ms(10);
	return n;
}

int sb_test_daemon_connections(const struct sb_test_daemon *d)
{
	char line[512], path[sizeof(d->socket)];
	unsigned state;
	FILE *f = fopen("/proc/net/unix", "re");
	int n = 0;

	_Static_assert(sizeof(path) == 128, "the width in the format below");
	if (!f)
		return -errno;
	/* Num RefCount Protocol Flags Type St Inode Path; St is
	 * SS_CONNECTING for a connection not yet accepted. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*x %*x %*x %*x %x %*u %127s", &state, path) == 2 &&
		    (state == SS_CONNECTED || state == SS_CONNECTING) &&
		    strcmp(path, d->socket) == 0)
			n++;
	fclose(f);
	return n;
}

int sb_test_daemon_wait_connections_gone(const struct sb_test_daemon *d, long max_ms)
{
	long end = sb_test_now_ms() + max_ms;
	int n;

	while ((n = sb_test_daemon_connections(d)) != 0 && sb_test_now_ms() < end)
		sb_test_sleep_ms(10);
	return n;
}

int sb_test_daemon_quiet_fds(const struct sb_test_daemon *d)
{
	ck_assert_int_eq(sb_test_daemon_wait_connections_gone(d, 10000), 0);
	return sb_test_settled_fds(d->pid, 30, 2, 3000);
}

static bool file_contains(const char *path, const char *needle)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

bool sb_test_log_wait(const char *path, const char *needle, long max_ms)
{
	long end = sb_test_now_ms() + max_ms;

	while (!file_contains(path, needle)) {
		if (sb_test_now_ms() >= end)
			return false;
		sb_test_sleep_ms(5);
	}
	return true;
}

/* What follows "name:" in /proc/PID/status, leading blanks skipped,
 * into out; false if the file or the line is missing. */
static bool status_field(pid_t pid, const char *name, char *out, size_t size)
{
	char path[64], line[256];
	size_t n = strlen(name);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			snprintf(out, size, "%s", line + n + 1 + strspn(line + n + 1, " \t"));
			found = true;
		}
	fclose(f);
	return found;
}

const char *sb_test_fs_ids(pid_t pid)
{
	static char ids[64];
	char uids[128] = "", gids[128] = "";
	unsigned u[4] = {0}, g[4] = {0};

	ck_assert(status_field(pid, "Uid", uids, sizeof(uids)));
	ck_assert(status_field(pid, "Gid", gids, sizeof(gids)));
	sscanf(uids, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]);
	sscanf(gids, "%u %u %u %u", &g[0], &g[1], &g[2], &g[3]);
	snprintf(ids, sizeof(ids), "%u %u", u[3], g[3]);
	return ids;
}

/* The number after "name:" in /proc/PID/status, or -1. */
static long status_number(pid_t pid, const char *name)
{
	char field[128];
	long v = -1;

	if (status_field(pid, name, field, sizeof(field)))
		sscanf(field, "%ld", &v);
	return v;
}

long sb_test_rss_kib(pid_t pid)
{
	return status_number(pid, "VmRSS");
}

long sb_test_threads(pid_t pid)
{
	return status_number(pid, "Threads");
}

/* The state letter of process pid ("State:" in /proc/PID/status), or 0. */
static char process_state(pid_t pid)
{
	char field[64];

	return status_field(pid, "State", field, sizeof(field)) ? field[0] : 0;
}

bool sb_test_stop(pid_t pid, long max_ms)
{
	long deadline = sb_test_now_ms() + max_ms;

	if (kill(pid, SIGSTOP) < 0)
		return false;
	for (;;) {
		char state = process_state(pid);

		if (state == 'T' || state == 't')
			return true;
		if (sb_test_now_ms() >= deadline)
			return false;
		sb_test_sleep_ms(1);
	}
}

void sb_test_become_nobody(void)
{
	/* Order matters: groups and gid while still privileged, then uid,
	 * which clears the permitted and effective capability sets. */
	if (setgroups(0, NULL) < 0 || setresgid(SB_TEST_NOBODY, SB_TEST_NOBODY, SB_TEST_NOBODY) < 0)
		_exit(126);
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (setresuid(SB_TEST_NOBODY, SB_TEST_NOBODY, SB_TEST_NOBODY) < 0)
		_exit(126);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(126);
}

void sb_test_become(uid_t uid)
{
	if (uid == SB_TEST_NOBODY) {
		sb_test_become_nobody();
		return;
	}
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(126);
}

pid_t sb_test_spawn_as(uid_t uid, int (*fn)(void *), void *arg, int *release, int *report)
{
	int in[2], out[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* dup2 clears close-on-exec; fcntl covers an fd already there. */
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], SB_TEST_REPORT_FD) < 0 ||
		    fcntl(SB_TEST_REPORT_FD, F_SETFD, 0) < 0)
			_exit(125);
		/* Nothing else: a release pipe held by a child (its own or a
		 * sibling's) would never report EOF. */
		close_range(3, SB_TEST_REPORT_FD - 1, 0);
		close_range(SB_TEST_REPORT_FD + 1, ~0u, 0);
		sb_test_become(uid);
		_exit(fn(arg));
	}
	close(in[0]);
	close(out[1]);
	if (release)
		*release = in[1];
	else
		close(in[1]);
	if (report)
		*report = out[0];
	else
		close(out[0]);
	return pid;
}

pid_t sb_test_fork_as(uid_t uid, int (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sb_test_become(uid);
		_exit(fn(arg));
	}
	return pid;
}

int sb_test_run_as(uid_t uid, int (*fn)(void *arg), void *arg)
{
	return sb_test_wait_exit(sb_test_fork_as(uid, fn, arg));
}

pid_t sb_test_fork_as_nobody(int (*fn)(void *arg), void *arg)
{
	return sb_test_fork_as(SB_TEST_NOBODY, fn, arg);
}

int sb_test_wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int sb_test_run_as_nobody(int (*fn)(void *arg), void *arg)
{
	return sb_test_wait_exit(sb_test_fork_as_nobody(fn, arg));
}
