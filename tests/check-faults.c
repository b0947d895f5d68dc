/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Faults around the real sockbrokerd: policy reloads under load, running
 * out of descriptors, and restarts under socket activation. In each, no
 * client request may fail because of the fault, or it must fail with a
 * precise error, and service must come back by itself. */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "proto/frame.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/testlib.h"

static const char policy_text[] =
	"# fault tests\n"
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_DGRAM,SOCK_STREAM\n"
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n"
	"allow user:root socket family=AF_INET type=SOCK_DGRAM\n";

/* The same permissions, written differently, plus a rule for others. */
static const char policy_text2[] =
	"allow user:nobody setsockopt option=SO_MARK value=256-511\n"
	"allow user:65534 socket family=AF_INET6,AF_INET type=SOCK_STREAM,SOCK_DGRAM\n"
	"deny user:65533 *\n"
	"allow user:0 socket family=AF_INET type=SOCK_DGRAM\n";

static const char broken_policy[] = "allow user:nobody socket family=AF_NOPE\n";

#define INFO "{\"method\":\"org.sockbroker.Info\"}"
#define UDP_SOCKET                                                                      \
	"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\"," \
	"\"type\":\"SOCK_DGRAM\"}}"

static struct sb_test_daemon daemon_;

/* A Socket call on conn that must give a UDP socket. */
static int udp_socket_on(int conn)
{
	struct sb_reply reply;
	int fd = -1, r;

	r = sb_test_call(conn, UDP_SOCKET, NULL, 0, &reply, &fd);
	if (r < 0) {
		fprintf(stderr, "Socket call failed: %s\n", strerror(-r));
		return r;
	}
	if (reply.error || fd < 0) {
		fprintf(stderr, "Socket call refused: %s: %s\n", reply.error ?: "?",
			reply.message ?: "no descriptor");
		sb_reply_done(&reply);
		safe_close(fd);
		return -EPROTO;
	}
	sb_reply_done(&reply);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ reload */

#define CLIENTS 64
#define CALLS_PER_CLIENT 300

static int child_busy_client(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);

	REQUIRE(conn >= 0);
	for (int i = 0; i < CALLS_PER_CLIENT; i++)
		REQUIRE(udp_socket_on(conn) == 0);
	return 0;
}

static void admin_reload(bool expect_ok)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct sb_reply reply;

	ck_assert_int_ge(conn, 0);
	ck_assert_int_eq(sb_test_call(conn, "{\"method\":\"org.sockbroker.admin.Reload\"}", NULL, 0,
				      &reply, NULL),
			 0);
	if (expect_ok)
		ck_assert_msg(!reply.error, "admin.Reload: %s", reply.message);
	else
		ck_assert_str_eq(reply.error, SB_ERR_INVALID_PARAMETER);
	sb_reply_done(&reply);
}

static void write_policy(const char *text)
{
	FILE *f = fopen(daemon_.policy, "we");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(policy_reload_with_64_active_clients)
{
	pid_t pids[CLIENTS];
	int running = CLIENTS, reloads = 0, status;

	for (int i = 0; i < CLIENTS; i++)
		pids[i] = sb_test_fork_as_nobody(child_busy_client, NULL);
	/* Reload, by signal and by admin call, with equivalent policies and
	 * now and then a broken one (which must change nothing), until every
	 * client is through. */
	while (running > 0) {
		switch (reloads++ % 4) {
		case 0:
			sb_test_daemon_reload(&daemon_, policy_text2);
			break;
		case 1:
			write_policy(policy_text);
			admin_reload(true);
			break;
		case 2:
			write_policy(broken_policy);
			admin_reload(false);
			break;
		default:
			sb_test_daemon_reload(&daemon_, broken_policy);
			break;
		}
		sb_test_sleep_ms(10);
		for (int i = 0; i < CLIENTS; i++) {
			if (pids[i] <= 0 || waitpid(pids[i], &status, WNOHANG) != pids[i])
				continue;
			ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				      "client %d failed (status 0x%x) after %d reloads", i, status,
				      reloads);
			pids[i] = 0;
			running--;
		}
	}
	printf("# %d clients x %d calls, %d policy reloads meanwhile\n", CLIENTS, CALLS_PER_CLIENT,
	       reloads);
	fflush(stdout);
	ck_assert_int_ge(reloads, 4);
}
END_TEST

