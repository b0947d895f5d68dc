/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile clients against the real sockbrokerd. Each test attacks the
 * daemon the way an unprivileged local user could (as nobody), then
 * checks that the daemon is alive, still serves another client, and holds
 * exactly the descriptors it held before the attack. docs/SECURITY.md
 * lists these attacks and their outcomes. */
#include <fcntl.h>
#include <grp.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "proto/frame.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

static const char policy_text[] =
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_DGRAM,SOCK_STREAM\n"
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n"
	"allow user:nobody bind family=AF_INET port=80\n"
	"allow user:65533 socket family=AF_INET type=SOCK_DGRAM\n";

/* Another unprivileged uid, for "the daemon still serves others" while
 * nobody is at its per-uid limit. */
#define OTHER_UID 65533

static struct sb_test_daemon daemon_;
static int baseline_fds;

static void start_with(const struct sb_test_daemon_opts *opts)
{
	sb_test_daemon_start_opts(&daemon_, policy_text, NULL, opts);
	baseline_fds = sb_test_daemon_quiet_fds(&daemon_);
}

static void start(void)
{
	start_with(NULL);
}

static void stop(void)
{
	sb_test_daemon_stop(&daemon_);
}

/* sb_test_call_errno on this suite's daemon. */
static int call_errno(const char *json, const int *fds, size_t n_fds, const char *error)
{
	return sb_test_call_errno(daemon_.socket, json, fds, n_fds, error);
}

/* A brokered UDP socket really is one. */
static int check_udp_socket(void)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct sb_reply reply;
	int fd = -1, family = 0;
	socklen_t len = sizeof(family);

	REQUIRE(conn >= 0);
	REQUIRE(sb_test_call(conn, SB_TEST_CALL_UDP_SOCKET, NULL, 0, &reply, &fd) == 0);
	REQUIRE(!reply.error);
	sb_reply_done(&reply);
	REQUIRE(fd >= 0);
	REQUIRE(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) == 0 && family == AF_INET);
	close(fd);
	return 0;
}

static int child_served(void *arg)
{
	REQUIRE(call_errno(SB_TEST_CALL_INFO, NULL, 0, NULL) == 0);
	return check_udp_socket();
}

/* After every attack: alive, serving nobody, and no descriptor kept. */
static void assert_unharmed(void)
{
	ck_assert_int_eq(kill(daemon_.pid, 0), 0);
	/* First every connection of the attack is gone (nobody may have
	 * been at its connection limit), then nobody is served. */
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline_fds, 5000), baseline_fds);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_served, NULL), 0);
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline_fds, 5000), baseline_fds);
}

/* Write all of buf while reading what comes back, then shut down our
 * side and read to EOF. Returns what was received (malloc'ed), NULL on
 * failure. Usable in children (no ck_assert). */
static char *exchange(int conn, const void *buf, size_t len, size_t *got)
{
	size_t sent = 0, size = 1 << 16, n = 0;
	char *in = malloc(size);
	bool shut = false;

	if (!in || fcntl(conn, F_SETFL, O_NONBLOCK) < 0)
		goto fail;
	for (;;) {
		struct pollfd p = {.fd = conn, .events = POLLIN | (shut ? 0 : POLLOUT)};
		ssize_t k;

		if (poll(&p, 1, 10000) != 1)
			goto fail;
		if (p.revents & POLLOUT) {
			k = send(conn, (const char *)buf + sent, len - sent, MSG_NOSIGNAL);
			if (k > 0)
				sent += (size_t)k;
			else if (errno == EPIPE || errno == ECONNRESET)
				sent = len;
			if (sent == len) {
				shutdown(conn, SHUT_WR);
				shut = true;
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (n == size) {
				char *bigger = realloc(in, size * 2);

				if (!bigger)
					goto fail;
				in = bigger;
				size *= 2;
			}
			k = recv(conn, in + n, size - n, 0);
			if (k == 0 || (k < 0 && errno == ECONNRESET))
				break;
			if (k > 0)
				n += (size_t)k;
		}
	}
	*got = n;
	return in;
fail:
	free(in);
	return NULL;
}

/* Every NUL-terminated message in buf must be a well-formed error reply,
 * and the last one must mention expect_last (if not NULL). Returns how
 * many there were, or -1 (with the reason on stderr). */
static long count_error_replies(const char *buf, size_t len, const char *expect_last)
{
	long count = 0;
	bool last_ok = false;

	for (size_t off = 0; off < len;) {
		const char *msg = buf + off;
		const char *nul = memchr(msg, 0, len - off);
		struct sb_error err;
		struct sb_reply reply;

		if (!nul) {
			fprintf(stderr, "reply without NUL at offset %zu\n", off);
			return -1;
		}
		if (sb_reply_parse(msg, (size_t)(nul - msg), &reply, &err) < 0) {
			fprintf(stderr, "unparseable reply: %s (%s)\n", msg, err.message);
			return -1;
		}
		if (!reply.error || reply.errnum <= 0) {
			fprintf(stderr, "not an error reply: %s\n", msg);
			sb_reply_done(&reply);
			return -1;
		}
		last_ok = !expect_last || strstr(msg, expect_last);
		sb_reply_done(&reply);
		count++;
		off = (size_t)(nul - buf) + 1;
	}
	if (!last_ok) {
		fprintf(stderr, "the last reply does not mention %s\n", expect_last);
		return -1;
	}
	return count;
}

static uint32_t rnd(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* ------------------------------------------------------------ garbage */

/* A message that is not Varlink gets a ProtocolError and the connection
 * is closed; one that is JSON but not a valid call gets an error and the
 * connection stays. Either way nothing else happens. */
static int child_garbage(void *arg)
{
	uint32_t seed = 0x5eed;
	char buf[3000];

	for (int i = 0; i < 300; i++) {
		_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
		size_t len = 1 + rnd(&seed) % sizeof(buf);
		struct sb_reply reply;
		char c;

		REQUIRE(conn >= 0);
		for (size_t k = 0; k < len; k++)
			buf[k] = (char)(1 + rnd(&seed) % 255);
		/* Some start like JSON, to get past the first byte. */
		if (i % 3 == 0)
			buf[0] = '{';
		buf[len - 1] = 0;
		REQUIRE(sb_test_call(conn, buf, NULL, 0, &reply, NULL) == 0);
		REQUIRE(reply.error && reply.errnum > 0);
		if (strcmp(reply.error, SB_ERR_PROTOCOL) == 0)
			REQUIRE(recv(conn, &c, 1, 0) == 0);
		sb_reply_done(&reply);
	}
	/* Valid JSON, invalid calls: errors, and the connection lives on. */
	{
		static const char *const calls[] = {
			"[]",
			"{}",
			"{\"method\":1}",
			"{\"method\":\"x\"}",
			"{\"method\":\"org.sockbroker.Socket\",\"parameters\":[]}",
			"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":1e999}}",
			"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"\\u0000\"}}",
			"{\"method\":\"org.sockbroker.Info\",\"oneway\":true,\"more\":true}",
		};

		for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
			_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
			struct sb_reply reply;

			REQUIRE(conn >= 0);
			REQUIRE(sb_test_call(conn, calls[i], NULL, 0, &reply, NULL) == 0);
			REQUIRE(reply.error && reply.errnum > 0);
			sb_reply_done(&reply);
		}
	}
	return 0;
}

START_TEST(garbage_gets_error_replies)
{
	_cleanup_free_ char *burst = malloc(1 << 16), *in = NULL;
	_cleanup_close_ int conn = -1;
	uint32_t seed = 42;
	size_t got;

	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_garbage, NULL), 0);
	/* A 64 KiB burst of random bytes, NULs included, sent without
	 * reading: an error reply, then the daemon hangs up. */
	for (size_t i = 0; i < (1 << 16); i++)
		burst[i] = (char)rnd(&seed);
	conn = sb_test_connect(daemon_.socket);
	ck_assert_int_ge(conn, 0);
	in = exchange(conn, burst, 1 << 16, &got);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_ge(count_error_replies(in, got, SB_ERR_PROTOCOL), 1);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ size limit */

static int child_no_nul(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	_cleanup_free_ char *buf = malloc(SB_MESSAGE_MAX);
	struct pollfd p;
	size_t got;
	char *in;

	REQUIRE(conn >= 0 && buf);
	memset(buf, 'x', SB_MESSAGE_MAX);
	buf[0] = '{';
	/* 65535 bytes: room is left for the NUL, so the daemon waits. */
	for (size_t sent = 0; sent < SB_MESSAGE_MAX - 1; sent += 4096) {
		size_t n = SB_MESSAGE_MAX - 1 - sent < 4096 ? SB_MESSAGE_MAX - 1 - sent : 4096;

		REQUIRE(send(conn, buf + sent, n, MSG_NOSIGNAL) == (ssize_t)n);
	}
	p = (struct pollfd){.fd = conn, .events = POLLIN};
	REQUIRE(poll(&p, 1, 300) == 0);
	/* One more byte and the message can no longer fit. */
	in = exchange(conn, "x", 1, &got);
	REQUIRE(in && got > 0);
	REQUIRE(count_error_replies(in, got, "EMSGSIZE") == 1);
	REQUIRE(strstr(in, SB_ERR_PROTOCOL));
	free(in);
	return 0;
}

