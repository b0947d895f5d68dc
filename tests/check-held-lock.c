/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A client that holds its own socket's lock, then asks the daemon to act
 * on that socket. The lock is held the way an unprivileged attacker holds
 * it with a FUSE file it serves itself: a sendto() with MSG_MORE takes
 * lock_sock() and then faults on a page nobody serves. Here the page is a
 * userfaultfd range of the test's own, which root may register for
 * faults taken in the kernel. Any bind() or setsockopt() on the socket
 * sleeps until the page is served, and no signal ends that sleep: the
 * daemon must keep serving everyone else meanwhile (docs/SECURITY.md). */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/frame.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#define OTHER_UID 65533

static const char policy_text[] = "allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n"
				  "allow user:nobody bind family=AF_INET,AF_INET6 port=80\n"
				  "deny user:nobody bind family=AF_INET address=0.0.0.0/32\n"
				  "allow user:65533 setsockopt option=SO_MARK value=0x100-0x1ff\n";

/* A call that waits longer than this, for another uid, waited for the
 * attacker (a loaded machine still answers well within it). */
#define PROMPT_MS 1500

static struct sb_test_daemon daemon_;

/* The held lock: a UDP socket whose corked send faults on page. */
struct held {
	int sock;
	int uffd;
	void *page;
	size_t size;
	pthread_t sender;
	bool mptcp; /* an MPTCP stream connected to peer, else UDP */
	int peer;
};

static void *send_faulting(void *arg)
{
	struct held *h = arg;
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(9),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	/* MSG_MORE corks: udp_sendmsg() copies the data under lock_sock(),
	 * as mptcp_sendmsg() always does. */
	if (h->mptcp)
		(void)send(h->sock, h->page, 64, 0);
	else
		(void)sendto(h->sock, h->page, 64, MSG_MORE, (struct sockaddr *)&to, sizeof(to));
	return NULL;
}

/* An MPTCP socket over loopback, connected; false when the kernel has no
 * MPTCP (or it is off in this namespace). */
static bool mptcp_pair(struct held *h)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(a);
	_cleanup_close_ int listener = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

	if (listener < 0)
		return false;
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(listener, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(listen(listener, 1), 0);
	h->sock = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	ck_assert_int_ge(h->sock, 0);
	ck_assert_int_eq(connect(h->sock, (struct sockaddr *)&a, sizeof(a)), 0);
	h->peer = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(h->peer, 0);
	return true;
}

/* Whether the lock could be taken: false when userfaultfd is missing
 * (the test skips then). */
