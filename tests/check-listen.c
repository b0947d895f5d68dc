/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerd --listen: the daemon creates its socket as root, so a
 * directory on the path that another user can change is refused, and the
 * socket's mode is set without going through the path again. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/harness.h"
#include "tests/testlib.h"
#include "tests/trace.h"

static const char policy_text[] = "allow user:nobody socket family=AF_INET type=SOCK_DGRAM\n";

/* Root's directory of one test: the policy, the daemon's log, and the
 * directories the test makes for the socket. */
struct site {
	char dir[64];
	char policy[128];
	char log[128];
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f, "cannot create %s: %m", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void site_make(struct site *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/sockbroker-listen-XXXXXX");
	ck_assert_msg(mkdtemp(s->dir), "mkdtemp: %m");
	ck_assert_int_eq(chmod(s->dir, 0755), 0);
	snprintf(s->policy, sizeof(s->policy), "%s/policy.conf", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/daemon.log", s->dir);
	write_file(s->policy, policy_text, 0644);
	write_file(s->log, "", 0644);
}

static void site_remove(const struct site *s)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* mkdir path with exactly mode, owned by uid. */
static void make_dir(const char *path, mode_t mode, uid_t uid)
{
	ck_assert_msg(mkdir(path, 0700) == 0, "mkdir %s: %m", path);
	ck_assert_int_eq(chmod(path, mode), 0);
	ck_assert_int_eq(chown(path, uid, 0), 0);
}

/* Start the daemon on listen; under strace when trace is set. */
static pid_t spawn_daemon(const struct site *s, const char *listen, const char *trace,
			  const char *const *strace_opts)
{
	const char *top = getenv("top_builddir");
	char exe[512];
	const char *argv[] = {exe, "--listen", listen, "--policy", s->policy, "--verbose", NULL};
	const char *args[64];
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/sockbrokerd", top ? top : ".");
	if (trace)
		sb_test_strace_argv(args, ELEMENTSOF(args), trace, strace_opts, argv);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sb_test_prepare_server_exec(s->log, O_APPEND);
		if (trace)
			execvp(args[0], (char **)args);
		else
			execv(exe, (char **)argv);
		_exit(127);
	}
	return pid;
}

/* The daemon's exit status within max_ms; -1 (and killed) if it runs on. */
static int exit_within(pid_t pid, long max_ms)
{
	long end = sb_test_now_ms() + max_ms;
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (sb_test_now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		sb_test_sleep_ms(10);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void stop_daemon(pid_t pid)
{
	int status;

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status 0x%x", status);
}

static bool answers(const char *socket)
{
	struct sb_reply reply;

	if (sb_test_call_once(socket, "{\"method\":\"" SB_METHOD_INFO "\"}", NULL, 0, &reply,
			      NULL) < 0)
		return false;
	sb_reply_done(&reply);
	return true;
}

static void wait_serving(pid_t pid, const struct site *s, const char *socket)
{
	for (int waited = 0; waited < 5000; waited += 10) {
		if (answers(socket))
			return;
		ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "sockbrokerd exited, see %s",
			      s->log);
		sb_test_sleep_ms(10);
	}
	ck_abort_msg("sockbrokerd did not answer on %s", socket);
}

/* The daemon must refuse to start on socket, saying it refuses dir. */
static void assert_refused(const struct site *s, const char *socket, const char *dir)
{
	char needle[256];
	struct stat st;

	ck_assert_msg(exit_within(spawn_daemon(s, socket, NULL, NULL), 5000) == 1,
		      "sockbrokerd did not refuse %s, see %s", socket, s->log);
	snprintf(needle, sizeof(needle), "refusing directory %s ", dir);
	ck_assert_msg(sb_test_log_wait(s->log, needle, 1000), "no \"%s\" in %s", needle, s->log);
	ck_assert_msg(lstat(socket, &st) < 0 && errno == ENOENT, "%s was created", socket);
}

START_TEST(a_directory_another_user_owns_is_refused)
{
	struct site s;
	char parent[128], theirs[128], below[160], socket[192];

	site_make(&s);
	/* The socket's own directory: its owner could swap the socket. */
	snprintf(parent, sizeof(parent), "%s/nobodys", s.dir);
	make_dir(parent, 0755, SB_TEST_NOBODY);
	snprintf(socket, sizeof(socket), "%s/sock", parent);
	assert_refused(&s, socket, parent);
	/* One above: its owner could rename root's directory away. */
	snprintf(theirs, sizeof(theirs), "%s/above", s.dir);
	make_dir(theirs, 0755, SB_TEST_NOBODY);
	snprintf(below, sizeof(below), "%s/roots", theirs);
	make_dir(below, 0755, 0);
	snprintf(socket, sizeof(socket), "%s/sock", below);
	assert_refused(&s, socket, theirs);
	/* Nor does root make the missing directory of the socket there. */
	snprintf(below, sizeof(below), "%s/made", parent);
	snprintf(socket, sizeof(socket), "%s/sock", below);
	assert_refused(&s, socket, parent);
	ck_assert_msg(access(below, F_OK) < 0 && errno == ENOENT, "%s was made", below);
	site_remove(&s);
}
END_TEST

START_TEST(a_directory_others_can_write_is_refused)
{
	static const mode_t parent_modes[] = {0775, 0757, 01777};
	struct site s;
	char dir[128], below[160], socket[192];
	pid_t pid;

	site_make(&s);
	for (size_t i = 0; i < ELEMENTSOF(parent_modes); i++) {
		snprintf(dir, sizeof(dir), "%s/mode%o", s.dir, (unsigned)parent_modes[i]);
		make_dir(dir, parent_modes[i], 0);
		snprintf(socket, sizeof(socket), "%s/sock", dir);
		assert_refused(&s, socket, dir);
	}
	/* Above the socket's directory, without the sticky bit: whoever
	 * writes it renames root's directory and puts another in its place. */
	snprintf(dir, sizeof(dir), "%s/open", s.dir);
	make_dir(dir, 0777, 0);
	snprintf(below, sizeof(below), "%s/roots", dir);
	make_dir(below, 0755, 0);
	snprintf(socket, sizeof(socket), "%s/sock", below);
	assert_refused(&s, socket, dir);
	/* With it (as /tmp has it), root's directory stays root's. */
	snprintf(dir, sizeof(dir), "%s/sticky", s.dir);
	make_dir(dir, 01777, 0);
	snprintf(below, sizeof(below), "%s/roots", dir);
	make_dir(below, 0755, 0);
	snprintf(socket, sizeof(socket), "%s/sock", below);
	pid = spawn_daemon(&s, socket, NULL, NULL);
	wait_serving(pid, &s, socket);
	stop_daemon(pid);
	site_remove(&s);
}
END_TEST

static int nobody_connects(void *socket)
{
	return answers(socket) ? 0 : 1;
}

START_TEST(the_socket_is_0666_whatever_the_umask)
{
	struct site s;
	char dir[128], socket[160];
	struct stat st;
	mode_t umask_before;
	pid_t pid;

	site_make(&s);
	snprintf(dir, sizeof(dir), "%s/made-by-the-daemon", s.dir);
	snprintf(socket, sizeof(socket), "%s/sock", dir);
	umask_before = umask(0077);
	pid = spawn_daemon(&s, socket, NULL, NULL);
	umask(umask_before);
	wait_serving(pid, &s, socket);
	ck_assert_int_eq(lstat(socket, &st), 0);
	ck_assert_msg(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0666, "socket mode %o",
		      (unsigned)st.st_mode);
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0755, "directory mode %o", (unsigned)st.st_mode);
	ck_assert_int_eq(sb_test_run_as_nobody(nobody_connects, socket), 0);
	stop_daemon(pid);
	site_remove(&s);
}
END_TEST

/* The attack on a daemon that set the mode by path after bind(): whoever
 * can write the directory replaces the new socket with a link to a file
 * of root's, and the daemon makes that file 0666. strace holds bind()
 * open long enough to make the swap every time. */
START_TEST(the_mode_is_not_set_through_the_path)
{
	static const char *const strace_opts[] = {
		"-e", "trace=bind,chmod,fchmodat", "-e", "inject=bind:delay_exit=1500000:when=1",
		NULL,
	};
	struct site s;
	char dir[128], socket[160], victim[160], trace[160], why[128];
	struct stat st;
	long end;
	pid_t pid;

	if (!sb_test_strace_usable(why, sizeof(why)))
		SB_SKIP("%s: the test holds bind() open with strace's fault injection", why);
	site_make(&s);
	snprintf(dir, sizeof(dir), "%s/run", s.dir);
	make_dir(dir, 0755, 0);
	snprintf(socket, sizeof(socket), "%s/sock", dir);
	snprintf(victim, sizeof(victim), "%s/secret", dir);
	snprintf(trace, sizeof(trace), "%s/trace", s.dir);
	write_file(victim, "root's alone\n", 0600);

	pid = spawn_daemon(&s, socket, trace, strace_opts);
	/* The file exists once bind() made it; bind() has not returned. */
	end = sb_test_now_ms() + 10000;
	while (lstat(socket, &st) < 0) {
		ck_assert_msg(sb_test_now_ms() < end, "no socket at %s, see %s", socket, s.log);
		ck_assert_msg(waitpid(pid, NULL, WNOHANG) == 0, "sockbrokerd exited, see %s",
			      s.log);
		sb_test_sleep_ms(1);
	}
	ck_assert_int_eq(unlink(socket), 0);
	ck_assert_int_eq(symlink(victim, socket), 0);
	ck_assert_msg(sb_test_log_wait(s.log, "serving on", 10000), "not serving, see %s", s.log);
	ck_assert_int_eq(stat(victim, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0600, "%s was made mode %o through the link", victim,
		      (unsigned)(st.st_mode & 07777));
	stop_daemon(pid);
	ck_assert(sb_test_trace_complete(trace, pid, 5000));
	/* The swap was made while bind() was held, and nothing was changed
	 * by name (chmod, or fchmodat relative to a directory). */
	ck_assert_msg(sb_test_log_wait(trace, " = 0 (DELAYED)", 0), "bind() not held, see %s",
		      trace);
	ck_assert_msg(!sb_test_log_wait(trace, "chmod", 0), "a mode set by path, see %s", trace);
	site_remove(&s);
}
END_TEST

/* A second daemon on the path of a live one refuses to start, and the
 * first keeps its socket; once it is gone, its socket file is stale and a
 * new daemon replaces it. */
START_TEST(a_live_daemons_socket_is_not_taken_over)
{
	struct site s;
	char socket[160];
	struct stat before, after;
	pid_t first, second;

	SB_NEED_ROOT();
	site_make(&s);
	snprintf(socket, sizeof(socket), "%s/sock", s.dir);
	first = spawn_daemon(&s, socket, NULL, NULL);
	wait_serving(first, &s, socket);
	ck_assert_int_eq(stat(socket, &before), 0);
	ck_assert_msg(exit_within(spawn_daemon(&s, socket, NULL, NULL), 5000) == 1,
		      "a second sockbrokerd started on %s, see %s", socket, s.log);
	ck_assert(sb_test_log_wait(s.log, "another daemon is listening on it", 1000));
	ck_assert_int_eq(stat(socket, &after), 0);
	ck_assert_int_eq(before.st_ino, after.st_ino);
	ck_assert(answers(socket));
	/* Killed, it leaves its socket file behind: stale, replaced. */
	ck_assert_int_eq(kill(first, SIGKILL), 0);
	ck_assert_int_eq(waitpid(first, NULL, 0), first);
	second = spawn_daemon(&s, socket, NULL, NULL);
	wait_serving(second, &s, socket);
	stop_daemon(second);
	site_remove(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("listen");

	if (!sb_test_is_root())
		sb_test_skip_all(
			"needs root to start sockbrokerd and to make directories of nobody");
	SB_TEST(s, a_directory_another_user_owns_is_refused);
	SB_TEST(s, a_directory_others_can_write_is_refused);
	SB_TEST(s, the_socket_is_0666_whatever_the_umask);
	SB_TEST(s, the_mode_is_not_set_through_the_path);
	SB_TEST(s, a_live_daemons_socket_is_not_taken_over);
	return sb_test_run(s);
}
