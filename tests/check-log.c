/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's log records (daemon/log.h): held for a moment and written
 * together, within 20 ms even when nothing else happens; whole lines
 * through a pipe that is full now and then; and, with JOURNAL_STREAM
 * naming its stderr, sent to journald's socket with their fields (a
 * socket of our own stands in for journald; where a real one runs, that
 * test skips). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "proto/compact-socket.h"
#include "tests/call.h"
#include "tests/harness.h"

#define JOURNAL_DIR "/run/systemd/journal"
#define JOURNAL_SOCKET JOURNAL_DIR "/socket"

static const char policy_text[] = "allow user:nobody socket family=AF_INET type=SOCK_DGRAM\n";

static struct sb_test_daemon daemon_;

static bool made_dir;

/* Removed at exit too: a failed assertion ends the test process. */
static void journal_cleanup(void)
{
	unlink(JOURNAL_SOCKET);
	if (made_dir)
		rmdir(JOURNAL_DIR);
	made_dir = false;
}

/* Is a journald listening there? A socket left by a test that crashed
 * refuses datagrams and is taken over. */
static bool journal_runs(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r, err;

	ck_assert_int_ge(fd, 0);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	close(fd);
	if (r == 0)
		return true;
	if (err == ECONNREFUSED)
		unlink(JOURNAL_SOCKET);
	return err != ECONNREFUSED && err != ENOENT;
}

/* journald's end: a datagram socket at its path, removed at the end. */
static int journal_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET};
	int fd, size = 4 << 20;

	made_dir = mkdir(JOURNAL_DIR, 0755) == 0;
	atexit(journal_cleanup);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(chmod(JOURNAL_SOCKET, 0666), 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	return fd;
}

/* The value of field name in a record of the journal's native protocol
 * ("NAME=value" lines), copied to value; whether it is there. */
static bool record_field(const char *record, const char *name, char *value, size_t size)
{
	size_t n = strlen(name);

	for (const char *p = record; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			snprintf(value, size, "%.*s", (int)(len - n - 1), p + n + 1);
			return true;
		}
	}
	return false;
}

/* One compact Socket call on a fresh connection: 0 when it was answered,
 * with a socket when must_grant. */
static int compact_call(const struct sb_compact_socket *call, bool must_grant)
{
	char text[SB_COMPACT_SOCKET_MAX], *reply = NULL;
	int conn = sb_test_connect(daemon_.socket), fd = -1, r = 0;

	if (conn < 0 || sb_compact_socket_call_format(text, sizeof(text), call) < 0 ||
	    sb_test_call_raw(conn, text, NULL, 0, &reply, &fd) < 0 || (must_grant && fd < 0))
		r = 10;
	free(reply);
	safe_close(fd);
	safe_close(conn);
	return r;
}

static int child_calls(void *arg)
{
	static const struct sb_compact_socket calls[] = {
		{AF_INET, SOCK_DGRAM, 0, 0},
		{AF_INET6, SOCK_DGRAM, 0, 0},
		{AF_INET, SOCK_DGRAM, SOCK_CLOEXEC, 0},
	};

	for (size_t i = 0; i < ELEMENTSOF(calls); i++)
		if (compact_call(&calls[i], false) != 0)
			return 10;
	return 0;
}

START_TEST(decisions_reach_the_journal_with_their_fields)
{
	static const struct sb_test_daemon_opts opts = {.journal = true};
	/* Protocol 0 is decided on, then the kernel's choice for it. */
	static const char *const expect[][3] = {
		{"allow", "AF_INET/SOCK_DGRAM/0", "6"},
		{"allow", "AF_INET/SOCK_DGRAM/IPPROTO_UDP", "6"},
		{"deny", "AF_INET6/SOCK_DGRAM/0", "5"},
		{"allow", "AF_INET/SOCK_DGRAM/0", "6"},
		{"allow", "AF_INET/SOCK_DGRAM/IPPROTO_UDP", "6"},
	};
	struct pollfd p;
	size_t seen = 0;
	pid_t child;
	int jfd;

	SB_NEED_ROOT();
	if (journal_runs())
		SB_SKIP("a journald listens on %s; the test needs its place", JOURNAL_SOCKET);
	jfd = journal_open();
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	/* Read while the client calls: a datagram socket holds only a few
	 * (net.unix.max_dgram_qlen), and the daemon waits for room. */
	child = sb_test_fork_as_nobody(child_calls, NULL);

	p = (struct pollfd){.fd = jfd, .events = POLLIN};
	while (seen < ELEMENTSOF(expect) && poll(&p, 1, 3000) == 1) {
		char record[8192], v[512];
		ssize_t n = recv(jfd, record, sizeof(record) - 1, 0);

		ck_assert_int_gt(n, 0);
		record[n] = 0;
		if (!record_field(record, "DECISION", v, sizeof(v)))
			continue; /* start-up messages */
		ck_assert_str_eq(v, expect[seen][0]);
		ck_assert(record_field(record, "REQUEST", v, sizeof(v)));
		ck_assert_str_eq(v, expect[seen][1]);
		ck_assert(record_field(record, "PRIORITY", v, sizeof(v)));
		ck_assert_str_eq(v, expect[seen][2]);
		ck_assert(record_field(record, "CLIENT_UID", v, sizeof(v)));
		ck_assert_str_eq(v, "65534");
		ck_assert(record_field(record, "METHOD", v, sizeof(v)));
		ck_assert_str_eq(v, "socket");
		ck_assert(record_field(record, "RULE", v, sizeof(v)));
		ck_assert(record_field(record, "CLIENT_COMM", v, sizeof(v)));
		ck_assert(record_field(record, "MESSAGE", v, sizeof(v)));
		ck_assert_msg(strncmp(v, expect[seen][0], strlen(expect[seen][0])) == 0, "%s", v);
		ck_assert(record_field(record, "SYSLOG_IDENTIFIER", v, sizeof(v)));
		ck_assert_str_eq(v, "sockbrokerd");
		/* The logger's own source line would say nothing. */
		ck_assert(!record_field(record, "CODE_FILE", v, sizeof(v)));
		seen++;
	}
	ck_assert_uint_eq(seen, ELEMENTSOF(expect));
	ck_assert_int_eq(sb_test_wait_exit(child), 0);
	sb_test_daemon_stop(&daemon_);
	close(jfd);
	journal_cleanup();
}
END_TEST

