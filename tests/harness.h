/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration test support: run the real sockbrokerd from the build tree
 * on a private socket, and run clients as an unprivileged user. */
#pragma once

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "tests/testlib.h"

#define SB_TEST_NOBODY 65534

struct sb_test_daemon {
	pid_t pid;
	char dir[64]; /* private directory: socket, policy, log */
	char socket[128];
	char policy[128];
	char log[128];
	/* The daemon's subuid(5) and subgid(5) files, not the machine's. */
	char subuid[128];
	char subgid[128];
	/* Socket activation (see sb_test_daemon_opts): the listening socket
	 * the test holds like systemd does, and what a restart reuses. */
	bool activated;
	int listen_fd;
	rlim_t max_fds;
	const char *const *extra_args;
	bool journal;
	int stderr_fd;
	bool unit_capabilities;
	const char *trace;
	const char *const *strace_opts;
};

/* Optional ways to start the daemon; a zeroed struct is the default. */
struct sb_test_daemon_opts {
	/* RLIMIT_NOFILE (soft and hard) of the daemon; 0 inherits ours. */
	rlim_t max_fds;
	/* Bind d->socket here and pass it as LISTEN_FDS=1, as systemd's
	 * socket activation does, instead of letting the daemon listen. */
	bool socket_activation;
	/* Tell the daemon its stderr is journald's (JOURNAL_STREAM names the
	 * log file), so it logs to /run/systemd/journal/socket. */
	bool journal;
	/* Greater than 0: the daemon's stderr, instead of the log file. */
	int stderr_fd;
	/* Without CAP_SYS_ADMIN and CAP_SYS_RESOURCE, as the unit runs it:
	 * either exempts it from the kernel's limit on the sockets it has
	 * in flight (RLIMIT_NOFILE). */
	bool unit_capabilities;
	/* Set: run the daemon under strace, which writes the calls that
	 * strace_opts select to this file (tests/trace.h); the daemon keeps
	 * its pid. trace and strace_opts must stay valid as extra_args. */
	const char *trace;
	const char *const *strace_opts;
	/* The lines of the daemon's subuid(5) and subgid(5) files (NULL:
	 * none); a reload reads them again. */
	const char *subuid_text;
	const char *subgid_text;
};

/* Move this test program into a network namespace of its own with its
 * loopback up, so that what it binds and sends neither meets nor
 * disturbs anything on the machine's ports. Call at the start of main(),
 * as root; false (nothing changed) when the kernel refuses. */
bool sb_test_private_netns(void);

/* What every end-to-end suite does first: as root, move into a network
 * namespace of its own (above), so that the suites can run side by side
 * and beside servers on the machine's ports. Not in the test VM, which is
 * private already and whose vcan0 must stay in reach; nothing when the
 * kernel refuses (the suite then runs where it is). */
void sb_test_hermetic(void);

/* Is this process root with the capabilities the daemon needs? */
bool sb_test_is_root(void);
/* In a test that starts the daemon: skip it unless we are root. */
#define SB_NEED_ROOT()                                                                 \
	do {                                                                           \
		if (!sb_test_is_root())                                                \
			SB_SKIP("needs root to run sockbrokerd and to become nobody"); \
	} while (0)

/* Write policy_text to the policy file and start the daemon on a fresh
 * socket; returns once the socket accepts. extra_args (NULL-terminated,
 * may be NULL) are appended to the command line. Fails the test on error. */
void sb_test_daemon_start(struct sb_test_daemon *d, const char *policy_text,
			  const char *const *extra_args);
/* Same, with options (NULL: the defaults). extra_args must stay valid
 * until the daemon is stopped when restarts are used. */
void sb_test_daemon_start_opts(struct sb_test_daemon *d, const char *policy_text,
			       const char *const *extra_args,
			       const struct sb_test_daemon_opts *opts);
/* Socket activation only: SIGTERM the daemon, wait for its exit, and start
 * a new one on the same listening socket; connections made meanwhile wait
 * in its backlog. Returns once the new daemon answers. */
void sb_test_daemon_restart(struct sb_test_daemon *d);
/* The two halves of a restart: SIGTERM and wait for a clean exit (the
 * listening socket stays with the test), and start a new daemon on it. */
void sb_test_daemon_terminate(struct sb_test_daemon *d);
void sb_test_daemon_respawn(struct sb_test_daemon *d);
/* Replace the policy file and send SIGHUP; returns once the daemon has
 * answered a request after the reload. */
void sb_test_daemon_reload(struct sb_test_daemon *d, const char *policy_text);
/* SIGTERM, wait, and assert a clean exit (status 0). */
void sb_test_daemon_stop(struct sb_test_daemon *d);
/* SIGKILL d's daemon should this process exit while it runs: a failed
 * ck_assert ends the test process with exit(), and a daemon left behind
 * would outlive the test. */
void sb_test_daemon_kill_at_exit(struct sb_test_daemon *d);
/* For the tests of libsockbroker: start the daemon, killed at exit as
 * above, and point the library at it (SOCKBROKER_SOCKET). */
void sb_test_daemon_start_for_library(struct sb_test_daemon *d, const char *policy_text);
/* In a forked child about to exec a server: stdout and stderr go to log,
 * opened with log_flags added (O_APPEND or O_TRUNC), and none of the
 * service manager's environment (sd_notify, socket activation, journal)
 * that the test itself may have reaches the server. */
void sb_test_prepare_server_exec(const char *log, int log_flags);