/* ------------------------------------------------------------ EMFILE */

#define FD_LIMIT 48

/* Slots of the daemon's table in use: descriptors numbered below the
 * limit (one inherited from the environment may sit above it). */
static int used_slots(void *unused)
{
	char path[64];
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)daemon_.pid);
	dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	for (struct dirent *de; (de = readdir(dir));)
		if (de->d_name[0] != '.' && atoi(de->d_name) < FD_LIMIT)
			n++;
	closedir(dir);
	return n;
}

static int settled_slots(void)
{
	return sb_test_settle(used_slots, NULL, 30, 1, 3000);
}

/* The daemon closes a connection's descriptor on a closing thread, a
 * little after the client's close: wait until the table has come down
 * to `slots` in use. */
static void wait_for_slots(int slots)
{
	for (int i = 0; i < 300 && used_slots(NULL) > slots; i++)
		sb_test_sleep_ms(10);
	ck_assert_int_eq(settled_slots(), slots);
}

/* Connections (as root: no per-uid limit) until the daemon's table is
 * full; returns how many were opened into conns. Each is answered
 * before the next is made, so none waits in the backlog, holding no
 * slot, when the count is taken. */
static int fill_fd_table(int *conns, int max)
{
	struct sb_reply reply;
	int n = 0;

	while (used_slots(NULL) < FD_LIMIT && n < max) {
		conns[n] = sb_test_connect(daemon_.socket);
		ck_assert_int_ge(conns[n], 0);
		ck_assert_int_eq(sb_test_call(conns[n], INFO, NULL, 0, &reply, NULL), 0);
		ck_assert_ptr_null(reply.error);
		sb_reply_done(&reply);
		n++;
	}
	ck_assert_int_eq(settled_slots(), FD_LIMIT);
	return n;
}

/* A Socket call that must be answered: with a socket, or with a clean
 * SystemError EMFILE. Returns 1 for a socket, 0 for EMFILE. */
static int socket_or_emfile(int conn)
{
	struct sb_reply reply;
	int fd = -1, r;

	r = sb_test_call(conn, UDP_SOCKET, NULL, 0, &reply, &fd);
	ck_assert_msg(r == 0, "no reply to a Socket call near the descriptor limit: %s",
		      strerror(-r));
	if (!reply.error) {
		ck_assert_int_ge(fd, 0);
		close(fd);
		sb_reply_done(&reply);
		return 1;
	}
	ck_assert_str_eq(reply.error, SB_ERR_SYSTEM);
	ck_assert_int_eq(reply.errnum, EMFILE);
	ck_assert_int_lt(fd, 0);
	sb_reply_done(&reply);
	return 0;
}

START_TEST(emfile_fails_cleanly_and_recovers)
{
	const struct sb_test_daemon_opts opts = {.max_fds = FD_LIMIT};
	int conns[FD_LIMIT], n, baseline, waiting;
	struct sb_reply reply;
	struct pollfd p;

	sb_test_daemon_stop(&daemon_);
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	baseline = sb_test_daemon_quiet_fds(&daemon_);
	ck_assert_int_lt(baseline, FD_LIMIT - 8);

	/* Full: the kernel refuses socket(), the client hears why. */
	n = fill_fd_table(conns, FD_LIMIT);
	ck_assert_int_eq(socket_or_emfile(conns[0]), 0);
	/* Calls that need no descriptor still work. */
	ck_assert_int_eq(sb_test_call(conns[0], INFO, NULL, 0, &reply, NULL), 0);
	ck_assert_ptr_null(reply.error);
	sb_reply_done(&reply);

	/* One free: socket() succeeds, handing it over needs another. */
	close(conns[--n]);
	wait_for_slots(FD_LIMIT - 1);
	socket_or_emfile(conns[0]);
	ck_assert_int_eq(sb_test_call(conns[0], INFO, NULL, 0, &reply, NULL), 0);
	ck_assert_ptr_null(reply.error);
	sb_reply_done(&reply);

	/* Full again, and one more client waits in the backlog. The socket
	 * of a refused hand-over is closed on a closing thread. */
	wait_for_slots(FD_LIMIT - 1);
	n += fill_fd_table(conns + n, FD_LIMIT - n);
	waiting = sb_test_connect(daemon_.socket);
	ck_assert_int_ge(waiting, 0);
	ck_assert_int_eq(sb_send_message(waiting, INFO, strlen(INFO), NULL, 0), 0);
	p = (struct pollfd){.fd = waiting, .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 300), 0);

	/* Descriptors come free: the waiting client is served and sockets
	 * are handed out again, without any restart. */
	for (int i = 0; i < 8; i++)
		close(conns[--n]);
	{
		struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
		struct sb_frame f;
		int r = 0;

		/* The Info call sent while waiting is answered. */
		ck_assert_ptr_nonnull(d);
		while (sb_decoder_next(d, &f) == 0) {
			p = (struct pollfd){.fd = waiting, .events = POLLIN};
			ck_assert_int_eq(poll(&p, 1, 3000), 1);
			r = (int)sb_decoder_read(d, waiting, 0);
			ck_assert_int_gt(r, 0);
		}
		ck_assert_ptr_nonnull(strstr(f.data, "\"version\""));
		sb_frame_done(&f);
		sb_decoder_free(d);
	}
	/* Serving it took one slot; the daemon may not yet have closed
	 * all eight connections, however (see wait_for_slots()). */
	wait_for_slots(FD_LIMIT - 7);
	ck_assert_int_eq(socket_or_emfile(conns[0]), 1);
	close(waiting);
	while (n > 0)
		close(conns[--n]);
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline, 3000), baseline);
}
END_TEST