START_TEST(message_without_nul_is_cut_at_the_limit)
{
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_no_nul, NULL), 0);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ nesting */

static char *nested(size_t depth, char open, char close, const char *inner)
{
	size_t n = strlen(inner);
	char *s = malloc(2 * depth + n + 80), *p;

	ck_assert_ptr_nonnull(s);
	p = s + sprintf(s, "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":");
	memset(p, open, depth);
	p += depth;
	memcpy(p, inner, n);
	p += n;
	memset(p, close, depth);
	p += depth;
	strcpy(p, "}}");
	return s;
}

START_TEST(deep_json_nesting_is_refused)
{
	/* PROTOCOL.md: nesting deeper than 16 levels is refused, where every
	 * object, array and value counts. The root and parameters objects
	 * are two levels and the innermost value one, so 13 arrays make 16. */
	static const size_t depths[] = {13, 14, 100, 32000};

	for (size_t i = 0; i < ELEMENTSOF(depths); i++) {
		_cleanup_free_ char *arrays = nested(depths[i], '[', ']', "1");
		_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
		struct sb_reply reply;

		/* Deep or not, family is no array: an error every time. Beyond
		 * the nesting limit the message is refused as a whole. */
		ck_assert_int_ge(conn, 0);
		ck_assert_int_eq(sb_test_call(conn, arrays, NULL, 0, &reply, NULL), 0);
		ck_assert_ptr_nonnull(reply.error);
		ck_assert_int_gt(reply.errnum, 0);
		if (depths[i] + 3 > SB_JSON_DEPTH_MAX)
			ck_assert_str_eq(reply.error, SB_ERR_PROTOCOL);
		else
			ck_assert_str_eq(reply.error, SB_ERR_INVALID_PARAMETER);
		sb_reply_done(&reply);
	}
	for (size_t i = 1; i < ELEMENTSOF(depths); i++) {
		/* Objects nest the same way: {"a":{"a":...1...}}, where the
		 * first is the parameters object: depths[i] + 1 of them match
		 * the arrays above, beyond the limit from i = 1 on. */
		size_t d = depths[i] > 10000 ? 10000 : depths[i] + 1;
		_cleanup_free_ char *objs = malloc(d * 6 + 100);
		_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
		struct sb_reply reply;
		char *p = objs;

		p += sprintf(p, "{\"method\":\"org.sockbroker.Info\",\"parameters\":");
		for (size_t k = 0; k < d; k++)
			p += sprintf(p, "{\"a\":");
		*p++ = '1';
		memset(p, '}', d + 1);
		p[d + 1] = 0;
		ck_assert_int_eq(sb_test_call(conn, objs, NULL, 0, &reply, NULL), 0);
		ck_assert_str_eq(reply.error, SB_ERR_PROTOCOL);
		sb_reply_done(&reply);
	}
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ descriptors */

/* n copies of the write end of a pipe; once the daemon closed every copy
 * it received, the read end sees EOF. That proves the closing directly. */
struct pipe_probe {
	int rd, wr;
	int *copies;
	size_t n;
};

static int probe_open(struct pipe_probe *p, size_t n)
{
	int fds[2];

	REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
	p->rd = fds[0];
	p->wr = fds[1];
	p->n = n;
	p->copies = calloc(n ? n : 1, sizeof(int));
	REQUIRE(p->copies);
	for (size_t i = 0; i < n; i++) {
		p->copies[i] = fcntl(p->wr, F_DUPFD_CLOEXEC, 3);
		REQUIRE(p->copies[i] >= 0);
	}
	return 0;
}

/* Close our own copies; true once the peer has closed its copies too. */
static bool probe_all_closed(struct pipe_probe *p, int ms)
{
	struct pollfd pfd = {.fd = p->rd, .events = POLLIN};
	char c;

	for (size_t i = 0; i < p->n; i++)
		safe_close(p->copies[i]);
	free(p->copies);
	p->copies = NULL;
	p->wr = safe_close(p->wr);
	if (poll(&pfd, 1, ms) != 1 || read(p->rd, &c, 1) != 0)
		return false;
	p->rd = safe_close(p->rd);
	return true;
}

static int child_many_fds(void *arg)
{
	struct pipe_probe p;
	int r;

	/* 253 descriptors on Info, which takes none. */
	REQUIRE(probe_open(&p, SB_FDS_MAX) == 0);
	r = call_errno(SB_TEST_CALL_INFO, p.copies, p.n, SB_ERR_BAD_DESCRIPTOR);
	REQUIRE(r == EBADF);
	REQUIRE(probe_all_closed(&p, 2000));
	/* 2 and 253 on calls that take exactly one. */
	REQUIRE(probe_open(&p, 2) == 0);
	REQUIRE(call_errno(SB_TEST_CALL_SET_MARK, p.copies, p.n, SB_ERR_BAD_DESCRIPTOR) == EBADF);
	REQUIRE(probe_all_closed(&p, 2000));
	REQUIRE(probe_open(&p, SB_FDS_MAX) == 0);
	REQUIRE(call_errno(SB_TEST_CALL_BIND_80, p.copies, p.n, SB_ERR_BAD_DESCRIPTOR) == EBADF);
	REQUIRE(probe_all_closed(&p, 2000));
	/* And none on one that takes one. */
	REQUIRE(call_errno(SB_TEST_CALL_SET_MARK, NULL, 0, SB_ERR_BAD_DESCRIPTOR) == EBADF);
	return 0;
}

START_TEST(wrong_descriptor_counts_are_closed)
{
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_many_fds, NULL), 0);
	assert_unharmed();
}
END_TEST

