/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration test support: run the real sockbrokerd from the build tree
 * on a private socket, and run clients as an unprivileged user. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#define SB_TEST_NOBODY 65534

struct sb_test_daemon {
	pid_t pid;
	char dir[64];      /* private directory: socket, policy, log */
	char socket[128];
	char policy[128];
	char log[128];
};

/* Is this process root with the capabilities the daemon needs? */
bool sb_test_is_root(void);

/* Write policy_text to the policy file and start the daemon on a fresh
 * socket; returns once the socket accepts. extra_args (NULL-terminated,
 * may be NULL) are appended to the command line. Fails the test on error. */
void sb_test_daemon_start(struct sb_test_daemon *d, const char *policy_text,
			  const char *const *extra_args);
/* Replace the policy file and send SIGHUP; returns once the daemon has
 * answered a request after the reload. */
void sb_test_daemon_reload(struct sb_test_daemon *d, const char *policy_text);
/* SIGTERM, wait, and assert a clean exit (status 0). */
void sb_test_daemon_stop(struct sb_test_daemon *d);
/* Descriptors the daemon holds now (from /proc). */
int sb_test_count_fds(pid_t pid);
/* Daemon's resident set size in KiB (from /proc). */
long sb_test_rss_kib(pid_t pid);

/* In the calling process: drop every group, become uid/gid 65534 with no
 * capabilities and no_new_privs, as setpriv --reuid=65534 --regid=65534
 * --clear-groups --inh-caps=-all --bounding-set=-all does. */
void sb_test_become_nobody(void);
/* Run fn(arg) in a child that became nobody; return its exit status
 * (or 128 + signal). The child's stderr is the test's. */
int sb_test_run_as_nobody(int (*fn)(void *arg), void *arg);

/* Connect a raw AF_UNIX stream socket to path; -errno on failure. */
int sb_test_connect(const char *path);
/* Send one raw message (NUL appended) with fds and read one reply into a
 * malloc'ed string (*reply), receiving at most one fd into *fd_out (may
 * be NULL; -1 when none). 0 or -errno. */
int sb_test_call_raw(int conn, const char *json, const int *fds, size_t n_fds, char **reply,
		     int *fd_out);
