/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Soak: 64 unprivileged clients each make 5,000 calls of every kind
 * (granted, denied, malformed) against the real daemon. Afterwards the
 * daemon must hold exactly the descriptors it held before and its RSS
 * may have grown by less than 1 MiB. One "# soak:" line reports the
 * figures. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/testlib.h"

#define CLIENTS 64
#define CALLS 5000
#define WARMUP_CALLS 300
#define RSS_GROWTH_MAX_KIB 1024
/* Half the per-uid connection limit, each holding one at a time. */
#define CHURN_CLIENTS 32
#define CHURN_CALLS 300

static const char policy_text[] =
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_DGRAM,SOCK_STREAM\n"
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n";

static struct sb_test_daemon daemon_;

/* The mix, one entry per call in a round of ten: what to send, how many
 * descriptors to attach, the error expected (NULL: success), and whether
 * the daemon hangs up after it. */
struct kind {
	const char *json;
	size_t n_fds;
	const char *error;
	bool hangs_up;
};

static const struct kind mix[] = {
	{"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\","
	 "\"type\":\"SOCK_DGRAM\"}}",
	 0, NULL, false},
	{"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET6\","
	 "\"type\":\"SOCK_STREAM\",\"flags\":[\"SOCK_NONBLOCK\"]}}",
	 0, NULL, false},
	{"{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
	 "\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":300}}",
	 1, NULL, false},
	{"{\"method\":\"org.sockbroker.Info\"}", 0, NULL, false},
	{"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_PACKET\","
	 "\"type\":\"SOCK_RAW\"}}",
	 0, SB_ERR_PERMISSION_DENIED, false},
	{"{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
	 "\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":7}}",
	 1, SB_ERR_PERMISSION_DENIED, false},
	{"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\","
	 "\"type\":\"SOCK_DGRAM\",\"bogus\":1}}",
	 0, SB_ERR_INVALID_PARAMETER, false},
	{"{\"method\":\"org.sockbroker.Info\"}", 2, SB_ERR_BAD_DESCRIPTOR, false},
	{"{\"method\":\"org.sockbroker.Nope\"}", 0, SB_ERR_METHOD_NOT_FOUND, false},
	{"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":", 0, SB_ERR_PROTOCOL,
	 true},
};

/* n calls of the mix on one connection (a new one after a hang-up). */
static int child_calls(void *arg)
{
	int n = *(int *)arg, conn = sb_test_connect(daemon_.socket);
	int own = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int fds[2] = {own, own};

	REQUIRE(conn >= 0 && own >= 0);
	for (int i = 0; i < n; i++) {
		const struct kind *k = &mix[(i + getpid()) % ELEMENTSOF(mix)];
		_cleanup_free_ char *text = NULL;
		struct sb_reply reply;
		struct sb_error err;
		int fd = -1;

		REQUIRE(sb_test_call_raw(conn, k->json, fds, k->n_fds, &text, &fd) == 0);
		REQUIRE(sb_reply_parse(text, strlen(text), &reply, &err) == 0);
		if (k->error) {
			if (!reply.error || strcmp(reply.error, k->error) != 0)
				fprintf(stderr, "%s: got %s\n", k->json, text);
			REQUIRE(reply.error && strcmp(reply.error, k->error) == 0);
			REQUIRE(fd < 0);
		} else {
			if (reply.error)
				fprintf(stderr, "%s: got %s\n", k->json, text);
			REQUIRE(!reply.error);
		}
		sb_reply_done(&reply);
		safe_close(fd);
		if (k->hangs_up) {
			close(conn);
			conn = sb_test_connect(daemon_.socket);
			REQUIRE(conn >= 0);
		}
	}
	close(conn);
	close(own);
	return 0;
}