static bool hold_lock(struct held *h)
{
	struct uffdio_api api = {.api = UFFD_API};
	struct uffdio_register reg = {.mode = UFFDIO_REGISTER_MODE_MISSING};
	struct pollfd pfd;
	struct uffd_msg msg;

	h->size = (size_t)sysconf(_SC_PAGESIZE);
	h->peer = -1;
	if (h->mptcp && !mptcp_pair(h))
		return false;
	h->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h->uffd < 0 || ioctl(h->uffd, UFFDIO_API, &api) < 0)
		return false;
	h->page = mmap(NULL, h->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(h->page, MAP_FAILED);
	reg.range.start = (unsigned long)h->page;
	reg.range.len = h->size;
	ck_assert_int_eq(ioctl(h->uffd, UFFDIO_REGISTER, &reg), 0);
	if (!h->mptcp)
		h->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(h->sock, 0);
	ck_assert_int_eq(pthread_create(&h->sender, NULL, send_faulting, h), 0);
	/* The fault arrives once the sender sleeps in it, lock held. */
	pfd = (struct pollfd){.fd = h->uffd, .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(read(h->uffd, &msg, sizeof(msg)), (ssize_t)sizeof(msg));
	ck_assert_int_eq(msg.event, UFFD_EVENT_PAGEFAULT);
	return true;
}

/* Serve the page: the send completes and the lock is released. */
static void release_lock(struct held *h)
{
	struct uffdio_zeropage zero = {.range = {(unsigned long)h->page, h->size}};

	ck_assert_int_eq(ioctl(h->uffd, UFFDIO_ZEROPAGE, &zero), 0);
	ck_assert_int_eq(pthread_join(h->sender, NULL), 0);
	close(h->uffd);
	close(h->sock);
	safe_close(h->peer);
	munmap(h->page, h->size);
}

/* A call on a fresh connection that gives up after wait_ms: its errno as
 * sb_test_call_errno() gives it, or -ETIMEDOUT. */
static int call_within(const char *json, int fd, long wait_ms)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	struct timeval tv = {.tv_sec = wait_ms / 1000, .tv_usec = (wait_ms % 1000) * 1000};
	struct sb_reply reply;
	int r;

	if (conn < 0)
		return conn;
	if (setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	r = sb_test_call(conn, json, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, &reply, NULL);
	if (r == -EAGAIN || r == -EWOULDBLOCK)
		return -ETIMEDOUT;
	if (r < 0)
		return r;
	r = reply.error ? reply.errnum : 0;
	sb_reply_done(&reply);
	return r;
}

struct stuck_call {
	const char *json;
	int fd;
	int want; /* the errno of the reply once the lock is released */
};

/* A call on the locked socket: it waits (as long as the lock is held),
 * then must get its answer. */
static int child_stuck_call(void *arg)
{
	const struct stuck_call *sc = arg;
	int r = call_within(sc->json, sc->fd, 60 * 1000);

	if (r != sc->want)
		fprintf(stderr, "call on the locked socket: %d, want %d\n", r, sc->want);
	return r == sc->want ? 0 : 1;
}

/* Other clients, meanwhile: nobody's Info and another uid's SetSockOpt on
 * its own socket are answered promptly. */
static int child_others_served(void *arg)
{
	_cleanup_close_ int own = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long t0 = sb_test_now_ms();
	int r;

	REQUIRE(own >= 0);
	r = call_within(SB_TEST_CALL_SET_MARK, own, PROMPT_MS);
	fprintf(stderr, "another uid's SetSockOpt: %d after %ld ms\n", r, sb_test_now_ms() - t0);
	REQUIRE(r == 0);
	REQUIRE(sb_test_sockopt_int(own, SOL_SOCKET, SO_MARK) == 256);
	return 0;
}

static int child_info(void *arg)
{
	int r = call_within(SB_TEST_CALL_INFO, -1, PROMPT_MS);

	if (r != 0)
		fprintf(stderr, "Info while calls wait on a locked socket: %d\n", r);
	return r == 0 ? 0 : 1;
}

/* n calls of nobody's on the locked socket (more than the workers, when
 * n is 20), then the others. */
static void stuck_calls_leave_others_served(int n)
{
	struct held h = {.mptcp = false};
	pid_t stuck[32];
	struct stuck_call mark = {SB_TEST_CALL_SET_MARK, -1, 0};
	/* The corked send bound the socket to a port of its own. */
	struct stuck_call bind80 = {SB_TEST_CALL_BIND_80, -1, EINVAL};

	SB_NEED_ROOT();
	sb_test_daemon_start(&daemon_, policy_text, NULL);
	sb_test_daemon_kill_at_exit(&daemon_);
	if (!hold_lock(&h))
		SB_SKIP("no userfaultfd (%s): cannot hold a socket's lock", strerror(errno));
	mark.fd = bind80.fd = h.sock;
	for (int i = 0; i < n; i++)
		stuck[i] =
			sb_test_fork_as(SB_TEST_NOBODY, child_stuck_call, i == 0 ? &bind80 : &mark);
	/* Let every call reach the daemon. */
	sb_test_sleep_ms(300);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_info, NULL), 0);
	ck_assert_int_eq(sb_test_run_as(OTHER_UID, child_others_served, NULL), 0);
	release_lock(&h);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(sb_test_wait_exit(stuck[i]), 0);
	sb_test_daemon_stop(&daemon_);
}

START_TEST(a_held_socket_lock_does_not_stop_the_loop)
{
	stuck_calls_leave_others_served(2);
}
END_TEST

/* One owner's stuck calls take at most its share of the workers. */
START_TEST(one_owner_cannot_take_every_worker)
{
	stuck_calls_leave_others_served(20);
}
END_TEST