/* ------------------------------------------------------------ restart */

static int child_one_call(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);

	REQUIRE(conn >= 0);
	REQUIRE(udp_socket_on(conn) == 0);
	return 0;
}

START_TEST(connections_queued_while_down_are_served)
{
	const struct sb_test_daemon_opts opts = {.socket_activation = true};
	pid_t pids[32];

	sb_test_daemon_stop(&daemon_);
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	sb_test_daemon_terminate(&daemon_);
	/* Nobody listens: connections and calls wait in the backlog. */
	for (int i = 0; i < 32; i++)
		pids[i] = sb_test_fork_as_nobody(child_one_call, NULL);
	sb_test_sleep_ms(200);
	sb_test_daemon_respawn(&daemon_);
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(sb_test_wait_exit(pids[i]), 0);
}
END_TEST

static int child_call_loop(void *arg)
{
	long end = sb_test_now_ms() + *(int *)arg;
	int calls = 0;

	while (sb_test_now_ms() < end) {
		_cleanup_close_ int conn = sb_test_connect(daemon_.socket);

		REQUIRE(conn >= 0);
		REQUIRE(udp_socket_on(conn) == 0);
		calls++;
	}
	REQUIRE(calls > 0);
	return 0;
}

START_TEST(restarts_under_load_lose_no_connection)
{
	const struct sb_test_daemon_opts opts = {.socket_activation = true};
	int ms = 3000, restarts = 0;
	long end;
	pid_t pids[16];

	sb_test_daemon_stop(&daemon_);
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, &opts);
	for (int i = 0; i < 16; i++)
		pids[i] = sb_test_fork_as_nobody(child_call_loop, &ms);
	/* Restart again and again while the clients call. */
	end = sb_test_now_ms() + ms - 300;
	while (sb_test_now_ms() < end) {
		sb_test_sleep_ms(100);
		sb_test_daemon_restart(&daemon_);
		restarts++;
	}
	printf("# %d restarts under 16 busy clients\n", restarts);
	fflush(stdout);
	for (int i = 0; i < 16; i++)
		ck_assert_msg(sb_test_wait_exit(pids[i]) == 0,
			      "client %d lost a call across a restart", i);
}
END_TEST

static void start(void)
{
	sb_test_daemon_start(&daemon_, policy_text, NULL);
}

static void stop(void)
{
	sb_test_daemon_stop(&daemon_);
}

int main(void)
{
	Suite *s = suite_create("faults");

	sb_test_hermetic();

	if (!sb_test_is_root())
		sb_test_skip_all("fault tests need root (to start sockbrokerd and drop to nobody)");
	SB_TEST_FIXTURE(s, policy_reload_with_64_active_clients, start, stop);
	SB_TEST_FIXTURE(s, emfile_fails_cleanly_and_recovers, start, stop);
	SB_TEST_FIXTURE(s, connections_queued_while_down_are_served, start, stop);
	SB_TEST_FIXTURE(s, restarts_under_load_lose_no_connection, start, stop);
	return sb_test_run(s);
}