/* A UDP socket created in a new network namespace, or -1. */
static int foreign_netns_socket(void)
{
	int sv[2], status, fd = -1;
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int s;

		close(sv[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		_exit(s >= 0 && sb_send_message(sv[1], "{}", 2, &s, 1) == 0 ? 0 : 1);
	}
	close(sv[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (status == 0) {
		/* The child sent "{}" with the socket. */
		struct sb_decoder *d = sb_decoder_new(64, 1);
		struct sb_frame f = {0};

		ck_assert_ptr_nonnull(d);
		while (sb_decoder_next(d, &f) == 0)
			if (sb_decoder_read(d, sv[0], 0) <= 0)
				break;
		if (f.n_fds == 1)
			fd = sb_frame_take_fd(&f, 0);
		sb_frame_done(&f);
		sb_decoder_free(d);
	}
	close(sv[0]);
	return fd;
}

struct bad_fds {
	int pipe_rd, opath, opath_sock, event, memfd, unix_sock, foreign, own;
};

static int child_bad_fds(void *arg)
{
	const struct bad_fds *b = arg;
	const char *calls[] = {SB_TEST_CALL_SET_MARK, SB_TEST_CALL_BIND_80};

	for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
		const char *c = calls[i];

		REQUIRE(call_errno(c, &b->pipe_rd, 1, SB_ERR_BAD_DESCRIPTOR) == ENOTSOCK);
		REQUIRE(call_errno(c, &b->event, 1, SB_ERR_BAD_DESCRIPTOR) == ENOTSOCK);
		REQUIRE(call_errno(c, &b->memfd, 1, SB_ERR_BAD_DESCRIPTOR) == ENOTSOCK);
		/* O_PATH descriptors pass fstat() but no socket call. */
		REQUIRE(call_errno(c, &b->opath, 1, SB_ERR_BAD_DESCRIPTOR) == EBADF);
		REQUIRE(call_errno(c, &b->opath_sock, 1, SB_ERR_BAD_DESCRIPTOR) == EBADF);
		if (b->foreign >= 0)
			REQUIRE(call_errno(c, &b->foreign, 1, SB_ERR_BAD_DESCRIPTOR) == EXDEV);
	}
	/* An AF_UNIX socket is a socket, but binds of it are not brokered
	 * and it has no SO_MARK worth brokering: refused either way. */
	REQUIRE(call_errno(SB_TEST_CALL_BIND_80, &b->unix_sock, 1, SB_ERR_NOT_SUPPORTED) ==
		EOPNOTSUPP);
	/* The same call on a socket of our own namespace is granted. */
	REQUIRE(call_errno(SB_TEST_CALL_SET_MARK, &b->own, 1, NULL) == 0);
	return 0;
}

START_TEST(unusable_descriptors_are_refused)
{
	struct bad_fds b;
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	b.pipe_rd = p[0];
	b.opath = open("/", O_PATH | O_CLOEXEC);
	b.opath_sock = open(daemon_.socket, O_PATH | O_CLOEXEC);
	b.event = eventfd(0, EFD_CLOEXEC);
	b.memfd = memfd_create("sockbroker-test", MFD_CLOEXEC);
	b.unix_sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	b.own = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	b.foreign = foreign_netns_socket();
	ck_assert(b.opath >= 0 && b.opath_sock >= 0 && b.event >= 0 && b.memfd >= 0 &&
		  b.unix_sock >= 0 && b.own >= 0);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_bad_fds, &b), 0);
	close(p[0]);
	close(p[1]);
	close(b.opath);
	close(b.opath_sock);
	close(b.event);
	close(b.memfd);
	close(b.unix_sock);
	close(b.own);
	if (b.foreign < 0)
		SB_SKIP("cannot create a network namespace for the foreign socket");
	close(b.foreign);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ slow writers */

static int child_slow_writer(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct sb_reply reply;
	int seconds = *(int *)arg;

	REQUIRE(conn >= 0);
	/* One byte every two seconds, longer than child_latency() allows a
	 * call to take; then the rest of the call at once. */
	for (int i = 0; i < seconds / 2; i++) {
		REQUIRE(send(conn, SB_TEST_CALL_INFO + i, 1, MSG_NOSIGNAL) == 1);
		sleep(2);
	}
	REQUIRE(sb_test_call(conn, SB_TEST_CALL_INFO + seconds / 2, NULL, 0, &reply, NULL) == 0);
	REQUIRE(!reply.error);
	sb_reply_done(&reply);
	return 0;
}

/* Hold partial calls on the rest of nobody's connections. */
static int child_hold_partial(void *arg)
{
	int n = *(int *)arg, fds[64];
	char c;

	for (int i = 0; i < n; i++) {
		fds[i] = sb_test_connect(daemon_.socket);
		REQUIRE(fds[i] >= 0);
		REQUIRE(send(fds[i], "{\"meth", 6, MSG_NOSIGNAL) == 6);
	}
	/* Until the parent closes our stdin pipe. */
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	return 0;
}

/* Another uid is served promptly all along; the worst latency. */
static int child_latency(void *arg)
{
	long worst = 0, end = sb_test_now_ms() + *(int *)arg * 1000L;

	while (sb_test_now_ms() < end) {
		long t0 = sb_test_now_ms();

		REQUIRE(call_errno(SB_TEST_CALL_INFO, NULL, 0, NULL) == 0);
		if (sb_test_now_ms() - t0 > worst)
			worst = sb_test_now_ms() - t0;
		sb_test_sleep_ms(50);
	}
	printf("# worst latency of another uid: %ld ms\n", worst);
	fflush(stdout);
	/* A daemon that waited for an attacker would stall for seconds (for
	 * the slow writer's next byte, two); a loaded machine (a sanitized
	 * build, tests in parallel) can take a few hundred ms for a call. */
	REQUIRE(worst < 1500);
	return 0;
}

START_TEST(slow_writers_do_not_stall_others)
{
	int seconds = 4, partial = 63, release;
	pid_t slow, holders, other;

	/* nobody: one slow writer and 63 connections with partial calls,
	 * its whole per-uid allowance. */
	slow = sb_test_spawn_as(SB_TEST_NOBODY, child_slow_writer, &seconds, NULL, NULL);
	holders = sb_test_spawn_as(SB_TEST_NOBODY, child_hold_partial, &partial, &release, NULL);
	other = sb_test_spawn_as(OTHER_UID, child_latency, &seconds, NULL, NULL);
	ck_assert_int_eq(sb_test_wait_exit(other), 0);
	ck_assert_int_eq(sb_test_wait_exit(slow), 0);
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(holders), 0);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ costly calls */

/* A uid the policy grants nothing: parsing is all it can cost. */
#define NO_GRANT_UID 65532
/* An Info call whose parameter holds 21,600 empty objects: 64,869 bytes,
 * about 17 ms of json-c before the daemon could see that Info takes no
 * parameter. */
#define HEAVY_OBJECTS 21600
static const char *heavy_call(size_t *len)
{
	static const char head[] = "{\"method\":\"org.sockbroker.Info\",\"parameters\":{\"a\":[";
	static char call[sizeof(head) + 3 * HEAVY_OBJECTS + 8];
	char *p = call;

	p = mempcpy(p, head, sizeof(head) - 1);
	for (int i = 0; i < HEAVY_OBJECTS; i++)
		p = mempcpy(p, i ? ",{}" : "{}", i ? 3 : 2);
	p = stpcpy(p, "]}}");
	*len = (size_t)(p - call) + 1; /* the NUL ends the message */
	return call;
}

/* CPU time of process pid in ms (utime + stime, from /proc), or -1. */
static long cpu_ms(pid_t pid)
{
	unsigned long utime, stime;
	char path[64], buf[1024];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* After the name in parentheses: state, then 10 fields, then these. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu %lu", &utime,
			 &stime) != 2)
		return -1;
	return (long)((utime + stime) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

#define HEAVY_REFUSED 100
static int child_heavy_refused(void *arg)
{
	size_t len;
	const char *call = heavy_call(&len);

	for (int i = 0; i < HEAVY_REFUSED; i++) {
		_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
		struct sb_reply reply;

		REQUIRE(conn >= 0);
		REQUIRE(sb_test_call(conn, call, NULL, 0, &reply, NULL) == 0);
		if (!reply.error || strcmp(reply.error, SB_ERR_PROTOCOL) != 0 ||
		    reply.errnum != E2BIG) {
			fprintf(stderr, "heavy call: %s: %s\n", reply.error ?: "success",
				reply.message ?: "");
			sb_reply_done(&reply);
			return 1;
		}
		sb_reply_done(&reply);
	}
	return 0;
}

START_TEST(parse_heavy_calls_are_refused_cheaply)
{
	/* PROTOCOL.md: a call with more than 512 values is refused before it
	 * is parsed. The daemon's CPU time says what the calls cost it, on a
	 * busy machine too: 100 of them took 1.7 s when parsed. */
	long before = cpu_ms(daemon_.pid), used;

	ck_assert_int_ge(before, 0);
	ck_assert_int_eq(sb_test_run_as(NO_GRANT_UID, child_heavy_refused, NULL), 0);
	used = cpu_ms(daemon_.pid) - before;
	printf("# daemon CPU for %d calls of %d empty objects: %ld ms\n", HEAVY_REFUSED,
	       HEAVY_OBJECTS, used);
	ck_assert_msg(used < 500, "%d refused calls cost the daemon %ld ms of CPU", HEAVY_REFUSED,
		      used);
	assert_unharmed();
}
END_TEST

/* The attack: 63 connections, each keeping up to 14 heavy calls in
 * flight, reading the replies and connecting again when the daemon
 * closes; until released. Reports the calls it got to send. */
#define HEAVY_CONNS 63
#define HEAVY_IN_FLIGHT 14
struct heavy_conn {
	int fd;
	size_t sent; /* of the call being written */
	int in_flight;
};

static void heavy_reconnect(struct heavy_conn *h)
{
	safe_close(h->fd);
	*h = (struct heavy_conn){.fd = sb_test_connect(daemon_.socket)};
	if (h->fd >= 0)
		fcntl(h->fd, F_SETFL, O_NONBLOCK);
}

static void heavy_serve(struct heavy_conn *h, short revents, const char *call, size_t len,
			long *calls)
{
	char buf[4096];
	ssize_t n;

	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		n = recv(h->fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			heavy_reconnect(h);
			return;
		}
		for (ssize_t i = 0; i < n; i++)
			h->in_flight -= buf[i] == 0;
	}
	while (h->in_flight < HEAVY_IN_FLIGHT) {
		n = send(h->fd, call + h->sent, len - h->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN)
				heavy_reconnect(h);
			return;
		}
		h->sent += (size_t)n;
		if (h->sent == len) {
			h->sent = 0;
			h->in_flight++;
			(*calls)++;
		}
	}
}

static int child_heavy_flood(void *arg)
{
	struct heavy_conn conns[HEAVY_CONNS];
	struct pollfd p[HEAVY_CONNS + 1];
	size_t len;
	const char *call = heavy_call(&len);
	long calls = 0;

	for (int i = 0; i < HEAVY_CONNS; i++) {
		conns[i].fd = -1;
		heavy_reconnect(&conns[i]);
		REQUIRE(conns[i].fd >= 0);
	}
	REQUIRE(write(SB_TEST_REPORT_FD, "a", 1) == 1);
	p[HEAVY_CONNS] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	for (;;) {
		for (int i = 0; i < HEAVY_CONNS; i++) {
			if (conns[i].fd < 0)
				heavy_reconnect(&conns[i]);
			p[i] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
			if (conns[i].in_flight < HEAVY_IN_FLIGHT)
				p[i].events |= POLLOUT;
		}
		REQUIRE(poll(p, HEAVY_CONNS + 1, 10) >= 0);
		if (p[HEAVY_CONNS].revents)
			break;
		for (int i = 0; i < HEAVY_CONNS; i++)
			if (p[i].revents)
				heavy_serve(&conns[i], p[i].revents, call, len, &calls);
	}
	for (int i = 0; i < HEAVY_CONNS; i++)
		safe_close(conns[i].fd);
	REQUIRE(write(SB_TEST_REPORT_FD, &calls, sizeof(calls)) == sizeof(calls));
	return 0;
}