static const struct sb_compact_socket udp = {AF_INET, SOCK_DGRAM, 0, 0};

static int child_one_call(void *arg)
{
	return compact_call(&udp, true);
}

/* An idle daemon writes a held record when its 20 ms are up: sd-event's
 * default timer accuracy would let that slip by up to 250 ms. A loaded
 * machine can delay any one record too, so two of eight may be late:
 * with the default accuracy about two in three would be. */
START_TEST(held_records_are_written_within_20_ms)
{
	int late = 0;

	SB_NEED_ROOT();
	sb_test_daemon_start(&daemon_, policy_text, NULL);
	for (int i = 0; i < 8; i++) {
		long t0, waited;

		ck_assert_int_eq(sb_test_run_as_nobody(child_one_call, NULL), 0);
		t0 = sb_test_now_ms();
		/* The call's last decision is on the kernel's protocol. */
		ck_assert(sb_test_log_wait(daemon_.log, "IPPROTO_UDP", 2000));
		waited = sb_test_now_ms() - t0;
		if (waited >= 100) {
			printf("# a record came after %ld ms\n", waited);
			late++;
		}
		/* The next call's record must be new: start on a fresh log. */
		ck_assert_int_eq(truncate(daemon_.log, 0), 0);
	}
	ck_assert_int_le(late, 2);
	sb_test_daemon_stop(&daemon_);
}
END_TEST

static int child_many_calls(void *arg)
{
	for (int i = 0; i < *(int *)arg; i++)
		if (compact_call(&udp, true) != 0)
			return 10;
	return 0;
}

/* stderr a non-blocking pipe that fills up: what it does not take is
 * written later, whole lines only, in order. */
START_TEST(records_through_a_full_pipe_stay_whole)
{
	static char buf[1 << 20];
	struct sb_test_daemon_opts opts = {0};
	int pipefd[2], calls = 300, lines = 0;
	size_t got = 0;
	ssize_t n;

	SB_NEED_ROOT();
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_ge(fcntl(pipefd[0], F_SETPIPE_SZ, 4096), 4096);
	opts.stderr_fd = pipefd[1];
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	close(pipefd[1]);
	/* Nobody reads while the calls are made: the pipe fills. */
	ck_assert_int_eq(sb_test_run_as_nobody(child_many_calls, &calls), 0);
	/* Read until the daemon has written all it held: a whole last line
	 * and nothing more for 300 ms (it writes the rest every 20 ms). */
	for (long end = sb_test_now_ms() + 10000, last = sb_test_now_ms();
	     sb_test_now_ms() < end &&
	     (got == 0 || buf[got - 1] != '\n' || sb_test_now_ms() - last < 300);) {
		n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got);
		if (n > 0) {
			got += (size_t)n;
			last = sb_test_now_ms();
		} else {
			sb_test_sleep_ms(10);
		}
	}
	buf[got] = 0;
	for (char *line = buf; *line; lines++) {
		char *nl = strchr(line, '\n');

		ck_assert_msg(nl, "a cut line at the end: %s", line);
		ck_assert_msg(strncmp(line, "sockbrokerd: ", 13) == 0, "not a whole line: %.*s",
			      (int)(nl - line), line);
		ck_assert_msg(!memmem(line + 13, (size_t)(nl - line) - 13, "sockbrokerd: ", 13),
			      "two lines in one: %.*s", (int)(nl - line), line);
		line = nl + 1;
	}
	/* Far more than the pipe holds: the held rest was written later
	 * (the pipe, 4 KiB, and the held buffer, 16 KiB, take about 150). */
	ck_assert_int_gt(lines, 100);
	sb_test_daemon_stop(&daemon_);
	close(pipefd[0]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");

	sb_test_hermetic();

	SB_TEST(s, held_records_are_written_within_20_ms);
	SB_TEST(s, records_through_a_full_pipe_stay_whole);
	SB_TEST(s, decisions_reach_the_journal_with_their_fields);
	return sb_test_run(s);
}
