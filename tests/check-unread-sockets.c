/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sockets handed over and never received. A socket in a reply stays in
 * the kernel, charged to the daemon's user, until the client reads the
 * reply; past RLIMIT_NOFILE of them the kernel refuses every further
 * hand-over (ETOOMANYREFS) to a daemon without CAP_SYS_ADMIN and
 * CAP_SYS_RESOURCE, as the unit runs it. The attack: connections that
 * each ask for 15 sockets, shut down their side and never read: a
 * daemon that closed such a connection and forgot it would leave its
 * sockets charged to itself (docs/SECURITY.md). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/error.h"
#include "proto/frame.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/testlib.h"

#define OTHER_UID 65533
/* The daemon's descriptor limit: the kernel's limit on its sockets in
 * flight. The attack asks for more than that. */
#define DAEMON_MAX_FDS 1024
#define ATTACK_CONNECTIONS 100
#define CALLS_PER_CONNECTION 15
/* sockbrokerd's default share of one uid (docs/PROTOCOL.md, "Limits"). */
#define UNREAD_PER_UID 128

static const char policy_text[] = "allow user:nobody socket family=AF_INET type=SOCK_DGRAM\n"
				  "allow user:65533 socket family=AF_INET type=SOCK_DGRAM\n";

static struct sb_test_daemon daemon_;

struct tally {
	int connections; /* the daemon took the calls of */
	int sockets;	 /* received */
	int refused;	 /* LimitExceeded replies */
};

/* Read every reply on conn until the daemon's end is closed. */
static void read_all(int conn, struct tally *t)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f;
	bool any = false;

	for (;;) {
		int r = sb_decoder_next(d, &f);

		if (r < 0)
			break;
		if (r == 0) {
			if (sb_decoder_read(d, conn, MSG_CMSG_CLOEXEC) <= 0)
				break;
			continue;
		}
		any = true;
		t->sockets += (int)f.n_fds;
		if (strstr(f.data, SB_ERR_LIMIT_EXCEEDED))
			t->refused++;
		sb_frame_done(&f);
	}
	t->connections += any;
	sb_decoder_free(d);
}

/* Park sockets on connection after connection, report "ready", wait for
 * the release, then read everything and report the tally. */