static void run_clients(int calls)
{
	pid_t pids[CLIENTS];

	for (int i = 0; i < CLIENTS; i++)
		pids[i] = sb_test_fork_as_nobody(child_calls, &calls);
	for (int i = 0; i < CLIENTS; i++) {
		int status;

		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "client %d failed (status 0x%x)", i, status);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(soak_64_clients_5000_mixed_calls)
{
	int fds_before, fds_after;
	long rss_before, rss_after;
	double t0, secs;

	/* Let allocator caches and tables reach their working size first. */
	run_clients(WARMUP_CALLS);
	fds_before = sb_test_daemon_quiet_fds(&daemon_);
	rss_before = sb_test_rss_kib(daemon_.pid);

	t0 = now_s();
	run_clients(CALLS);
	secs = now_s() - t0;

	/* The daemon closes what clients closed a moment later. */
	fds_after = sb_test_wait_fds(daemon_.pid, fds_before, 10000);
	rss_after = sb_test_rss_kib(daemon_.pid);
	printf("# soak: %d clients x %d calls (granted, denied, malformed) in %.1f s, %.0f calls/s; "
	       "daemon fds %d -> %d; RSS %ld -> %ld KiB (%+ld KiB%s)\n",
	       CLIENTS, CALLS, secs, CLIENTS * CALLS / secs, fds_before, fds_after, rss_before,
	       rss_after, rss_after - rss_before,
	       SB_TEST_RSS_CHECKED ? "" : ", not checked under AddressSanitizer");
	fflush(stdout);
	ck_assert_int_eq(fds_after, fds_before);
	ck_assert_int_gt(rss_before, 0);
	if (SB_TEST_RSS_CHECKED)
		ck_assert_int_lt(rss_after - rss_before, RSS_GROWTH_MAX_KIB);
}
END_TEST

/* One connection at a time, each for one short call: a valid one, a
 * broken one (the daemon hangs up after its error), or half a call and
 * a close. A refusal at accept is a connection closed before any reply. */
static int child_churn(void *arg)
{
	for (int i = 0; i < CHURN_CALLS; i++) {
		_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
		_cleanup_free_ char *text = NULL;

		REQUIRE(conn >= 0);
		switch (i % 4 < 2 ? i % 4 : 2) {
		case 0:
			REQUIRE(sb_test_call_raw(conn, "{\"method\":\"org.sockbroker.Info\"}", NULL,
						 0, &text, NULL) == 0);
			REQUIRE(!strstr(text, "\"error\""));
			break;
		case 1:
			REQUIRE(sb_test_call_raw(conn, "{\"method\":", NULL, 0, &text, NULL) == 0);
			REQUIRE(strstr(text, SB_ERR_PROTOCOL));
			break;
		default:
			REQUIRE(send(conn, "{\"meth", 6, MSG_NOSIGNAL) == 6);
			break;
		}
	}
	return 0;
}

/* A uid that never holds more connections than its limit is never
 * refused, however fast it connects and hangs up: the daemon counts a
 * connection until it has read the hang-up, so before refusing one it
 * serves the hang-ups of that uid that are waiting. */
START_TEST(churn_below_the_per_uid_limit_is_never_refused)
{
	pid_t pids[CHURN_CLIENTS];

	for (int i = 0; i < CHURN_CLIENTS; i++)
		pids[i] = sb_test_fork_as_nobody(child_churn, NULL);
	/* Hang-ups pile up unread in the daemon's backlog while it is held,
	 * as on a busy machine, and are accepted 64 at a time after. */
	for (int i = 0; i < 10; i++) {
		sb_test_sleep_ms(20);
		ck_assert(sb_test_stop(daemon_.pid, 1000));
		sb_test_sleep_ms(50);
		ck_assert_int_eq(kill(daemon_.pid, SIGCONT), 0);
	}
	for (int i = 0; i < CHURN_CLIENTS; i++)
		ck_assert_int_eq(sb_test_wait_exit(pids[i]), 0);
	ck_assert(!sb_test_log_wait(daemon_.log, "per-uid connection limit", 0));
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
	Suite *s = suite_create("soak");

	sb_test_hermetic();

	if (!sb_test_is_root())
		sb_test_skip_all(
			"the soak test needs root (to start sockbrokerd and drop to nobody)");
	sb_test_add(s, "soak_64_clients_5000_mixed_calls", soak_64_clients_5000_mixed_calls, start,
		    stop, 600);
	sb_test_add(s, "churn_below_the_per_uid_limit_is_never_refused",
		    churn_below_the_per_uid_limit_is_never_refused, start, stop, 120);
	return sb_test_run(s);
}