/* A copy of the build tree's file name (relative to top_builddir) for
 * nobody to run: the build tree may sit below a directory only root may
 * enter (a checkout in a mode 0700 temporary directory). The copy is in a
 * directory of this process's own (mode 0755, removed at exit) under the
 * file's base name, with mode; its path goes to path. */
void sb_test_stage(const char *name, mode_t mode, char *path, size_t size);
/* That directory (staged files beside each other find one another). */
const char *sb_test_stage_dir(void);

/* Descriptors a process holds now (from /proc). */
int sb_test_count_fds(pid_t pid);
/* count(arg) once it stops changing: sampled every interval_ms until
 * repeats samples in a row equal the one before them, for at most max_ms
 * (then the last sample). The daemon learns of closed connections
 * asynchronously: its descriptor count settles, it does not jump. */
int sb_test_settle(int (*count)(void *arg), void *arg, long interval_ms, int repeats, long max_ms);
/* The same for pid's descriptor count. */
int sb_test_settled_fds(pid_t pid, long interval_ms, int repeats, long max_ms);
/* Poll pid's descriptor count until it is want, for at most max_ms;
 * returns the last count. The daemon closes a client's connection when
 * it reads its EOF: wait for the count instead of sampling a moment. */
int sb_test_wait_fds(pid_t pid, int want, long max_ms);
/* Connections of d's daemon that are open on its side: accepted, or
 * waiting to be, and not yet closed (from /proc/net/unix, where they
 * carry the path of the listening socket), or -errno. Usable in a
 * child (no ck_assert: Check reports even a passing one on its pipe). */
int sb_test_daemon_connections(const struct sb_test_daemon *d);
/* Poll that for at most max_ms until it is 0; returns the last count
 * (usable in a child too). */
int sb_test_daemon_wait_connections_gone(const struct sb_test_daemon *d, long max_ms);
/* d's daemon's descriptor count at rest, for a test to compare with
 * later: once it has closed every connection (the start-up probe's
 * too; it closes them on a closing thread, a moment after the client)
 * and the count has settled. */
int sb_test_daemon_quiet_fds(const struct sb_test_daemon *d);
/* Wait until the file at path (a daemon's log) contains needle, for at
 * most max_ms: the daemon holds log records for a moment (daemon/log.h).
 * Whether it does. */
bool sb_test_log_wait(const char *path, const char *needle, long max_ms);
/* "FSUID FSGID" of process pid (from /proc), in a static buffer. */
const char *sb_test_fs_ids(pid_t pid);
/* Daemon's resident set size in KiB (from /proc). */
long sb_test_rss_kib(pid_t pid);
/* Whether the tests run under AddressSanitizer (scripts/test builds a
 * sanitized tree). */
#if defined(__SANITIZE_ADDRESS__)
#define SB_TEST_ASAN true
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_TEST_ASAN true
#endif
#endif
#ifndef SB_TEST_ASAN
#define SB_TEST_ASAN false
#endif
/* Whether sb_test_rss_kib() says anything about the daemon's memory. Not
 * under AddressSanitizer: freed memory waits in a quarantine of up to
 * 256 MiB there, and LeakSanitizer checks the daemon's exit instead. */
#define SB_TEST_RSS_CHECKED (!SB_TEST_ASAN)
/* The number of threads of process pid (from /proc), or -1. */
long sb_test_threads(pid_t pid);
/* SIGSTOP process pid and wait until the kernel has stopped it: kill()
 * returns before the signal takes effect, and a daemon still running
 * would read what the test queues for it meanwhile. False if it is not
 * stopped within max_ms. */
bool sb_test_stop(pid_t pid, long max_ms);

/* In the calling process: drop every group, become uid/gid 65534 with no
 * capabilities and no_new_privs, as setpriv --reuid=65534 --regid=65534
 * --clear-groups --inh-caps=-all --bounding-set=-all does. */
void sb_test_become_nobody(void);
/* In a child: become nobody (as above), or any other uid with its gid
 * the same and no groups; exits 126 when that fails. */
void sb_test_become(uid_t uid);
/* Children report to the test on this descriptor ("ready", counts). */
#define SB_TEST_REPORT_FD 4
/* Start fn as uid in the background. Its stdin is a pipe whose write end
 * goes to *release (closing it tells the child to finish); what it writes
 * to SB_TEST_REPORT_FD can be read from *report. Either may be NULL. */
pid_t sb_test_spawn_as(uid_t uid, int (*fn)(void *), void *arg, int *release, int *report);
/* Fork a child that becomes uid (sb_test_become), keeping every
 * descriptor, and exits with fn(arg). */
pid_t sb_test_fork_as(uid_t uid, int (*fn)(void *arg), void *arg);
/* The same, waited for: its exit status, as sb_test_wait_exit gives it. */
int sb_test_run_as(uid_t uid, int (*fn)(void *arg), void *arg);
/* Fork a child that becomes nobody and exits with fn(arg). */
pid_t sb_test_fork_as_nobody(int (*fn)(void *arg), void *arg);
/* Wait for child pid: its exit status, 128 + signal when killed, -1 when
 * it cannot be waited for. Does not assert: usable in a child too. */
int sb_test_wait_exit(pid_t pid);
/* Run fn(arg) in a child that became nobody; return its exit status
 * (as sb_test_wait_exit). The child's stderr is the test's. */
int sb_test_run_as_nobody(int (*fn)(void *arg), void *arg);

/* Sleep for ms milliseconds; the monotonic clock in milliseconds. */
void sb_test_sleep_ms(long ms);
long sb_test_now_ms(void);