static int child_park(void *arg)
{
	static int conns[ATTACK_CONNECTIONS];
	char calls[CALLS_PER_CONNECTION * sizeof(SB_TEST_CALL_UDP_SOCKET)];
	struct tally t = {0};
	char c;

	for (int i = 0; i < CALLS_PER_CONNECTION; i++)
		memcpy(calls + i * sizeof(SB_TEST_CALL_UDP_SOCKET), SB_TEST_CALL_UDP_SOCKET,
		       sizeof(SB_TEST_CALL_UDP_SOCKET));
	for (int i = 0; i < ATTACK_CONNECTIONS; i++) {
		conns[i] = sb_test_connect(daemon_.socket);
		if (conns[i] < 0)
			continue;
		/* Beyond the connection limit the daemon closes at accept. */
		(void)!send(conns[i], calls, sizeof(calls), MSG_NOSIGNAL);
		shutdown(conns[i], SHUT_WR);
		sb_test_sleep_ms(5);
	}
	/* Let the daemon answer the last ones. */
	sb_test_sleep_ms(500);
	REQUIRE(write(SB_TEST_REPORT_FD, "r", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 1);
	for (int i = 0; i < ATTACK_CONNECTIONS; i++)
		if (conns[i] >= 0)
			read_all(conns[i], &t);
	REQUIRE(write(SB_TEST_REPORT_FD, &t, sizeof(t)) == sizeof(t));
	/* Hold the sockets until told: the daemon's connections must end
	 * because they were read, not because this process went. */
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	return 0;
}

static int child_gets_socket(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct sb_reply reply;
	int fd = -1;

	REQUIRE(conn >= 0);
	REQUIRE(sb_test_call(conn, SB_TEST_CALL_UDP_SOCKET, NULL, 0, &reply, &fd) == 0);
	if (reply.error)
		fprintf(stderr, "another uid: %s: %s\n", reply.error, reply.message);
	REQUIRE(!reply.error);
	sb_reply_done(&reply);
	REQUIRE(fd >= 0);
	close(fd);
	return 0;
}

START_TEST(unread_sockets_are_bounded_per_uid)
{
	struct sb_test_daemon_opts opts = {.max_fds = DAEMON_MAX_FDS, .unit_capabilities = true};
	int release, report, baseline;
	struct tally t;
	pid_t pid;
	char c;

	SB_NEED_ROOT();
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	sb_test_daemon_kill_at_exit(&daemon_);
	baseline = sb_test_daemon_quiet_fds(&daemon_);

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_park, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	/* Another uid still gets its socket. */
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_gets_socket, NULL), 0);
	/* The daemon kept the connections whose sockets are unread. */
	ck_assert_int_gt(sb_test_daemon_connections(&daemon_), 0);

	ck_assert_int_eq(write(release, "x", 1), 1);
	ck_assert_int_eq(read(report, &t, sizeof(t)), (ssize_t)sizeof(t));
	printf("# %d connections answered: %d sockets received, %d calls refused\n", t.connections,
	       t.sockets, t.refused);
	fflush(stdout);
	ck_assert_int_le(t.sockets, UNREAD_PER_UID);
	ck_assert_int_gt(t.refused, 0);
	/* Received: the daemon lets the connections go, though the client
	 * still holds its ends. */
	ck_assert_int_eq(sb_test_daemon_wait_connections_gone(&daemon_, 5000), 0);
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline, 5000), baseline);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_gets_socket, NULL), 0);
	sb_test_daemon_stop(&daemon_);
}
END_TEST

/* The call gets an answer, LimitExceeded with ETOOMANYREFS, not a
 * connection closed without one. */
static int child_refused_hand_over(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct sb_reply reply;
	int fd = -1;

	REQUIRE(conn >= 0);
	REQUIRE(sb_test_call(conn, SB_TEST_CALL_UDP_SOCKET, NULL, 0, &reply, &fd) == 0);
	REQUIRE(reply.error && strcmp(reply.error, SB_ERR_LIMIT_EXCEEDED) == 0);
	REQUIRE(reply.errnum == ETOOMANYREFS);
	REQUIRE(fd < 0);
	sb_reply_done(&reply);
	return 0;
}

/* Another process of the daemon's user (root here) holds more sockets in
 * flight than the daemon's RLIMIT_NOFILE: the kernel refuses the
 * daemon's hand-over, and the daemon says so to the client and in its
 * log, instead of closing the connection after logging "allow". */
START_TEST(a_hand_over_the_kernel_refuses_is_answered_and_logged)
{
	struct sb_test_daemon_opts opts = {.max_fds = 64, .unit_capabilities = true};
	int sv[2], fds[200];

	SB_NEED_ROOT();
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	sb_test_daemon_kill_at_exit(&daemon_);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		fds[i] = sv[0];
	/* Root's own sends are exempt (CAP_SYS_ADMIN); they count all the
	 * same. */
	ck_assert_int_eq(sb_send_message(sv[0], "x", 1, fds, ELEMENTSOF(fds)), 0);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_refused_hand_over, NULL), 0);
	ck_assert(sb_test_log_wait(daemon_.log, "could not be handed over", 2000));
	/* Received (here: dropped with the pair), and served again. */
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_gets_socket, NULL), 0);
	sb_test_daemon_stop(&daemon_);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("unread-sockets");

	sb_test_hermetic();

	SB_TEST(s, unread_sockets_are_bounded_per_uid);
	SB_TEST(s, a_hand_over_the_kernel_refuses_is_answered_and_logged);
	return sb_test_run(s);
}