START_TEST(parse_heavy_calls_do_not_delay_others)
{
	int seconds = 4, release, report;
	long calls = 0;
	pid_t flood, other;
	char c;

	flood = sb_test_spawn_as(NO_GRANT_UID, child_heavy_flood, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	other = sb_test_spawn_as(OTHER_UID, child_latency, &seconds, NULL, NULL);
	ck_assert_int_eq(sb_test_wait_exit(other), 0);
	close(release);
	ck_assert_int_eq(read(report, &calls, sizeof(calls)), sizeof(calls));
	close(report);
	ck_assert_int_eq(sb_test_wait_exit(flood), 0);
	printf("# %ld heavy calls sent meanwhile\n", calls);
	/* The attack happened: at least a call per connection. */
	ck_assert_int_ge(calls, HEAVY_CONNS);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ killed clients */

static int child_send_and_die(void *arg)
{
	int conn = sb_test_connect(daemon_.socket);
	char buf[4096];
	size_t n = 0;

	REQUIRE(conn >= 0);
	/* 16 calls whose replies carry sockets, and a partial 17th. */
	for (int i = 0; i < 16; i++) {
		memcpy(buf + n, SB_TEST_CALL_UDP_SOCKET, sizeof(SB_TEST_CALL_UDP_SOCKET));
		n += sizeof(SB_TEST_CALL_UDP_SOCKET);
	}
	memcpy(buf + n, "{\"method\"", 9);
	n += 9;
	REQUIRE(send(conn, buf, n, MSG_NOSIGNAL) == (ssize_t)n);
	if (*(int *)arg % 2)
		sb_test_sleep_ms(2);
	raise(SIGKILL);
	return 1;
}

START_TEST(clients_killed_before_their_replies)
{
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_send_and_die, &i),
				 128 + SIGKILL);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ never reading */

/* Take every reply waiting in the socket; how many carried a socket. */
/* Count the replies (each carrying a socket) waiting unread in conn's
 * receive queue right now. Every reply to the same call has the same
 * length, so the bytes queued tell how many there are; reading them
 * would let the daemon send more meanwhile. */
static long unread_replies(int conn)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f;
	long count = -1;
	int queued;

	if (!d || ioctl(conn, SIOCINQ, &queued) < 0)
		goto out;
	if (queued == 0) {
		count = 0;
		goto out;
	}
	while (sb_decoder_next(d, &f) == 0)
		if (sb_decoder_read(d, conn, 0) <= 0)
			goto out;
	if (f.n_fds == 1)
		count = queued / (long)(f.len + 1);
	sb_frame_done(&f);
out:
	sb_decoder_free(d);
	return count;
}

static int child_never_reads(void *arg)
{
	int conn = sb_test_connect(daemon_.socket);
	long idle_since = sb_test_now_ms(), pinned;
	size_t sent = 0, calls = 0;
	char c;

	REQUIRE(conn >= 0);
	REQUIRE(fcntl(conn, F_SETFL, O_NONBLOCK) == 0);
	/* Send calls until the daemon stops taking them for half a second. */
	while (sb_test_now_ms() - idle_since < 500) {
		ssize_t n = send(
			conn, SB_TEST_CALL_UDP_SOCKET + sent % sizeof(SB_TEST_CALL_UDP_SOCKET),
			sizeof(SB_TEST_CALL_UDP_SOCKET) - sent % sizeof(SB_TEST_CALL_UDP_SOCKET),
			MSG_NOSIGNAL);

		if (n > 0) {
			sent += (size_t)n;
			idle_since = sb_test_now_ms();
			continue;
		}
		REQUIRE(errno == EAGAIN);
		sb_test_sleep_ms(5);
	}
	calls = sent / sizeof(SB_TEST_CALL_UDP_SOCKET);
	REQUIRE(calls >= 16);
	REQUIRE(write(SB_TEST_REPORT_FD, &calls, sizeof(calls)) == sizeof(calls));
	/* Stalled; hold the connection until the test has looked. */
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	/* The sockets the daemon created for replies we never read sit in
	 * our receive queue, alive in the kernel: count them. */
	pinned = unread_replies(conn);
	REQUIRE(write(SB_TEST_REPORT_FD, &pinned, sizeof(pinned)) == sizeof(pinned));
	close(conn);
	return 0;
}

START_TEST(client_that_never_reads_is_bounded)
{
	int release, report;
	size_t calls = 0;
	long pinned = -1;
	pid_t pid;

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_never_reads, NULL, &release, &report);
	ck_assert_int_eq(read(report, &calls, sizeof(calls)), (ssize_t)sizeof(calls));
	/* The daemon stopped reading: it holds the connection and at most
	 * the replies it may queue, each with its socket. */
	ck_assert_int_le(sb_test_count_fds(daemon_.pid), baseline_fds + 1 + 16);
	/* Others are served meanwhile. */
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_served, NULL), 0);
	close(release);
	ck_assert_int_eq(read(report, &pinned, sizeof(pinned)), (ssize_t)sizeof(pinned));
	close(report);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	printf("# never-reading client: %zu calls taken, %ld sockets waited unread\n", calls,
	       pinned);
	fflush(stdout);
	/* PROTOCOL.md: 16 calls in flight, further calls wait until replies
	 * are read. Replies the client has not read are in flight: each
	 * keeps a socket alive in the kernel, charged to no one. */
	ck_assert_int_le(pinned, 16);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ connection limits */

/* arg NULL: stop in the first round, holding 64 connections, until the
 * test has looked (SB_TEST_REPORT_FD, stdin). */
static int child_connection_limit(void *arg)
{
	bool handshake = arg == NULL;
	int fds[64], extra;
	char c;

	for (int round = 0; round < 3; round++) {
		struct pollfd p;

		for (int i = 0; i < 64; i++) {
			fds[i] = sb_test_connect(daemon_.socket);
			REQUIRE(fds[i] >= 0);
		}
		extra = sb_test_connect(daemon_.socket);
		REQUIRE(extra >= 0);
		p = (struct pollfd){.fd = extra, .events = POLLIN};
		REQUIRE(poll(&p, 1, 2000) == 1 && recv(extra, &c, 1, 0) == 0);
		close(extra);
		/* The ones within the limit work. */
		{
			struct sb_reply reply;

			REQUIRE(sb_test_call(fds[63], SB_TEST_CALL_INFO, NULL, 0, &reply, NULL) ==
					0 &&
				!reply.error);
			sb_reply_done(&reply);
		}
		if (round == 0 && handshake) {
			/* Tell the test we hold 64 and wait for it. */
			REQUIRE(write(SB_TEST_REPORT_FD, "x", 1) == 1);
			REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
		}
		for (int i = 0; i < 64; i++)
			close(fds[i]);
		/* The daemon must have seen every close before the next round
		 * can have 64 again; the closes race with the new connects.
		 * It counts a connection down before it closes its end, and
		 * then the connection leaves /proc/net/unix. */
		REQUIRE(sb_test_daemon_wait_connections_gone(&daemon_, 10000) == 0);
	}
	return 0;
}

START_TEST(per_uid_connection_limit_holds_and_recovers)
{
	int release, report;
	char c;
	pid_t pid;

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_connection_limit, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	close(report);
	/* nobody is at its limit; another uid is still served. */
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_served, NULL), 0);
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ IPV6_V6ONLY race */

#define BIND_ANY6_80                                                    \
	"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0," \
	"\"address\":{\"host\":\"::\",\"port\":80}}}"

struct flipper {
	int fd;
	atomic_bool stop;
};

/* Clear and set IPV6_V6ONLY as fast as it goes, as a second thread of
 * the client does while the daemon looks at the socket and binds it. */
static void *flip_v6only(void *arg)
{
	struct flipper *f = arg;

	while (!atomic_load(&f->stop))
		for (int v = 0; v < 2; v++)
			setsockopt(f->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v));
	return NULL;
}

/* 200 Bind calls of [::]:80, each on a socket whose IPV6_V6ONLY another
 * thread keeps flipping. Every one that succeeds must be IPv6-only;
 * the others are refused (the IPv4 side, when the daemon read 0) or
 * fail (the IPv4 side held while the daemon binds). */
static int child_race_v6only(void *arg)
{
	int granted = 0, refused = 0;

	for (int i = 0; i < 200; i++) {
		struct flipper f = {.fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)};
		int one = 1, r;
		pthread_t t;

		REQUIRE(f.fd >= 0);
		REQUIRE(setsockopt(f.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
		REQUIRE(pthread_create(&t, NULL, flip_v6only, &f) == 0);
		r = call_errno(BIND_ANY6_80, &f.fd, 1, NULL);
		atomic_store(&f.stop, true);
		REQUIRE(pthread_join(t, NULL) == 0);
		if (r == 0) {
			REQUIRE(sb_test_sockopt_int(f.fd, IPPROTO_IPV6, IPV6_V6ONLY) == 1);
			granted++;
		} else {
			REQUIRE(r == EACCES || r == EADDRINUSE);
			refused++;
		}
		close(f.fd);
	}
	printf("# v6only race: %d granted IPv6-only, %d refused\n", granted, refused);
	fflush(stdout);
	return 0;
}

START_TEST(v6only_cleared_during_bind_gets_no_ipv4)
{
	char policy[1024];

	if (access("/proc/net/if_inet6", F_OK) < 0)
		SB_SKIP("IPv6 is disabled in this kernel");
	snprintf(policy, sizeof(policy), "%s%s", policy_text,
		 "allow user:nobody bind family=AF_INET6 port=80\n"
		 "deny user:nobody bind family=AF_INET\n");
	sb_test_daemon_reload(&daemon_, policy);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_race_v6only, NULL), 0);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ subordinate ids */