#define BIND_ANY6_80                                                    \
	"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0," \
	"\"address\":{\"host\":\"::\",\"port\":80}}}"

/* A bind to [::]:80 whose IPv4 side the policy denies depends on the
 * socket's IPV6_V6ONLY, and MPTCP's getsockopt() takes the socket's
 * lock: the daemon must read it off the loop too. */
START_TEST(a_held_mptcp_lock_does_not_stop_the_loop)
{
	struct held h = {.mptcp = true};
	/* Not IPv6-only, and the policy denies its IPv4 side: refused once
	 * the lock is let go. */
	struct stuck_call bind6 = {BIND_ANY6_80, -1, EACCES};
	pid_t stuck;

	SB_NEED_ROOT();
	sb_test_daemon_start(&daemon_, policy_text, NULL);
	sb_test_daemon_kill_at_exit(&daemon_);
	if (!hold_lock(&h))
		SB_SKIP("no MPTCP or no userfaultfd (%s): cannot hold an MPTCP socket's lock",
			strerror(errno));
	bind6.fd = h.sock;
	stuck = sb_test_fork_as(SB_TEST_NOBODY, child_stuck_call, &bind6);
	sb_test_sleep_ms(300);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_info, NULL), 0);
	release_lock(&h);
	ck_assert_int_eq(sb_test_wait_exit(stuck), 0);
	sb_test_daemon_stop(&daemon_);
}
END_TEST

/* A Bind to [::]:80 on an IPv6-only socket, made while the owner's
 * workers are busy, and given up: its connection closes while it waits. */
static int child_bind_and_give_up(void *arg)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	_cleanup_close_ int s6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	REQUIRE(conn >= 0 && s6 >= 0);
	REQUIRE(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
	REQUIRE(sb_send_message(conn, BIND_ANY6_80, strlen(BIND_ANY6_80), &s6, 1) == 0);
	sb_test_sleep_ms(200);
	return 0;
}

/* What a Bind needs to enforce a policy (the IPv4 side of [::]:80, held
 * while the socket is bound) is taken only when it runs: one given up
 * while waiting for its turn leaves the port free. */
START_TEST(a_bind_given_up_while_waiting_holds_no_port)
{
	struct held h = {.mptcp = false};
	struct stuck_call mark = {SB_TEST_CALL_SET_MARK, -1, 0};
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons(80)};
	_cleanup_close_ int probe = -1;
	pid_t stuck[2];

	SB_NEED_ROOT();
	sb_test_daemon_start(&daemon_, policy_text, NULL);
	sb_test_daemon_kill_at_exit(&daemon_);
	if (!hold_lock(&h))
		SB_SKIP("no userfaultfd (%s): cannot hold a socket's lock", strerror(errno));
	mark.fd = h.sock;
	/* nobody's two workers, stuck. */
	for (int i = 0; i < 2; i++)
		stuck[i] = sb_test_fork_as(SB_TEST_NOBODY, child_stuck_call, &mark);
	sb_test_sleep_ms(300);
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_bind_and_give_up, NULL), 0);
	sb_test_sleep_ms(200);
	release_lock(&h);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(sb_test_wait_exit(stuck[i]), 0);
	/* Every call answered; 0.0.0.0:80 is nobody's. */
	ck_assert_int_eq(sb_test_run_as(SB_TEST_NOBODY, child_info, NULL), 0);
	probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(probe, 0);
	ck_assert_msg(bind(probe, (struct sockaddr *)&any, sizeof(any)) == 0,
		      "0.0.0.0:80 is still taken: %m");
	sb_test_daemon_stop(&daemon_);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("held-lock");

	sb_test_hermetic();

	SB_TEST(s, a_held_socket_lock_does_not_stop_the_loop);
	SB_TEST(s, one_owner_cannot_take_every_worker);
	SB_TEST(s, a_held_mptcp_lock_does_not_stop_the_loop);
	SB_TEST(s, a_bind_given_up_while_waiting_holds_no_port);
	return sb_test_run(s);
}
