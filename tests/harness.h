/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration test support: run the real sockbrokerd from the build tree
 * on a private socket, and run clients as an unprivileged user. */
#pragma once

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SB_TEST_NOBODY 65534

struct sb_test_daemon {
	pid_t pid;
	char dir[64];      /* private directory: socket, policy, log */
	char socket[128];
	char policy[128];
	char log[128];
	/* Socket activation (see sb_test_daemon_opts): the listening socket
	 * the test holds like systemd does, and what a restart reuses. */
	bool activated;
	int listen_fd;
	rlim_t max_fds;
	const char *const *extra_args;
};

/* Optional ways to start the daemon; a zeroed struct is the default. */
struct sb_test_daemon_opts {
	/* RLIMIT_NOFILE (soft and hard) of the daemon; 0 inherits ours. */
	rlim_t max_fds;
	/* Bind d->socket here and pass it as LISTEN_FDS=1, as systemd's
	 * socket activation does, instead of letting the daemon listen. */
	bool socket_activation;
};

/* Is this process root with the capabilities the daemon needs? */
bool sb_test_is_root(void);

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