/* nobody's subordinate range, as useradd gives every user one. */
#define SUBUIDS "nobody:300000:65536\n"

static void start_with_subids(void)
{
	static const char *const args[] = {"--max-connections-per-uid=8", NULL};
	const struct sb_test_daemon_opts opts = {.subuid_text = SUBUIDS};

	sb_test_daemon_start_opts(&daemon_, policy_text, args, &opts);
	baseline_fds = sb_test_daemon_quiet_fds(&daemon_);
}

static void start_small_table(void)
{
	static const char *const args[] = {"--max-connections=32", NULL};

	sb_test_daemon_start(&daemon_, policy_text, args);
	baseline_fds = sb_test_daemon_quiet_fds(&daemon_);
}

/* Whether the daemon serves conn (it closes a refused one at accept). */
static bool served(int conn)
{
	struct sb_reply reply;

	if (sb_test_call(conn, SB_TEST_CALL_INFO, NULL, 0, &reply, NULL) < 0)
		return false;
	sb_reply_done(&reply);
	return !reply.error;
}

/* Report how many of the n connections in fds are served (one byte on
 * SB_TEST_REPORT_FD), then hold them until released (EOF on stdin). */
static int report_served_and_hold(const int *fds, int n)
{
	unsigned char count = 0;
	char c;

	for (int i = 0; i < n; i++)
		count += served(fds[i]);
	REQUIRE(write(SB_TEST_REPORT_FD, &count, 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	return 0;
}

/* As root: one connection as each of nobody's subordinate uids 300000 to
 * 300063, as 64 uids of a user namespace (unshare --map-auto) hold them:
 * SO_PEERCRED reports the effective uid at connect(). */
static int child_subordinate_connections(void *arg)
{
	int fds[64];

	for (int i = 0; i < 64; i++) {
		REQUIRE(seteuid(300000 + i) == 0);
		fds[i] = sb_test_connect(daemon_.socket);
		REQUIRE(seteuid(0) == 0);
		REQUIRE(fds[i] >= 0);
	}
	return report_served_and_hold(fds, 64);
}

static int child_refused(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);

	REQUIRE(conn >= 0);
	REQUIRE(!served(conn));
	return 0;
}

/* The 64 uids count as their owner, nobody, whose limit is 8 here: 8 are
 * served, nobody itself gets nothing more, other uids are served. */
START_TEST(subordinate_uids_share_their_owners_limit)
{
	unsigned char count = 0;
	int release, report;
	pid_t pid;

	pid = sb_test_spawn_as(0, child_subordinate_connections, NULL, &release, &report);
	ck_assert_int_eq(read(report, &count, 1), 1);
	close(report);
	ck_assert_uint_eq(count, 8);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_refused, NULL), 0);
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_served, NULL), 0);
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	assert_unharmed();
}
END_TEST

/* As nobody: 40 connections, more than the table of 32 holds. */
static int child_fill_the_table(void *arg)
{
	int fds[40];

	for (int i = 0; i < 40; i++) {
		fds[i] = sb_test_connect(daemon_.socket);
		REQUIRE(fds[i] >= 0);
	}
	return report_served_and_hold(fds, 40);
}

/* One uid within its own limit (64) cannot take the whole table (32):
 * the last eighth is kept for uids with fewer than 4 connections. */
START_TEST(connection_reserve_serves_other_users)
{
	unsigned char count = 0;
	int release, report;
	pid_t pid;

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_fill_the_table, NULL, &release, &report);
	ck_assert_int_eq(read(report, &count, 1), 1);
	close(report);
	ck_assert_uint_eq(count, 28);
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_served, NULL), 0);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_refused, NULL), 0);
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	assert_unharmed();
}
END_TEST

static int child_connect_cycles(void *arg)
{
	long t0 = sb_test_now_ms();

	for (int i = 0; i < 10000; i++) {
		int fd = sb_test_connect(daemon_.socket);

		REQUIRE(fd >= 0);
		/* Some hang up mid-call, some right after a whole one. */
		if (i % 3 == 1)
			send(fd, "{\"method\":", 10, MSG_NOSIGNAL);
		else if (i % 3 == 2)
			send(fd, SB_TEST_CALL_INFO, sizeof(SB_TEST_CALL_INFO), MSG_NOSIGNAL);
		close(fd);
	}
	printf("# 10000 connect/close cycles in %ld ms\n", sb_test_now_ms() - t0);
	fflush(stdout);
	REQUIRE(sb_test_now_ms() - t0 < 10000);
	return 0;
}

START_TEST(ten_thousand_connect_close_cycles)
{
	struct sb_reply reply;
	int probe;

	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_connect_cycles, NULL), 0);
	/* Connections are accepted in order: once a later one is answered,
	 * none of the cycles' waits in the listening socket's backlog (the
	 * descriptor count alone can pass through its baseline between two
	 * batches of accepts). */
	probe = sb_test_connect(daemon_.socket);
	ck_assert_int_ge(probe, 0);
	ck_assert_int_eq(sb_test_call(probe, SB_TEST_CALL_INFO, NULL, 0, &reply, NULL), 0);
	sb_reply_done(&reply);
	close(probe);
	/* Every connection was counted down again: nobody gets 64 at once. */
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline_fds, 10000), baseline_fds);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_connection_limit, (void *)1), 0);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ slow closes */

/* Send len bytes of data with n descriptors attached (n at most
 * SB_FDS_MAX; none when 0). 0, or -1 when not all bytes went. */
static int send_fds(int conn, const char *data, size_t len, const int *fds, size_t n, int flags)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(SB_FDS_MAX * sizeof(int))];
	} control = {0};
	struct iovec iov = {(void *)data, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (n > 0) {
		struct cmsghdr *cm;

		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	}
	return sendmsg(conn, &mh, flags | MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Hand the daemon the last reference to fds: they go with the first byte
 * of an Info call (which takes none), and this side drops its copies
 * before the caller sends the rest, so the daemon cannot have closed
 * them yet. -1 if the send fails. */
static int send_last_references(int conn, int *fds, size_t n)
{
	if (send_fds(conn, SB_TEST_CALL_INFO, 1, fds, n, 0) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

/* Read replies until want of them (NUL-terminated) are in buf; false if
 * the connection ends or buf fills first. */
static bool recv_replies(int conn, size_t want, char *buf, size_t size)
{
	size_t got = 0, nuls = 0;

	while (nuls < want) {
		ssize_t n = recv(conn, buf + got, size - got, 0);

		if (n <= 0 || (size_t)n >= size - got)
			return false;
		for (ssize_t i = 0; i < n; i++)
			nuls += buf[got + (size_t)i] == 0;
		got += (size_t)n;
	}
	return true;
}

/* Packet sockets cost a synchronize_net() (about 12 ms) when their last
 * reference goes. nobody may create them in a user and network namespace
 * of its own. It sends 253 with the first byte of a call that takes none,
 * closes its own copies, then finishes the call: the daemon now holds the
 * last reference of each. */
static int child_send_packet_sockets(void *arg)
{
	int rounds = *(int *)arg;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return 77;
	for (int r = 0; r < rounds; r++) {
		int fds[SB_FDS_MAX], conn = sb_test_connect(daemon_.socket);
		struct sb_reply reply;

		REQUIRE(conn >= 0);
		for (size_t n = 0; n < SB_FDS_MAX; n++) {
			fds[n] = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
			REQUIRE(fds[n] >= 0);
		}
		REQUIRE(send_last_references(conn, fds, SB_FDS_MAX) == 0);
		REQUIRE(sb_test_call(conn, SB_TEST_CALL_INFO + 1, NULL, 0, &reply, NULL) == 0);
		REQUIRE(reply.error && strcmp(reply.error, SB_ERR_BAD_DESCRIPTOR) == 0);
		sb_reply_done(&reply);
		close(conn);
	}
	return 0;
}

START_TEST(slow_closes_do_not_block_others)
{
	int rounds = 4, seconds = 3, r;
	pid_t attacker, other;

	other = sb_test_spawn_as(OTHER_UID, child_latency, &seconds, NULL, NULL);
	attacker = sb_test_spawn_as(SB_TEST_NOBODY, child_send_packet_sockets, &rounds, NULL, NULL);
	r = sb_test_wait_exit(attacker);
	if (r == 77) {
		sb_test_wait_exit(other);
		SB_SKIP("unprivileged user namespaces are not available");
	}
	ck_assert_int_eq(r, 0);
	/* About 12 s of releases in all: served meanwhile, as child_latency
	 * checks (every call under 500 ms). */
	ck_assert_int_eq(sb_test_wait_exit(other), 0);
	assert_unharmed();
}
END_TEST

/* Two Info calls, pipelined, each with a descriptor Info does not take:
 * the daemon closes both when it refuses the calls, one right after the
 * other. The first is a hanging socket whose last reference is the
 * daemon's (its first byte goes with it, then this side drops its copy,
 * as child_send_packet_sockets does), the second a UDP socket. Reports,
 * then keeps the peer until released. */
static int child_hang_a_close(void *arg)
{
	static const char info[] = SB_TEST_CALL_INFO;
	int peer = -1, fd = sb_test_hanging_socket(&peer), conn = sb_test_connect(daemon_.socket);
	_cleanup_close_ int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char replies[512];
	char c;

	REQUIRE(fd >= 0 && conn >= 0 && udp >= 0);
	REQUIRE(send_last_references(conn, &fd, 1) == 0);
	REQUIRE(send_fds(conn, info + 1, sizeof(info) - 1, NULL, 0, 0) == 0);
	REQUIRE(send_fds(conn, info, sizeof(info), &udp, 1, 0) == 0);
	REQUIRE(recv_replies(conn, 2, replies, sizeof(replies)));
	REQUIRE(strstr(replies, SB_ERR_BAD_DESCRIPTOR) &&
		strstr(replies + strlen(replies) + 1, SB_ERR_BAD_DESCRIPTOR));
	close(conn);
	REQUIRE(write(SB_TEST_REPORT_FD, "r", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	close(peer);
	return 0;
}

/* Three calls that each leave the daemon a descriptor to close. */
static int child_three_descriptors(void *arg)
{
	for (int i = 0; i < 3; i++) {
		_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		REQUIRE(fd >= 0);
		REQUIRE(call_errno(SB_TEST_CALL_INFO, &fd, 1, SB_ERR_BAD_DESCRIPTOR) == EBADF);
	}
	return 0;
}

/* Descriptors given up later are closed at once (within 2 s), while
 * child, spawned with release and report, still holds what made closes
 * wait; then it is released and the daemon is checked unharmed. */
static void later_closes_then_release(pid_t child, int release, int report)
{
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_three_descriptors, NULL), 0);
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline_fds, 2000), baseline_fds);
	close(release);
	close(report);
	ck_assert_int_eq(sb_test_wait_exit(child), 0);
	assert_unharmed();
}

/* The closing workers: one close hanging for 30 s holds one worker, not
 * the descriptors queued after it. The daemon holds queued descriptors
 * for a millisecond before it wakes a worker for them; finding every
 * worker inside a close then, it starts another. */
START_TEST(a_hanging_close_holds_one_worker_only)
{
	int release, report;
	pid_t hanger;
	char c;

	hanger = sb_test_spawn_as(SB_TEST_NOBODY, child_hang_a_close, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	/* The UDP socket was queued right behind the hanging one, within the
	 * same hold. A third thread, beside the event loop and the worker
	 * inside the hanging close, is the worker started for it: one
	 * starts only when no worker is free, and a UDP close is over in
	 * microseconds, so the close before it really hangs. */
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline_fds, 5000), baseline_fds);
	ck_assert_int_ge(sb_test_threads(daemon_.pid), 3);
	/* And what comes later is closed while that close still hangs. */
	later_closes_then_release(hanger, release, report);
}
END_TEST

/* More lingering sockets than there are closing workers, each the
 * daemon's to close last (sent with a call that takes none), their
 * peers kept reading nothing. Reports, then keeps the peers until
 * released. */
#define LINGERING 80
static int child_many_lingering(void *arg)
{
	int peers[LINGERING], conn = sb_test_connect(daemon_.socket);
	static char replies[LINGERING * 256];
	char c;

	REQUIRE(conn >= 0);
	for (int i = 0; i < LINGERING; i++) {
		int fd = sb_test_hanging_socket(&peers[i]);

		REQUIRE(fd >= 0);
		REQUIRE(send_last_references(conn, &fd, 1) == 0);
		REQUIRE(send_fds(conn, SB_TEST_CALL_INFO + 1, sizeof(SB_TEST_CALL_INFO) - 1, NULL,
				 0, 0) == 0);
	}
	REQUIRE(recv_replies(conn, LINGERING, replies, sizeof(replies)));
	close(conn);
	REQUIRE(write(SB_TEST_REPORT_FD, "r", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	for (int i = 0; i < LINGERING; i++)
		close(peers[i]);
	return 0;
}

/* Each would make its close wait 30 s (SO_LINGER against a zero
 * window): every worker would be held and the rest would wait in the
 * queue, a descriptor each, for as long as the client likes. A close
 * that waits is interrupted after a second, so all are closed within a
 * few seconds while the peers still read nothing. */
START_TEST(lingering_closes_do_not_hold_the_workers)
{
	int release, report;
	pid_t holder;
	char c;

	holder = sb_test_spawn_as(SB_TEST_NOBODY, child_many_lingering, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, baseline_fds, 10000), baseline_fds);
	later_closes_then_release(holder, release, report);
}
END_TEST

/* nobody's whole allowance of connections, then one more with a
 * lingering socket sent on it before the daemon gets to it: refusing
 * that connection drops the last reference. Reports, then keeps all
 * until released. */
static int child_refused_with_a_lingering_socket(void *arg)
{
	int conns[64], peer = -1, extra, fd;
	char c;

	for (int i = 0; i < 64; i++) {
		conns[i] = sb_test_connect(daemon_.socket);
		REQUIRE(conns[i] >= 0);
	}
	extra = sb_test_connect(daemon_.socket);
	fd = sb_test_hanging_socket(&peer);
	REQUIRE(extra >= 0 && fd >= 0);
	REQUIRE(send_fds(extra, SB_TEST_CALL_INFO, sizeof(SB_TEST_CALL_INFO), &fd, 1, 0) == 0);
	close(fd);
	REQUIRE(write(SB_TEST_REPORT_FD, "r", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	for (int i = 0; i < 64; i++)
		close(conns[i]);
	close(extra);
	close(peer);
	return 0;
}

/* The connection refused for nobody's limit is closed by a closing
 * worker, not by the event loop, which would wait out the linger
 * inside it: root is answered at once meanwhile. The daemon is stopped
 * while the connections queue, so the descriptor is on the refused one
 * before it is accepted. */
START_TEST(a_refused_connection_does_not_block_the_loop)
{
	struct timeval tv = {.tv_sec = 5};
	int release, report, conn;
	struct sb_reply reply;
	pid_t holder;
	char c;

	ck_assert(sb_test_stop(daemon_.pid, 5000));
	holder = sb_test_spawn_as(SB_TEST_NOBODY, child_refused_with_a_lingering_socket, NULL,
				  &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	ck_assert_int_eq(kill(daemon_.pid, SIGCONT), 0);
	conn = sb_test_connect(daemon_.socket);
	ck_assert_int_ge(conn, 0);
	ck_assert_int_eq(setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	ck_assert_int_eq(sb_test_call(conn, SB_TEST_CALL_INFO, NULL, 0, &reply, NULL), 0);
	ck_assert_ptr_null(reply.error);
	sb_reply_done(&reply);
	close(conn);
	close(release);
	close(report);
	ck_assert_int_eq(sb_test_wait_exit(holder), 0);
	assert_unharmed();
}
END_TEST

/* One connection's calls per turn. nobody's connection, accepted and
 * answered once, then (the daemon stopped) a run of oneway calls, which
 * no in-flight limit holds back; reports after each step and waits to be
 * told to go on, then to finish. With arg, it closes the connection
 * right after the run is written. */
#define ONEWAY_CALLS 300
#define ONEWAY_UDP                                                                          \
	"{\"method\":\"org.sockbroker.Socket\",\"oneway\":true,\"parameters\":{\"family\":" \
	"\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"protocol\":\"IPPROTO_UDP\"}}"
static int child_oneway_flood(void *arg)
{
	static const char call[] = ONEWAY_UDP;
	static char calls[ONEWAY_CALLS * sizeof(call)];
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	char c;

	REQUIRE(conn >= 0);
	/* Answered: the connection is accepted and watched. */
	REQUIRE(send_fds(conn, SB_TEST_CALL_INFO, sizeof(SB_TEST_CALL_INFO), NULL, 0, 0) == 0);
	REQUIRE(recv(conn, &c, 1, 0) == 1);
	REQUIRE(write(SB_TEST_REPORT_FD, "a", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 1);
	/* One write: a message each would be a buffer each in the kernel,
	 * and 300 of those would not fit while the daemon reads nothing. */
	for (int i = 0; i < ONEWAY_CALLS; i++)
		memcpy(calls + (size_t)i * sizeof(call), call, sizeof(call));
	REQUIRE(send_fds(conn, calls, sizeof(calls), NULL, 0, 0) == 0);
	if (arg)
		close(TAKE_FD(conn));
	REQUIRE(write(SB_TEST_REPORT_FD, "w", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	return 0;
}

/* Another uid's call, queued behind the flood while the daemon is
 * stopped; reports, then waits for the reply. */
static int child_one_udp_socket(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct timeval tv = {.tv_sec = 10};
	char reply[1024];

	REQUIRE(conn >= 0);
	REQUIRE(setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	REQUIRE(send_fds(conn, SB_TEST_CALL_UDP_SOCKET, sizeof(SB_TEST_CALL_UDP_SOCKET), NULL, 0,
			 0) == 0);
	REQUIRE(write(SB_TEST_REPORT_FD, "b", 1) == 1);
	/* The socket that comes with the reply is dropped by recv(). */
	REQUIRE(recv_replies(conn, 1, reply, sizeof(reply)));
	REQUIRE(strstr(reply, "\"fd\"") && !strstr(reply, "\"error\""));
	return 0;
}

/* Oneway calls get no reply, so the in-flight limit does not stop a
 * connection's run of them: the daemon serves a connection at most 16
 * calls per turn, then the others get theirs. The log, in the daemon's
 * order, shows how many of nobody's grants (one decision each: the
 * protocol is named) came before 65533's: two turns at most, since
 * 65533's connection is accepted during nobody's first. Served a read
 * buffer at a time, it was 70 and more. */
START_TEST(oneway_floods_take_turns)
{
	int release, report, other_report, before = 0;
	pid_t flood, other;
	char c, line[512];
	FILE *log;

	flood = sb_test_spawn_as(SB_TEST_NOBODY, child_oneway_flood, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	ck_assert(sb_test_stop(daemon_.pid, 5000));
	ck_assert_int_eq(write(release, "g", 1), 1);
	ck_assert_int_eq(read(report, &c, 1), 1);
	other = sb_test_spawn_as(OTHER_UID, child_one_udp_socket, NULL, NULL, &other_report);
	ck_assert_int_eq(read(other_report, &c, 1), 1);
	close(other_report);
	ck_assert_int_eq(kill(daemon_.pid, SIGCONT), 0);
	ck_assert_int_eq(sb_test_wait_exit(other), 0);
	ck_assert(sb_test_log_wait(daemon_.log, "allow uid=65533 ", 5000));
	log = fopen(daemon_.log, "re");
	ck_assert_ptr_nonnull(log);
	while (fgets(line, sizeof(line), log) && !strstr(line, "allow uid=65533 "))
		before += strstr(line, "allow uid=65534 ") != NULL;
	fclose(log);
	ck_assert_msg(before <= 2 * 16, "%d of nobody's calls were served before the other's",
		      before);
	close(release);
	close(report);
	ck_assert_int_eq(sb_test_wait_exit(flood), 0);
	assert_unharmed();
}
END_TEST

/* Calls a peer sent before it closed are all served, though its turns
 * end with calls left and the hang-up comes meanwhile: each of the 300
 * oneway Socket calls is granted and logged. */
START_TEST(calls_sent_before_a_close_are_all_served)
{
	int release, report, granted = 0;
	char c, line[512];
	pid_t flood;
	FILE *log;

	flood = sb_test_spawn_as(SB_TEST_NOBODY, child_oneway_flood, "close", &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	ck_assert(sb_test_stop(daemon_.pid, 5000));
	ck_assert_int_eq(write(release, "g", 1), 1);
	ck_assert_int_eq(read(report, &c, 1), 1);
	ck_assert_int_eq(kill(daemon_.pid, SIGCONT), 0);
	for (int tries = 0; tries < 100 && granted < ONEWAY_CALLS; tries++) {
		usleep(50 * 1000);
		log = fopen(daemon_.log, "re");
		ck_assert_ptr_nonnull(log);
		for (granted = 0; fgets(line, sizeof(line), log);)
			granted += strstr(line, "allow uid=65534 ") != NULL;
		fclose(log);
	}
	ck_assert_msg(granted == ONEWAY_CALLS, "%d of %d calls sent before the close were served",
		      granted, ONEWAY_CALLS);
	close(release);
	close(report);
	ck_assert_int_eq(sb_test_wait_exit(flood), 0);
	assert_unharmed();
}
END_TEST

/* A connection whose turn ends with calls left must not read more until
 * they are served. nobody: leaves 13 long replies unread (so the
 * daemon's end is not writable, yet not stalled), grows the daemon's
 * read buffer to 64 KiB with one long call, then streams small oneway
 * calls for arg seconds. Reports the bytes it got to send. */
static int child_stream_behind_unread_replies(void *arg)
{
	static const char describe[] =
		"{\"method\":\"org.varlink.service.GetInterfaceDescription\","
		"\"parameters\":{\"interface\":\"org.sockbroker\"}}";
	static const char oneway[] = "{\"method\":\"org.sockbroker.Info\",\"oneway\":true}";
	static const char head[] = "{\"oneway\":true,",
			  tail[] = "\"method\":\"org.sockbroker.Info\"}";
	static char big[48 * 1024], chunk[16 * 1024];
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	long until = sb_test_now_ms() + *(int *)arg * 1000L;
	unsigned long long sent = 0;
	size_t n = 0;

	REQUIRE(conn >= 0);
	for (int i = 0; i < 13; i++)
		REQUIRE(send_fds(conn, describe, sizeof(describe), NULL, 0, 0) == 0);
	/* One oneway call, long with white space. */
	memset(big, ' ', sizeof(big));
	memcpy(big, head, sizeof(head) - 1);
	memcpy(big + sizeof(big) - sizeof(tail), tail, sizeof(tail));
	REQUIRE(send_fds(conn, big, sizeof(big), NULL, 0, 0) == 0);
	while (n + sizeof(oneway) <= sizeof(chunk)) {
		memcpy(chunk + n, oneway, sizeof(oneway));
		n += sizeof(oneway);
	}
	REQUIRE(fcntl(conn, F_SETFL, O_NONBLOCK) == 0);
	while (sb_test_now_ms() < until) {
		struct pollfd p = {.fd = conn, .events = POLLOUT};
		ssize_t k;

		if (poll(&p, 1, 100) <= 0)
			continue;
		k = send(conn, chunk, n, MSG_NOSIGNAL);
		REQUIRE(k > 0 || errno == EAGAIN);
		/* Whole calls only: what is left of a partial one first. */
		if (k > 0 && (size_t)k < n) {
			REQUIRE(fcntl(conn, F_SETFL, 0) == 0);
			REQUIRE(send(conn, chunk + k, n - (size_t)k, MSG_NOSIGNAL) ==
				(ssize_t)(n - (size_t)k));
			REQUIRE(fcntl(conn, F_SETFL, O_NONBLOCK) == 0);
		}
		if (k > 0)
			sent += n;
	}
	REQUIRE(dprintf(SB_TEST_REPORT_FD, "%llu\n", sent) > 0);
	return 0;
}

/* What the daemon reads and has not yet served stays one read's worth:
 * a connection that ended its turn with calls left serves those before
 * it reads again, whatever woke it. Reading on, it kept every read's
 * calls, and its memory grew as fast as the client could write. */
START_TEST(a_connection_holds_one_read_of_calls)
{
	int seconds = 3, report;
	char line[32] = "";
	long before, after;
	pid_t streamer;

	before = sb_test_rss_kib(daemon_.pid);
	streamer = sb_test_spawn_as(SB_TEST_NOBODY, child_stream_behind_unread_replies, &seconds,
				    NULL, &report);
	ck_assert_int_eq(sb_test_wait_exit(streamer), 0);
	after = sb_test_rss_kib(daemon_.pid);
	ck_assert_int_gt(read(report, line, sizeof(line) - 1), 0);
	close(report);
	fprintf(stderr, "# streamed %s bytes; daemon RSS %ld -> %ld KiB%s\n", strtok(line, "\n"),
		before, after, SB_TEST_RSS_CHECKED ? "" : " (not checked under AddressSanitizer)");
	ck_assert_int_gt(before, 0);
	if (SB_TEST_RSS_CHECKED)
		ck_assert_int_lt(after - before, 8 * 1024);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ idle */

static void start_short_idle(void)
{
	static const char *const args[] = {"--idle-timeout=2", NULL};

	sb_test_daemon_start(&daemon_, policy_text, args);
	baseline_fds = sb_test_daemon_quiet_fds(&daemon_);
}

/* One byte of a call every half second: activity only in appearance. */
static int child_trickle(void *arg)
{
	int conn = sb_test_connect(daemon_.socket);
	long start = sb_test_now_ms();

	REQUIRE(conn >= 0);
	for (size_t i = 0; i < 20; i++) {
		char c;

		if (send(conn, SB_TEST_CALL_INFO + (i % 5), 1, MSG_NOSIGNAL) != 1 ||
		    (sb_test_readable(conn, 0) && recv(conn, &c, 1, MSG_DONTWAIT) == 0)) {
			/* Closed by the daemon: after the timeout, not before. */
			long held = sb_test_now_ms() - start;

			close(conn);
			return held >= 1500 ? 0 : 11;
		}
		sb_test_sleep_ms(500);
	}
	close(conn);
	return 10;
}

START_TEST(trickled_bytes_do_not_defeat_the_idle_timeout)
{
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_trickle, NULL), 0);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ descriptor pinning */

/* Descriptors sent with a call that never ends stay with the daemon until
 * the connection goes: 64 connections of one uid with up to 253 each. */
static int child_pin_fds(void *arg)
{
	int conns[64], p[2], n_conns = 64;
	long pinned = 0;
	char c;

	REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	for (int i = 0; i < n_conns; i++) {
		conns[i] = sb_test_connect(daemon_.socket);
		REQUIRE(conns[i] >= 0);
	}
	/* One descriptor per send, round robin, as long as the daemon takes
	 * them (a connection it drops stops counting). */
	for (int k = 0; k < (int)SB_FDS_MAX; k++) {
		for (int i = 0; i < n_conns; i++) {
			char byte = k == 0 ? '{' : ' ';

			if (conns[i] < 0)
				continue;
			if (send_fds(conns[i], &byte, 1, &p[1], 1, MSG_DONTWAIT) < 0)
				conns[i] = safe_close(conns[i]);
			else
				pinned++;
		}
	}
	printf("# one uid sent %ld descriptors inside unfinished calls\n", pinned);
	fflush(stdout);
	close(p[1]);
	REQUIRE(write(SB_TEST_REPORT_FD, "x", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	return 0;
}

START_TEST(pinned_descriptors_do_not_starve_others)
{
	/* What one uid may cost the daemon: its 64 connections, each with
	 * the one descriptor a call can carry and the 16 replies that may
	 * be queued. The unit's LimitNOFILE=16384 serves all users. */
	const int budget = 64 * (1 + 1 + 16);
	int release, report, held;
	char c;
	pid_t pid;

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_pin_fds, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	close(report);
	held = sb_test_count_fds(daemon_.pid) - baseline_fds;
	printf("# one uid makes the daemon hold %d descriptors (budget %d)\n", held, budget);
	fflush(stdout);
	/* Another user still gets a socket. */
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_served, NULL), 0);
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	ck_assert_int_le(held, budget);
	assert_unharmed();
}
END_TEST

/* ------------------------------------------------------------ what clients control */

static int child_odd_comm(void *arg)
{
	int conn, fd = -1;
	struct sb_reply reply;
	char c;

	/* The kernel takes any bytes as a task name: a newline to forge a
	 * log line and bytes that are not UTF-8 to break JSON. */
	REQUIRE(prctl(PR_SET_NAME, "x\nallow uid=0\xff\xfe", 0, 0, 0) == 0);
	conn = sb_test_connect(daemon_.socket);
	REQUIRE(conn >= 0);
	REQUIRE(sb_test_call(conn, SB_TEST_CALL_UDP_SOCKET, NULL, 0, &reply, &fd) == 0 &&
		!reply.error && fd >= 0);
	sb_reply_done(&reply);
	REQUIRE(write(SB_TEST_REPORT_FD, "x", 1) == 1);
	/* Keep the grant alive until released. */
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	close(fd);
	return 0;
}

static bool log_lines_all_daemon_s(const char *path, char *bad, size_t size)
{
	char line[4096];
	bool ok = true, at_start = true;
	FILE *f = fopen(path, "re");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (at_start && strncmp(line, "sockbrokerd: ", 13) != 0 && ok) {
			snprintf(bad, size, "%s", line);
			ok = false;
		}
		at_start = strchr(line, '\n') != NULL;
	}
	fclose(f);
	return ok;
}

/* nobody holds a granted socket under a hostile task name while fn runs
 * as the test. */
static void with_odd_comm_grant(void (*fn)(void))
{
	int release, report;
	char c;
	pid_t pid;

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_odd_comm, NULL, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	close(report);
	fn();
	close(release);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
}

static void check_admin_list_parses(void)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	_cleanup_free_ char *text = NULL;
	struct sb_reply reply;
	struct sb_error err;

	ck_assert_int_eq(sb_test_call_raw(conn, "{\"method\":\"org.sockbroker.admin.List\"}", NULL,
					  0, &text, NULL),
			 0);
	ck_assert_msg(sb_reply_parse(text, strlen(text), &reply, &err) == 0,
		      "admin.List reply rejected: %s", err.message);
	ck_assert_ptr_null(reply.error);
	sb_reply_done(&reply);
}

static void nothing(void)
{
}

START_TEST(client_names_do_not_break_admin_list)
{
	/* The admin's view of the grant is valid JSON a client can read. */
	with_odd_comm_grant(check_admin_list_parses);
	assert_unharmed();
}
END_TEST

START_TEST(client_names_cannot_forge_log_lines)
{
	char bad[4096] = "";

	with_odd_comm_grant(nothing);
	/* Every line of the log is the daemon's own, once the grant's is
	 * written. */
	ck_assert(sb_test_log_wait(daemon_.log, "comm=x\\x0aallow", 2000));
	ck_assert_msg(log_lines_all_daemon_s(daemon_.log, bad, sizeof(bad)), "forged log line: %s",
		      bad);
	assert_unharmed();
}
END_TEST

static int child_many_grants(void *arg)
{
	int n = *(int *)arg, *fds = calloc((size_t)n, sizeof(int));
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	char c;

	REQUIRE(fds && conn >= 0);
	for (int i = 0; i < n; i++) {
		struct sb_reply reply;

		REQUIRE(sb_test_call(conn, SB_TEST_CALL_UDP_SOCKET, NULL, 0, &reply, &fds[i]) ==
				0 &&
			!reply.error);
		sb_reply_done(&reply);
	}
	REQUIRE(write(SB_TEST_REPORT_FD, "x", 1) == 1);
	REQUIRE(read(STDIN_FILENO, &c, 1) == 0);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

START_TEST(many_grants_do_not_break_admin_list)
{
	_cleanup_close_ int conn = -1;
	_cleanup_free_ char *text = NULL;
	int n = 900, release, report, r;
	char c;
	pid_t pid;

	pid = sb_test_spawn_as(SB_TEST_NOBODY, child_many_grants, &n, &release, &report);
	ck_assert_int_eq(read(report, &c, 1), 1);
	close(report);
	/* An unprivileged user holding many sockets must not make the
	 * admin's List unreadable (a reply over the message limit is). */
	conn = sb_test_connect(daemon_.socket);
	r = sb_test_call_raw(conn, "{\"method\":\"org.sockbroker.admin.List\"}", NULL, 0, &text,
			     NULL);
	close(release);
	conn = safe_close(conn);
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	ck_assert_msg(r == 0, "admin.List with %d live grants: %s", n, strerror(-r));
	assert_unharmed();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");

	sb_test_hermetic();

	if (!sb_test_is_root())
		sb_test_skip_all(
			"hostile-client tests need root (to start sockbrokerd and drop to nobody)");
	SB_TEST_FIXTURE(s, garbage_gets_error_replies, start, stop);
	SB_TEST_FIXTURE(s, message_without_nul_is_cut_at_the_limit, start, stop);
	SB_TEST_FIXTURE(s, deep_json_nesting_is_refused, start, stop);
	SB_TEST_FIXTURE(s, wrong_descriptor_counts_are_closed, start, stop);
	SB_TEST_FIXTURE(s, unusable_descriptors_are_refused, start, stop);
	SB_TEST_FIXTURE(s, slow_writers_do_not_stall_others, start, stop);
	SB_TEST_FIXTURE(s, parse_heavy_calls_are_refused_cheaply, start, stop);
	SB_TEST_FIXTURE(s, parse_heavy_calls_do_not_delay_others, start, stop);
	SB_TEST_FIXTURE(s, clients_killed_before_their_replies, start, stop);
	SB_TEST_FIXTURE(s, client_that_never_reads_is_bounded, start, stop);
	SB_TEST_FIXTURE(s, per_uid_connection_limit_holds_and_recovers, start, stop);
	SB_TEST_FIXTURE(s, ten_thousand_connect_close_cycles, start, stop);
	SB_TEST_FIXTURE(s, subordinate_uids_share_their_owners_limit, start_with_subids, stop);
	SB_TEST_FIXTURE(s, v6only_cleared_during_bind_gets_no_ipv4, start, stop);
	SB_TEST_FIXTURE(s, connection_reserve_serves_other_users, start_small_table, stop);
	SB_TEST_FIXTURE(s, pinned_descriptors_do_not_starve_others, start, stop);
	SB_TEST_FIXTURE(s, trickled_bytes_do_not_defeat_the_idle_timeout, start_short_idle, stop);
	sb_test_add(s, "slow_closes_do_not_block_others", slow_closes_do_not_block_others, start,
		    stop, 60);
	SB_TEST_FIXTURE(s, a_hanging_close_holds_one_worker_only, start, stop);
	SB_TEST_FIXTURE(s, lingering_closes_do_not_hold_the_workers, start, stop);
	SB_TEST_FIXTURE(s, a_refused_connection_does_not_block_the_loop, start, stop);
	SB_TEST_FIXTURE(s, oneway_floods_take_turns, start, stop);
	SB_TEST_FIXTURE(s, calls_sent_before_a_close_are_all_served, start, stop);
	SB_TEST_FIXTURE(s, a_connection_holds_one_read_of_calls, start, stop);
	SB_TEST_FIXTURE(s, client_names_do_not_break_admin_list, start, stop);
	SB_TEST_FIXTURE(s, client_names_cannot_forge_log_lines, start, stop);
	SB_TEST_FIXTURE(s, many_grants_do_not_break_admin_list, start, stop);
	return sb_test_run(s);
}
