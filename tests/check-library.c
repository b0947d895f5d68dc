/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsockbroker against the real daemon: every public function, as
 * nobody, each after proving that nobody cannot do the same without the
 * broker. The tests that need no daemon run anywhere. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netpacket/packet.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "client/lib/sockbroker.h"
#include "proto/frame.h"
#include "proto/protocol.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Ports below 1024 that only these tests use (the examples use 7). */
#define PORT_UDP 1000
#define PORT_TCP 1001
#define PORT_SPEC 1002
#define PORT_REQUEST 1003
#define PORT_HANDLE 1004
#define PORT_RESTART 1005
#define PORT_DENIED 1020

static const char policy[] =
	"allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n"
	"allow user:nobody socket family=AF_INET6 type=SOCK_RAW protocol=IPPROTO_ICMPV6\n"
	"allow user:nobody socket family=AF_PACKET type=SOCK_RAW\n"
	"allow user:nobody socket family=AF_NETLINK\n"
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_DGRAM,SOCK_STREAM\n"
	"allow user:nobody socket family=AF_INET type=SOCK_DGRAM netns=*\n"
	"allow user:nobody bind family=AF_INET port=1000-1010\n"
	"allow user:nobody bind family=AF_NETLINK,AF_PACKET\n"
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n"
	"allow user:nobody setsockopt option=SO_BINDTODEVICE\n"
	"allow user:nobody setsockopt option=TCP_CONGESTION value=reno\n";

static struct sb_test_daemon daemon_;

#define NEED_DAEMON()                                               \
	do {                                                        \
		SB_NEED_ROOT();                                     \
		sb_test_daemon_start_for_library(&daemon_, policy); \
	} while (0)

static void stop_daemon(void)
{
	sb_test_daemon_stop(&daemon_);
}

static void run_as_nobody(int (*fn)(void *), void *arg)
{
	ck_assert_int_eq(sb_test_run_as_nobody(fn, arg), 0);
}

static bool is_cloexec(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

static bool is_nonblock(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

static int count_my_fds(void)
{
	return sb_test_count_fds(getpid());
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static struct sockaddr_in inet_addr_port(const char *host, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	inet_pton(AF_INET, host, &sin.sin_addr);
	return sin;
}

static int local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -errno;
	return ntohs(sin.sin_port);
}

/* Send one UDP datagram to 127.0.0.1:port from an ordinary socket. */
static void send_udp(int port)
{
	struct sockaddr_in to = inet_addr_port("127.0.0.1", port);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		sendto(fd, "sockbroker", 10, 0, (struct sockaddr *)&to, sizeof(to));
		close(fd);
	}
}

/* ---------------------------------------------------------------------
 * Without a daemon
 */

START_TEST(test_no_broker_enoent)
{
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), fd2;
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", 0);
	struct sockbroker_request *req;
	struct sockbroker_info info;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", "/nonexistent/sockbroker.sock", 1), 0);
	errno = 0;
	ck_assert_int_eq(sockbroker_socket(AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(sockbroker_last_message(), "");
	errno = 0;
	ck_assert_int_eq(sockbroker_bind(fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &one, sizeof(one)), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* A spec asks the broker only for what needs privilege: a socket in
	 * another namespace, say. One that needs none works without it. */
	errno = 0;
	ck_assert_int_eq(sockbroker_socket_spec("AF_INET:SOCK_DGRAM,netns=sbtest"), -1);
	ck_assert_int_eq(errno, ENOENT);
	fd2 = sockbroker_socket_spec("AF_INET:SOCK_DGRAM,SO_REUSEADDR@127.0.0.1:0");
	ck_assert_int_ge(fd2, 0);
	close(fd2);
	errno = 0;
	ck_assert_int_eq(sockbroker_info(NULL, &info), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* So does a request: a socket in another namespace is the broker's
	 * to make; a bind to an unprivileged port is the caller's own. */
	req = sockbroker_request_new(AF_INET, SOCK_DGRAM, 0);
	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(sockbroker_request_netns(req, "sbtest"), 0);
	errno = 0;
	ck_assert_int_eq(sockbroker_socket_request(NULL, req), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sockbroker_request_netns(req, NULL), 0);
	ck_assert_int_eq(sockbroker_request_bind(req, (struct sockaddr *)&sin, sizeof(sin)), 0);
	fd2 = sockbroker_socket_request(NULL, req);
	ck_assert_int_ge(fd2, 0);
	close(fd2);
	sockbroker_request_free(req);

	errno = 0;
	ck_assert_ptr_null(sockbroker_open(NULL));
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(sockbroker_open("/nonexistent/other.sock"));
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_ptr_null(sockbroker_open(""));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(
		sockbroker_open("/tmp/a-path-much-longer-than-sun-path-allows-for-a-unix-socket-"
				"address-which-is-one-hundred-and-eight-bytes.sock"));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	close(fd);
}
END_TEST

START_TEST(test_no_broker_econnrefused)
{
	char dir[] = "/tmp/sockbroker-lib-XXXXXX", path[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	/* A socket file nobody listens on: what a crashed daemon leaves. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", path, 1), 0);

	errno = 0;
	ck_assert_int_eq(sockbroker_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	errno = 0;
	ck_assert_ptr_null(sockbroker_open(path));
	ck_assert_int_eq(errno, ECONNREFUSED);

	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_local_argument_checks)
{
	char big[SB_OPTVAL_MAX + 1] = "lo";
	int v = 0x100, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", 80);

	/* No daemon: a check that went to the broker would say ENOENT. */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", "/nonexistent/sockbroker.sock", 1), 0);

#define LOCAL_FAILS(call, err)                                                \
	do {                                                                  \
		errno = 0;                                                    \
		ck_assert_int_eq((long)(call), -1);                           \
		ck_assert_msg(errno == (err), "%s: errno %s, want %s", #call, \
			      strerrorname_np(errno), strerrorname_np(err));  \
	} while (0)
	/* Absurd option lengths, as integers and as text. */
	LOCAL_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, big, sizeof(big)), EINVAL);
	LOCAL_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, big, sizeof(big)),
		    EINVAL);
	LOCAL_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &v, (socklen_t)-1), EINVAL);
	LOCAL_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &v, 2), EINVAL);
	LOCAL_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, NULL, sizeof(int)), EFAULT);
	/* Descriptors that cannot be one. */
	LOCAL_FAILS(sockbroker_setsockopt(-1, SOL_SOCKET, SO_MARK, &v, sizeof(v)), EBADF);
	LOCAL_FAILS(sockbroker_bind(-1, (struct sockaddr *)&sin, sizeof(sin)), EBADF);
	LOCAL_FAILS(sockbroker_bind(fd, NULL, 0), EINVAL);
	LOCAL_FAILS(sockbroker_bind(fd, NULL, sizeof(sin)), EFAULT);
	LOCAL_FAILS(sockbroker_bind(fd, (struct sockaddr *)&sin, 1), EINVAL);
	LOCAL_FAILS(sockbroker_bind(fd, (struct sockaddr *)&sin, 4096), EINVAL);
	/* An address of another family than the socket's. */
	{
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
		int p[2];

		LOCAL_FAILS(sockbroker_bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)),
			    EAFNOSUPPORT);
		/* Not a socket at all, or no descriptor. */
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		LOCAL_FAILS(sockbroker_bind(p[0], (struct sockaddr *)&sin, sizeof(sin)), ENOTSOCK);
		LOCAL_FAILS(sockbroker_bind(900, (struct sockaddr *)&sin, sizeof(sin)), EBADF);
		/* The descriptor is judged before the address, as bind(2)
		 * does. */
		LOCAL_FAILS(bind(p[0], (struct sockaddr *)&sin, 4096), ENOTSOCK);
		LOCAL_FAILS(sockbroker_bind(p[0], (struct sockaddr *)&sin, 4096), ENOTSOCK);
		LOCAL_FAILS(bind(p[0], NULL, 0), ENOTSOCK);
		LOCAL_FAILS(sockbroker_bind(p[0], NULL, 0), ENOTSOCK);
		LOCAL_FAILS(bind(900, NULL, sizeof(sin)), EBADF);
		LOCAL_FAILS(sockbroker_bind(900, NULL, sizeof(sin)), EBADF);
		LOCAL_FAILS(setsockopt(p[0], SOL_SOCKET, SO_MARK, NULL, sizeof(int)), ENOTSOCK);
		LOCAL_FAILS(sockbroker_setsockopt(p[0], SOL_SOCKET, SO_MARK, NULL, sizeof(int)),
			    ENOTSOCK);
		LOCAL_FAILS(setsockopt(900, SOL_SOCKET, SO_MARK, &v, 2), EBADF);
		LOCAL_FAILS(sockbroker_setsockopt(900, SOL_SOCKET, SO_MARK, &v, 2), EBADF);
		close(p[0]);
		close(p[1]);
	}
	/* Types with bits socket(2) refuses. */
	LOCAL_FAILS(sockbroker_socket(AF_INET, SOCK_DGRAM | 0x100, 0), EINVAL);
	LOCAL_FAILS(sockbroker_socket_at(NULL, AF_INET, -1, 0), EINVAL);
	/* Text forms that do not parse. */
	LOCAL_FAILS(sockbroker_socket_spec(NULL), EINVAL);
	LOCAL_FAILS(sockbroker_socket_spec("AF_INET"), EINVAL);
	LOCAL_FAILS(sockbroker_socket_spec("AF_NOPE:SOCK_RAW"), EINVAL);
	LOCAL_FAILS(sockbroker_socket_spec("AF_INET:SOCK_DGRAM@127.0.0.1:99999"), EINVAL);
	LOCAL_FAILS(sockbroker_info(NULL, NULL), EINVAL);
	ck_assert_str_eq(sockbroker_last_message(), "");
#undef LOCAL_FAILS
	close(fd);
}
END_TEST

START_TEST(test_request_builder_checks)
{
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", 80);
	struct sockbroker_request *req;
	char name[SB_NETNS_NAME_MAX + 2];
	int v = 0x100;

	errno = 0;
	ck_assert_ptr_null(sockbroker_request_new(AF_INET, SOCK_DGRAM | 0x10000, 0));
	ck_assert_int_eq(errno, EINVAL);
	req = sockbroker_request_new(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_ptr_nonnull(req);

	ck_assert_int_eq(sockbroker_request_listen(req, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_listen(req, 65536), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_listen(req, 65535), 0);
	ck_assert_int_eq(sockbroker_request_listen(NULL, 1), -1);
	ck_assert_int_eq(errno, EINVAL);

	ck_assert_int_eq(sockbroker_request_netns(req, ""), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_netns(req, "a/b"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_netns(req, ".."), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_netns(req, ".x"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_netns(req, "a b"), -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ck_assert_int_eq(sockbroker_request_netns(req, name), -1);
	ck_assert_int_eq(errno, EINVAL);
	name[SB_NETNS_NAME_MAX] = 0;
	ck_assert_int_eq(sockbroker_request_netns(req, name), 0);
	ck_assert_int_eq(sockbroker_request_netns(req, NULL), 0);

	ck_assert_int_eq(sockbroker_request_bind(req, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_bind(req, (struct sockaddr *)&sin, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_request_bind(req, (struct sockaddr *)&sin, sizeof(sin)), 0);

	ck_assert_int_eq(sockbroker_request_setsockopt(req, SOL_SOCKET, SO_MARK, &v, 1000), -1);
	ck_assert_int_eq(errno, EINVAL);
	for (unsigned i = 0; i < SB_OPTIONS_MAX; i++)
		ck_assert_int_eq(
			sockbroker_request_setsockopt(req, SOL_SOCKET, SO_MARK, &v, sizeof(v)), 0);
	ck_assert_int_eq(sockbroker_request_setsockopt(req, SOL_SOCKET, SO_MARK, &v, sizeof(v)),
			 -1);
	ck_assert_int_eq(errno, E2BIG);

	errno = 0;
	ck_assert_int_eq(sockbroker_socket_request(NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = EXDEV;
	sockbroker_request_free(req);
	sockbroker_request_free(NULL);
	sockbroker_close(NULL);
	ck_assert_int_eq(errno, EXDEV);
}
END_TEST

/* Address helpers: each text form parses and formats back to itself,
 * and the formatted text parses to the same bytes. */
static const struct addr_case {
	int family;
	int protocol;
	const char *text;
} addr_cases[] = {
	{AF_UNIX, 0, "/run/sockbroker/x.sock"},
	{AF_UNIX, 0, "@abstract-name"},
	{AF_INET, 0, "127.0.0.1:80"},
	{AF_INET, 0, "0.0.0.0:0"},
	{AF_INET6, 0, "[::1]:53"},
	{AF_INET6, 0, "[2001:db8::1]:443"},
	{AF_NETLINK, 0, "0:1"},
	{AF_NETLINK, 0, "4242:17"},
	{AF_PACKET, 0, "lo"},
	{AF_PACKET, 0, "lo:ETH_P_IP"},
	{AF_PACKET, 0, "lo:ETH_P_ALL:0:0:00:11:22:33:44:55"},
	{AF_CAN, 1 /* CAN_RAW */, "lo"},
	{AF_CAN, 6 /* CAN_ISOTP */, "lo:0x123:0x321"},
	{AF_CAN, 7 /* CAN_J1939 */, "lo:0x0:0xf000:0x20"},
	{AF_ALG, 0, "hash:sha256"},
	{AF_ALG, 0, "skcipher:cbc(aes)"},
	{AF_VSOCK, 0, "2:1234"},
	{AF_RDS, 0, "127.0.0.1:4000"},
	{AF_TIPC, 0, "TIPC_ADDR_NAME:1000:1:0:TIPC_CLUSTER_SCOPE"},
};

START_TEST(test_addr_roundtrip)
{
	for (size_t i = 0; i < ELEMENTSOF(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct sockaddr_storage a, b;
		socklen_t alen = sizeof(a), blen = sizeof(b);
		char text[SOCKBROKER_ADDR_TEXT_MAX];

		ck_assert_msg(sockbroker_addr_parse(c->family, c->protocol, c->text,
						    (struct sockaddr *)&a, &alen) == 0,
			      "parse %s: %s", c->text, strerrorname_np(errno));
		/* RDS binds IPv4 addresses: its sockaddr is a sockaddr_in. */
		ck_assert_int_eq(a.ss_family, c->family == AF_RDS ? AF_INET : c->family);
		ck_assert_msg(sockbroker_addr_format((struct sockaddr *)&a, alen, c->protocol, text,
						     sizeof(text)) == 0,
			      "format %s: %s", c->text, strerrorname_np(errno));
		ck_assert_str_eq(text, c->text);
		ck_assert_int_eq(sockbroker_addr_parse(c->family, c->protocol, text,
						       (struct sockaddr *)&b, &blen),
				 0);
		ck_assert_int_eq(alen, blen);
		ck_assert_mem_eq(&a, &b, alen);
	}
}
END_TEST

START_TEST(test_addr_helpers)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_ll *sll = (struct sockaddr_ll *)&ss;
	struct sockaddr_in sin;
	socklen_t len = sizeof(ss);
	char text[SOCKBROKER_ADDR_TEXT_MAX];

	/* The seed's address forms: ("lo", ETH_P_ALL) and a scoped IPv6. */
	ck_assert_int_eq(
		sockbroker_addr_parse(AF_PACKET, 0, "lo:ETH_P_ALL", (struct sockaddr *)&ss, &len),
		0);
	ck_assert_int_eq(sll->sll_ifindex, (int)if_nametoindex("lo"));
	ck_assert_int_eq(sll->sll_protocol, htons(ETH_P_ALL));
	len = sizeof(ss);
	ck_assert_int_eq(
		sockbroker_addr_parse(AF_INET6, 0, "[fe80::1%lo]:80", (struct sockaddr *)&ss, &len),
		0);
	ck_assert_uint_eq(sin6->sin6_scope_id, if_nametoindex("lo"));
	ck_assert_int_eq(ntohs(sin6->sin6_port), 80);
	ck_assert_int_eq(sockbroker_addr_format((struct sockaddr *)&ss, len, 0, text, sizeof(text)),
			 0);
	ck_assert_ptr_nonnull(strstr(text, "fe80::1%"));

	/* Too small a buffer: ENOSPC and the length it needs. */
	len = sizeof(sin) - 1;
	errno = 0;
	ck_assert_int_eq(
		sockbroker_addr_parse(AF_INET, 0, "127.0.0.1:80", (struct sockaddr *)&sin, &len),
		-1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(len, sizeof(sin));
	ck_assert_int_eq(
		sockbroker_addr_parse(AF_INET, 0, "127.0.0.1:80", (struct sockaddr *)&sin, &len),
		0);
	ck_assert_int_eq(sockbroker_addr_format((struct sockaddr *)&sin, len, 0, text, 5), -1);
	ck_assert_int_eq(errno, ENOSPC);

	/* Strict input. */
	len = sizeof(ss);
	ck_assert_int_eq(
		sockbroker_addr_parse(AF_INET, 0, "localhost:80", (struct sockaddr *)&ss, &len),
		-1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(
		sockbroker_addr_parse(AF_INET, 0, "127.0.0.1:65536", (struct sockaddr *)&ss, &len),
		-1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_addr_parse(AF_INET, 0, NULL, (struct sockaddr *)&ss, &len), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_addr_format(NULL, 0, 0, text, sizeof(text)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_send_recv_fds)
{
	int sp[2], p[2], got[4], before;
	size_t n = 3;
	char buf[16];
	int fds[3];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = sp[0];
	before = count_my_fds();

	/* Three descriptors with their message; CLOEXEC on request. */
	ck_assert_int_eq(sockbroker_send_fds(sp[0], "hi", 2, fds, 3), 2);
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, MSG_CMSG_CLOEXEC),
			 2);
	ck_assert_mem_eq(buf, "hi", 2);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert(same_file(got[i], fds[i]));
		ck_assert(is_cloexec(got[i]));
		close(got[i]);
	}
	/* Without MSG_CMSG_CLOEXEC they survive exec. */
	n = 1;
	ck_assert_int_eq(sockbroker_send_fds(sp[0], "x", 1, fds, 1), 1);
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, 0), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert(!is_cloexec(got[0]));
	close(got[0]);
	/* A message of no bytes still carries its descriptors. */
	n = 4;
	ck_assert_int_eq(sockbroker_send_fds(sp[0], NULL, 0, fds, 2), 0);
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, 0), 1);
	ck_assert_uint_eq(n, 2);
	close(got[0]);
	close(got[1]);
	/* A message without descriptors. */
	n = 4;
	ck_assert_int_eq(sockbroker_send_fds(sp[0], "abc", 3, NULL, 0), 3);
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, 0), 3);
	ck_assert_uint_eq(n, 0);
	/* More descriptors than room: EMSGSIZE, and none is leaked. */
	n = 1;
	ck_assert_int_eq(sockbroker_send_fds(sp[0], "y", 1, fds, 3), 1);
	errno = 0;
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, 0), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(count_my_fds(), before);
	/* Limits and bad arguments. */
	errno = 0;
	ck_assert_int_eq(sockbroker_send_fds(sp[0], "z", 1, fds, SOCKBROKER_FDS_MAX + 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	n = SOCKBROKER_FDS_MAX + 1;
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	n = 1;
	ck_assert_int_eq(sockbroker_recv_fds(sp[1], buf, sizeof(buf), got, &n, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sockbroker_send_fds(p[0], "z", 1, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	ck_assert_int_eq(count_my_fds(), before);

	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
}
END_TEST

/* A broker that reads each call and hangs up without answering, like a
 * daemon that dies in the middle of a call. With bind_fds it first binds
 * the socket the call carried, as if it had executed a Bind. */
struct fake_broker {
	char dir[32];
	char path[64];
	int listener;
	bool bind_fds;
	int connections;
	pthread_t thread;
};

static void *fake_broker_run(void *arg)
{
	struct fake_broker *fb = arg;
	int c;

	while ((c = accept4(fb->listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
		struct sb_frame f;

		fb->connections++;
		while (d && sb_decoder_next(d, &f) == 0)
			if (sb_decoder_read(d, c, MSG_CMSG_CLOEXEC) <= 0)
				goto hang_up;
		if (d && fb->bind_fds && f.n_fds > 0) {
			struct sockaddr_in any = inet_addr_port("127.0.0.1", 0);

			bind(f.fds[0], (struct sockaddr *)&any, sizeof(any));
		}
		if (d)
			sb_frame_done(&f);
	hang_up:
		sb_decoder_free(d);
		close(c);
	}
	return NULL;
}

static void fake_broker_start(struct fake_broker *fb, bool bind_fds)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(fb, 0, sizeof(*fb));
	fb->bind_fds = bind_fds;
	strcpy(fb->dir, "/tmp/sockbroker-lib-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fb->dir));
	snprintf(fb->path, sizeof(fb->path), "%s/sock", fb->dir);
	strcpy(sa.sun_path, fb->path);
	fb->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fb->listener, 0);
	ck_assert_int_eq(bind(fb->listener, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fb->listener, 8), 0);
	ck_assert_int_eq(pthread_create(&fb->thread, NULL, fake_broker_run, fb), 0);
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", fb->path, 1), 0);
}

/* Stop the fake broker; the number of connections it took. */
static int fake_broker_stop(struct fake_broker *fb)
{
	shutdown(fb->listener, SHUT_RDWR);
	ck_assert_int_eq(pthread_join(fb->thread, NULL), 0);
	close(fb->listener);
	unlink(fb->path);
	rmdir(fb->dir);
	return fb->connections;
}

START_TEST(test_retry_rules)
{
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", 0);
	struct sockbroker_info info;
	struct fake_broker fb;
	int fd, mark = 0x100;

	/* Calls that may be repeated are: once, on a new connection. */
	fake_broker_start(&fb, false);
	errno = 0;
	ck_assert_int_eq(sockbroker_socket(AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(fake_broker_stop(&fb), 2);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	fake_broker_start(&fb, false);
	ck_assert_int_eq(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(fake_broker_stop(&fb), 2);

	fake_broker_start(&fb, false);
	ck_assert_int_eq(sockbroker_info(NULL, &info), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(fake_broker_stop(&fb), 2);

	/* A Bind that did not happen is repeated... */
	fake_broker_start(&fb, false);
	ck_assert_int_eq(sockbroker_bind(fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(fake_broker_stop(&fb), 2);
	ck_assert_int_eq(local_port(fd), 0);

	/* ...one that did is not: a second bind would fail with EINVAL
	 * and hide that the first one worked. */
	fake_broker_start(&fb, true);
	ck_assert_int_eq(sockbroker_bind(fd, (struct sockaddr *)&sin, sizeof(sin)), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	ck_assert_int_eq(fake_broker_stop(&fb), 1);
	ck_assert_int_gt(local_port(fd), 0);
	close(fd);
}
END_TEST

/* ---------------------------------------------------------------------
 * Against the daemon, as nobody
 */

/* ICMP echo to ::1 or 127.0.0.1 on a raw socket, and its reply. */
static int ping_once(int fd, int family)
{
	unsigned char buf[1500];
	ssize_t n;

	if (family == AF_INET) {
		struct sockaddr_in to = inet_addr_port("127.0.0.1", 0);
		struct icmphdr h = {.type = ICMP_ECHO, .un.echo.id = htons(0x5342)};
		uint32_t sum = 0;
		const uint16_t *w = (const uint16_t *)&h;

		for (size_t i = 0; i < sizeof(h) / 2; i++)
			sum += w[i];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		h.checksum = (uint16_t)~sum;
		CHECK(sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&to, sizeof(to)) ==
		      (ssize_t)sizeof(h));
	} else {
		struct sockaddr_in6 to = {.sin6_family = AF_INET6,
					  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
		struct icmp6_hdr h = {.icmp6_type = ICMP6_ECHO_REQUEST};

		/* The kernel fills the ICMPv6 checksum of raw sockets. */
		CHECK(sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&to, sizeof(to)) ==
		      (ssize_t)sizeof(h));
	}
	for (int tries = 0; tries < 10; tries++) {
		CHECK(sb_test_readable(fd, 2000));
		n = recv(fd, buf, sizeof(buf), 0);
		CHECK(n > 0);
		if (family == AF_INET && n >= 28 && buf[(buf[0] & 0xf) * 4] == ICMP_ECHOREPLY)
			return 0;
		if (family == AF_INET6 && buf[0] == ICMP6_ECHO_REPLY)
			return 0;
	}
	CHECK(!"no echo reply");
	return 1;
}

static int child_without_broker(void *arg)
{
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_groups = 1};
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", PORT_UDP);
	int fd, mark = 0x100;

	/* What the broker is for: nobody cannot do any of this itself. */
	CHECK_FAILS(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
	CHECK_FAILS(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), EPERM);
	CHECK_FAILS(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), EPERM);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_FAILS(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), EACCES);
	CHECK_FAILS(setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), EPERM);
	/* Binding to a device is free once; changing it needs CAP_NET_RAW. */
	CHECK(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0);
	CHECK_FAILS(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "", 1), EPERM);
	close(fd);
	/* Netfilter's multicast groups need CAP_NET_ADMIN (rtnetlink's
	 * do not: NETLINK_ROUTE groups are open to everyone). */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	CHECK(fd >= 0);
	CHECK_FAILS(bind(fd, (struct sockaddr *)&nl, sizeof(nl)), EPERM);
	close(fd);
	return 0;
}

START_TEST(test_without_broker_fails)
{
	if (!sb_test_is_root())
		SB_SKIP("needs root to become nobody");
	run_as_nobody(child_without_broker, NULL);
}
END_TEST

static const struct family_case {
	const char *name;
	int family, type, protocol;
} family_cases[] = {
	{"raw ICMP", AF_INET, SOCK_RAW, IPPROTO_ICMP},
	{"raw ICMPv6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6},
	/* Packet sockets report protocol 0; getsockname() tells theirs. */
	{"packet", AF_PACKET, SOCK_RAW, 0},
	{"netlink", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE},
	{"UDP", AF_INET, SOCK_DGRAM, IPPROTO_UDP},
	{"UDPv6", AF_INET6, SOCK_DGRAM, 0},
};

static int check_real_socket(int fd, const struct family_case *c)
{
	struct stat st;

	CHECK(fd >= 0);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_DOMAIN) == c->family);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_TYPE) == c->type);
	if (c->protocol)
		CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL) == c->protocol);
	/* The broker created it with our fsuid: we own the socket. */
	CHECK(fstat(fd, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK(st.st_uid == SB_TEST_NOBODY);
	return 0;
}

static int child_families(void *arg)
{
	for (size_t i = 0; i < ELEMENTSOF(family_cases); i++) {
		const struct family_case *c = &family_cases[i];
		int fd = sockbroker_socket(c->family, c->type,
					   c->family == AF_PACKET ? htons(ETH_P_ALL) : c->protocol);

		if (fd < 0)
			fprintf(stderr, "%s socket: %s\n", c->name, strerrorname_np(errno));
		if (check_real_socket(fd, c) != 0)
			return 1;
		if (c->family == AF_PACKET) {
			struct sockaddr_ll sll;
			socklen_t len = sizeof(sll);

			CHECK(getsockname(fd, (struct sockaddr *)&sll, &len) == 0);
			CHECK(sll.sll_protocol == htons(ETH_P_ALL));
		}
		close(fd);
	}
	return 0;
}

static int child_sockets_work(void *arg)
{
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(nl);
	unsigned char frame[2048];
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} dump = {
		.h = {.nlmsg_len = sizeof(dump),
		      .nlmsg_type = RTM_GETLINK,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		      .nlmsg_seq = 1},
	};
	int fd;

	/* Raw ICMP and ICMPv6: an echo and its reply. */
	fd = sockbroker_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	CHECK(fd >= 0);
	if (ping_once(fd, AF_INET) != 0)
		return 1;
	close(fd);
	fd = sockbroker_socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	CHECK(fd >= 0);
	if (ping_once(fd, AF_INET6) != 0)
		return 1;
	close(fd);

	/* A packet socket sees the frames of a datagram we send. */
	fd = sockbroker_socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	CHECK(fd >= 0);
	send_udp(9);
	CHECK(sb_test_readable(fd, 2000));
	CHECK(recv(fd, frame, sizeof(frame), 0) > 14);
	close(fd);

	/* Netlink bound to a multicast group by the broker, and a dump. */
	fd = sockbroker_socket_spec("AF_NETLINK:SOCK_RAW:NETLINK_ROUTE@0:1");
	CHECK(fd >= 0);
	CHECK(getsockname(fd, (struct sockaddr *)&nl, &len) == 0);
	CHECK(nl.nl_groups == RTMGRP_LINK);
	CHECK(send(fd, &dump, sizeof(dump), 0) == (ssize_t)sizeof(dump));
	CHECK(sb_test_readable(fd, 2000));
	CHECK(recv(fd, frame, sizeof(frame), 0) >= (ssize_t)sizeof(struct nlmsghdr));
	CHECK(((struct nlmsghdr *)frame)->nlmsg_type == RTM_NEWLINK);
	close(fd);
	return 0;
}

START_TEST(test_socket_families)
{
	NEED_DAEMON();
	run_as_nobody(child_families, NULL);
	run_as_nobody(child_sockets_work, NULL);
	stop_daemon();
}
END_TEST

static int child_flags(void *arg)
{
	static const int flags[] = {0, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_CLOEXEC | SOCK_NONBLOCK};
	struct sockbroker_request *req;

	for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
		bool cloexec = flags[i] & SOCK_CLOEXEC, nonblock = flags[i] & SOCK_NONBLOCK;
		int fd = sockbroker_socket(AF_INET, SOCK_RAW | flags[i], IPPROTO_ICMP);

		CHECK(fd >= 0);
		CHECK(is_cloexec(fd) == cloexec);
		CHECK(is_nonblock(fd) == nonblock);
		CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_TYPE) == SOCK_RAW);
		close(fd);

		req = sockbroker_request_new(AF_PACKET, SOCK_RAW | flags[i], htons(ETH_P_ALL));
		CHECK(req);
		fd = sockbroker_socket_request(NULL, req);
		sockbroker_request_free(req);
		CHECK(fd >= 0);
		CHECK(is_cloexec(fd) == cloexec);
		CHECK(is_nonblock(fd) == nonblock);
		close(fd);
	}
	/* The text form: flags after the type, as for socket(). */
	{
		int fd = sockbroker_socket_spec("AF_INET:SOCK_DGRAM");

		CHECK(fd >= 0);
		CHECK(!is_cloexec(fd));
		CHECK(!is_nonblock(fd));
		close(fd);
		fd = sockbroker_socket_spec("AF_INET:SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
		CHECK(fd >= 0);
		CHECK(is_cloexec(fd));
		CHECK(is_nonblock(fd));
		close(fd);
	}
	return 0;
}

START_TEST(test_cloexec_nonblock)
{
	NEED_DAEMON();
	run_as_nobody(child_flags, NULL);
	stop_daemon();
}
END_TEST

/* The broker connection itself must not leak into exec'd programs. */
/* AF_UNIX sockets open in this process, and how many of those are not
 * close-on-exec. */
static int count_unix_sockets(int *not_cloexec)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	*not_cloexec = 0;
	if (!dir)
		return -1;
	for (struct dirent *de; (de = readdir(dir));) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(dir) ||
		    sb_test_sockopt_int(fd, SOL_SOCKET, SO_DOMAIN) != AF_UNIX)
			continue;
		n++;
		if (!is_cloexec(fd))
			(*not_cloexec)++;
	}
	closedir(dir);
	return n;
}

static int child_connection_cloexec(void *arg)
{
	struct sockbroker_info info;
	struct sockbroker *h;
	int before, after, inherited, leaky;

	before = count_unix_sockets(&inherited);
	CHECK(before >= 0);
	h = sockbroker_open(NULL);
	CHECK(h);
	CHECK(sockbroker_info(NULL, &info) == 0);
	CHECK(sockbroker_info(h, &info) == 0);
	/* Two connections, the process-wide one and h, both CLOEXEC. */
	after = count_unix_sockets(&leaky);
	CHECK(after == before + 2);
	CHECK(leaky == inherited);
	sockbroker_close(h);
	CHECK(count_unix_sockets(&leaky) == before + 1);
	return 0;
}

START_TEST(test_connection_cloexec)
{
	NEED_DAEMON();
	run_as_nobody(child_connection_cloexec, NULL);
	stop_daemon();
}
END_TEST

static int child_denied(void *arg)
{
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", PORT_DENIED);
	struct sockbroker_request *req;
	int fd, mark = 0x50;

	CHECK_FAILS(sockbroker_socket(AF_INET, SOCK_RAW, IPPROTO_UDP), EACCES);
	/* The broker says which rule decided. */
	CHECK(strlen(sockbroker_last_message()) > 0);
	CHECK_FAILS(sockbroker_socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL)), EACCES);
	CHECK_FAILS(sockbroker_socket_spec("AF_INET:SOCK_DGRAM@127.0.0.1:1020"), EACCES);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_FAILS(sockbroker_bind(fd, (struct sockaddr *)&sin, sizeof(sin)), EACCES);
	CHECK_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), EACCES);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_MARK) == 0);
	CHECK(local_port(fd) == 0);
	/* One denied part denies the whole request. */
	req = sockbroker_request_new(AF_INET, SOCK_DGRAM, 0);
	CHECK(req);
	CHECK(sockbroker_request_setsockopt(req, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0);
	CHECK_FAILS(sockbroker_socket_request(NULL, req), EACCES);
	sockbroker_request_free(req);
	/* An option the broker does not set for anyone. */
	mark = 1;
	CHECK_FAILS(sockbroker_setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &mark, sizeof(mark)),
		    EOPNOTSUPP);
	close(fd);
	/* A local failure leaves no broker message. */
	CHECK_FAILS(sockbroker_socket(AF_INET, -1, 0), EINVAL);
	CHECK(strcmp(sockbroker_last_message(), "") == 0);
	return 0;
}

START_TEST(test_denied)
{
	NEED_DAEMON();
	run_as_nobody(child_denied, NULL);
	stop_daemon();
}
END_TEST

static int child_bind(void *arg)
{
	struct sockaddr_in udp = inet_addr_port("127.0.0.1", PORT_UDP);
	struct sockaddr_in tcp = inet_addr_port("127.0.0.1", PORT_TCP);
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	socklen_t len = sizeof(nl);
	int fd, c, a;

	/* UDP on a privileged port. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(sockbroker_bind(fd, (struct sockaddr *)&udp, sizeof(udp)) == 0);
	CHECK(local_port(fd) == PORT_UDP);
	/* A second bind fails as bind(2) would. */
	CHECK_FAILS(sockbroker_bind(fd, (struct sockaddr *)&udp, sizeof(udp)), EINVAL);
	close(fd);

	/* TCP: bound by the broker, listening and accepting here. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(sockbroker_bind_at(NULL, fd, (struct sockaddr *)&tcp, sizeof(tcp)) == 0);
	CHECK(listen(fd, 4) == 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(connect(c, (struct sockaddr *)&tcp, sizeof(tcp)) == 0);
	a = accept(fd, NULL, NULL);
	CHECK(a >= 0);
	/* The client closes first: TIME_WAIT stays on its side, and the
	 * port is free for the next run. */
	close(c);
	close(a);
	close(fd);

	/* Netlink multicast group. */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	CHECK(fd >= 0);
	CHECK(sockbroker_bind(fd, (struct sockaddr *)&nl, sizeof(nl)) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&nl, &len) == 0);
	CHECK(nl.nl_groups == RTMGRP_LINK);
	close(fd);

	/* A group nobody may not join itself (see child_without_broker). */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	CHECK(fd >= 0);
	nl = (struct sockaddr_nl){.nl_family = AF_NETLINK, .nl_groups = 1};
	CHECK(sockbroker_bind(fd, (struct sockaddr *)&nl, sizeof(nl)) == 0);
	len = sizeof(nl);
	CHECK(getsockname(fd, (struct sockaddr *)&nl, &len) == 0);
	CHECK(nl.nl_groups == 1);
	close(fd);
	fd = sockbroker_socket_spec("AF_NETLINK:SOCK_RAW:NETLINK_NETFILTER@0:1");
	CHECK(fd >= 0);
	len = sizeof(nl);
	CHECK(getsockname(fd, (struct sockaddr *)&nl, &len) == 0);
	CHECK(nl.nl_groups == 1);
	close(fd);
	return 0;
}

START_TEST(test_bind)
{
	NEED_DAEMON();
	run_as_nobody(child_bind, NULL);
	stop_daemon();
}
END_TEST

static int child_bad_descriptors(void *arg)
{
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", PORT_UDP);
	int p[2], mark = 0x100, devnull, closed;

	CHECK(pipe2(p, O_CLOEXEC) == 0);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(devnull >= 0);
	/* A number far above anything open (a closed low number would be
	 * reused by the broker connection itself). */
	closed = 900;
	CHECK(fcntl(closed, F_GETFD) < 0 && errno == EBADF);

	CHECK_FAILS(sockbroker_bind(p[0], (struct sockaddr *)&sin, sizeof(sin)), ENOTSOCK);
	CHECK_FAILS(sockbroker_bind(devnull, (struct sockaddr *)&sin, sizeof(sin)), ENOTSOCK);
	CHECK_FAILS(sockbroker_bind(closed, (struct sockaddr *)&sin, sizeof(sin)), EBADF);
	CHECK_FAILS(sockbroker_setsockopt(p[1], SOL_SOCKET, SO_MARK, &mark, sizeof(mark)),
		    ENOTSOCK);
	CHECK_FAILS(sockbroker_setsockopt(closed, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), EBADF);
	/* The connection is still good afterwards. */
	{
		int fd = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		CHECK(fd >= 0);
		close(fd);
	}
	close(p[0]);
	close(p[1]);
	close(devnull);
	return 0;
}

START_TEST(test_bad_descriptors)
{
	NEED_DAEMON();
	run_as_nobody(child_bad_descriptors, NULL);
	stop_daemon();
}
END_TEST

static int child_setsockopt(void *arg)
{
	struct sockbroker *h;
	char dev[IFNAMSIZ] = "";
	socklen_t len = sizeof(dev);
	int fd, mark = 0x123;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(sockbroker_setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_MARK) == 0x123);

	/* Re-binding to a device needs privilege: the broker's text option. */
	CHECK(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0);
	CHECK(sockbroker_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "", 0) == 0);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) == 0);
	CHECK(len == 0 || dev[0] == 0);
	CHECK(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0);
	/* The text is taken up to its NUL, as the kernel does. */
	CHECK(sockbroker_setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo\0junk", 8) == 0);
	len = sizeof(dev);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) == 0);
	CHECK(strcmp(dev, "lo") == 0);

	/* The same through an explicit handle. */
	h = sockbroker_open(getenv("SOCKBROKER_SOCKET"));
	CHECK(h);
	mark = 0x1ff;
	CHECK(sockbroker_setsockopt_at(h, fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_MARK) == 0x1ff);
	sockbroker_close(h);
	close(fd);

	/* An algorithm name is text too, up to its NUL; the policy decides
	 * on the name (reno, which every kernel has, stands in for one
	 * that needs privilege). */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(sockbroker_setsockopt(fd, SOL_TCP, TCP_CONGESTION, "reno\0junk", 9) == 0);
	len = sizeof(dev);
	CHECK(getsockopt(fd, SOL_TCP, TCP_CONGESTION, dev, &len) == 0);
	CHECK(strncmp(dev, "reno", len) == 0 && len >= 4);
	CHECK_FAILS(sockbroker_setsockopt(fd, SOL_TCP, TCP_CONGESTION, "cubic", 5), EACCES);
	close(fd);
	return 0;
}

START_TEST(test_setsockopt)
{
	NEED_DAEMON();
	run_as_nobody(child_setsockopt, NULL);
	stop_daemon();
}
END_TEST

static int child_spec(void *arg)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);
	struct sockbroker *h;
	int fd;

	/* The example: every frame on lo, bound by the broker. */
	fd = sockbroker_socket_spec("AF_PACKET:SOCK_RAW:ETH_P_ALL@lo");
	CHECK(fd >= 0);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_PACKET);
	CHECK(getsockname(fd, (struct sockaddr *)&sll, &len) == 0);
	CHECK(sll.sll_ifindex == (int)if_nametoindex("lo"));
	CHECK(sll.sll_protocol == htons(ETH_P_ALL));
	close(fd);

	h = sockbroker_open(NULL);
	CHECK(h);
	fd = sockbroker_socket_spec_at(h, "AF_INET:SOCK_DGRAM@127.0.0.1:1002");
	CHECK(fd >= 0);
	CHECK(local_port(fd) == PORT_SPEC);
	close(fd);
	/* Options and a backlog from the spec; the library makes the
	 * socket, the broker binds the privileged port. */
	fd = sockbroker_socket_spec_at(h,
				       "AF_INET:SOCK_STREAM,SO_REUSEADDR,backlog=4@127.0.0.1:1002");
	CHECK(fd >= 0);
	CHECK(local_port(fd) == PORT_SPEC);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_REUSEADDR) == 1);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1);
	close(fd);
	/* Unbound, it does not listen unless asked (run does). */
	fd = sockbroker_socket_spec_at(h, "AF_INET:SOCK_STREAM");
	CHECK(fd >= 0);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN) == 0);
	close(fd);
	sockbroker_close(h);
	return 0;
}

START_TEST(test_spec)
{
	NEED_DAEMON();
	run_as_nobody(child_spec, NULL);
	stop_daemon();
}
END_TEST

static int child_request(void *arg)
{
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", PORT_REQUEST);
	struct sockbroker_request *req;
	int fd, c, a, mark = 0x101;

	/* Option, privileged bind and listen in one round trip. */
	req = sockbroker_request_new(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(req);
	CHECK(sockbroker_request_setsockopt(req, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0);
	CHECK(sockbroker_request_bind(req, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(sockbroker_request_listen(req, 8) == 0);
	fd = sockbroker_socket_request(NULL, req);
	sockbroker_request_free(req);
	CHECK(fd >= 0);
	CHECK(is_cloexec(fd));
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_MARK) == 0x101);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1);
	CHECK(local_port(fd) == PORT_REQUEST);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(connect(c, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	a = accept(fd, NULL, NULL);
	CHECK(a >= 0);
	/* The client closes first: TIME_WAIT stays on its side, and the
	 * port is free for the next run. */
	close(c);
	close(a);
	close(fd);

	/* A text option in a request. */
	req = sockbroker_request_new(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(req);
	CHECK(sockbroker_request_setsockopt(req, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == 0);
	fd = sockbroker_socket_request(NULL, req);
	sockbroker_request_free(req);
	CHECK(fd >= 0);
	{
		char dev[IFNAMSIZ] = "";
		socklen_t len = sizeof(dev);

		CHECK(getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) == 0);
		CHECK(strcmp(dev, "lo") == 0);
	}
	close(fd);
	return 0;
}

START_TEST(test_request)
{
	NEED_DAEMON();
	run_as_nobody(child_request, NULL);
	stop_daemon();
}
END_TEST

static char netns_name[64];

static void delete_netns(void)
{
	char cmd[128];

	if (netns_name[0]) {
		snprintf(cmd, sizeof(cmd), "ip netns delete %s 2>/dev/null", netns_name);
		if (system(cmd) != 0)
			fprintf(stderr, "could not delete netns %s\n", netns_name);
		netns_name[0] = 0;
	}
}

static uint64_t netns_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

struct netns_ctx {
	uint64_t cookie; /* of the named namespace */
};

static int child_netns(void *arg)
{
	const struct netns_ctx *ctx = arg;
	struct sockbroker_request *req;
	int fd, here;

	req = sockbroker_request_new(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(req);
	CHECK(sockbroker_request_netns(req, netns_name) == 0);
	fd = sockbroker_socket_request(NULL, req);
	CHECK(fd >= 0);
	here = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(here >= 0);
	CHECK(netns_cookie(fd) == ctx->cookie);
	CHECK(netns_cookie(fd) != netns_cookie(here));
	close(here);
	close(fd);
	/* Rules without netns= do not reach into other namespaces. */
	sockbroker_request_free(req);
	req = sockbroker_request_new(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	CHECK(req);
	CHECK(sockbroker_request_netns(req, netns_name) == 0);
	CHECK_FAILS(sockbroker_socket_request(NULL, req), EACCES);
	sockbroker_request_free(req);
	/* A namespace that does not exist. */
	req = sockbroker_request_new(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(req);
	CHECK(sockbroker_request_netns(req, "sockbroker-no-such-netns") == 0);
	CHECK_FAILS(sockbroker_socket_request(NULL, req), ENOENT);
	sockbroker_request_free(req);
	return 0;
}

START_TEST(test_request_netns)
{
	struct netns_ctx ctx = {0};
	char cmd[128], path[128];
	int pfd[2];
	pid_t pid;

	if (!sb_test_is_root())
		SB_SKIP("needs root to create a network namespace");
	snprintf(netns_name, sizeof(netns_name), "sockbroker-check-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s 2>/dev/null", netns_name);
	if (system(cmd) != 0) {
		netns_name[0] = 0;
		SB_SKIP("cannot create a network namespace (ip netns add failed)");
	}
	atexit(delete_netns);

	/* The namespace's cookie, from a socket made inside it. */
	snprintf(path, sizeof(path), "/run/netns/%s", netns_name);
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ns = open(path, O_RDONLY | O_CLOEXEC), fd;
		uint64_t cookie = 0;

		if (ns >= 0 && setns(ns, CLONE_NEWNET) == 0) {
			fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			cookie = netns_cookie(fd);
		}
		_exit(write(pfd[1], &cookie, sizeof(cookie)) == sizeof(cookie) ? 0 : 1);
	}
	ck_assert_int_eq(read(pfd[0], &ctx.cookie, sizeof(ctx.cookie)), sizeof(ctx.cookie));
	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	close(pfd[0]);
	close(pfd[1]);
	if (ctx.cookie == 0) {
		delete_netns();
		SB_SKIP("SO_NETNS_COOKIE is not supported by this kernel");
	}

	NEED_DAEMON();
	run_as_nobody(child_netns, &ctx);
	stop_daemon();
	delete_netns();
}
END_TEST

static int child_info(void *arg)
{
	struct sockbroker_info info;
	struct sockbroker *h;
	int can;

	memset(&info, 0xff, sizeof(info));
	CHECK(sockbroker_info(NULL, &info) == 0);
	CHECK(info.uid == SB_TEST_NOBODY);
	CHECK(info.gid == SB_TEST_NOBODY);
	CHECK(info.pid == getpid());
	CHECK(strcmp(info.version, SB_VERSION) == 0);
	CHECK(SOCKBROKER_INFO_HAS_FAMILY(&info, AF_UNIX));
	CHECK(SOCKBROKER_INFO_HAS_FAMILY(&info, AF_INET));
	CHECK(SOCKBROKER_INFO_HAS_FAMILY(&info, AF_INET6));
	CHECK(SOCKBROKER_INFO_HAS_FAMILY(&info, AF_NETLINK));
	CHECK(SOCKBROKER_INFO_HAS_FAMILY(&info, AF_PACKET));
	CHECK(!SOCKBROKER_INFO_HAS_FAMILY(&info, -1));
	CHECK(!SOCKBROKER_INFO_HAS_FAMILY(&info, 64));
	/* It tells what this kernel has, not what the headers know: AF_CAN
	 * is there exactly when the kernel can make one. */
	can = socket(AF_CAN, SOCK_RAW | SOCK_CLOEXEC, 1);
	CHECK(SOCKBROKER_INFO_HAS_FAMILY(&info, AF_CAN) == (can >= 0 || errno != EAFNOSUPPORT));
	if (can >= 0)
		close(can);

	h = sockbroker_open(NULL);
	CHECK(h);
	memset(&info, 0, sizeof(info));
	CHECK(sockbroker_info(h, &info) == 0);
	CHECK(info.uid == SB_TEST_NOBODY);
	CHECK(info.pid == getpid());
	sockbroker_close(h);
	return 0;
}

START_TEST(test_info)
{
	NEED_DAEMON();
	run_as_nobody(child_info, NULL);
	stop_daemon();
}
END_TEST

static int child_handle(void *arg)
{
	const char *path = arg;
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", PORT_HANDLE);
	struct sockbroker *h, *h2;
	int fd;

	h = sockbroker_open(path);
	CHECK(h);
	h2 = sockbroker_open(path);
	CHECK(h2);
	/* The handles work while the process-wide connection has none. */
	CHECK(setenv("SOCKBROKER_SOCKET", "/nonexistent/sockbroker.sock", 1) == 0);
	CHECK_FAILS(sockbroker_socket(AF_INET, SOCK_DGRAM, 0), ENOENT);
	fd = sockbroker_socket_at(h, AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	CHECK(fd >= 0);
	CHECK(sb_test_sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_ICMP);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(sockbroker_bind_at(h2, fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(local_port(fd) == PORT_HANDLE);
	close(fd);
	sockbroker_close(h2);
	CHECK_FAILS(sockbroker_socket_at(h, AF_INET, SOCK_RAW, IPPROTO_UDP), EACCES);
	sockbroker_close(h);
	return 0;
}

START_TEST(test_explicit_handle)
{
	NEED_DAEMON();
	run_as_nobody(child_handle, daemon_.socket);
	stop_daemon();
}
END_TEST

/* Restart: the child holds open connections (process-wide and a handle)
 * while the parent stops the daemon, then starts a new one on the same
 * path. Steps are driven over two pipes. */
struct restart_ctx {
	int go[2];   /* parent -> child: a byte per step */
	int done[2]; /* child -> parent */
};

static int step(struct restart_ctx *ctx)
{
	char c = 0;

	if (write(ctx->done[1], &c, 1) != 1 || read(ctx->go[0], &c, 1) != 1)
		return -1;
	return 0;
}

static int child_restart(void *arg)
{
	struct restart_ctx *ctx = arg;
	struct sockaddr_in sin = inet_addr_port("127.0.0.1", PORT_RESTART);
	struct sockbroker_info info;
	struct sockbroker *h;
	int fd, mark = 0x100;

	h = sockbroker_open(NULL);
	CHECK(h);
	fd = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK(sockbroker_info(h, &info) == 0);

	/* Step 1: the daemon is gone. */
	CHECK(step(ctx) == 0);
	CHECK_FAILS(sockbroker_socket(AF_INET, SOCK_DGRAM, 0), ENOENT);
	CHECK_FAILS(sockbroker_info(h, &info), ENOENT);

	/* Step 2: a new daemon. Every kind of call reconnects. */
	CHECK(step(ctx) == 0);
	fd = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(sockbroker_info(h, &info) == 0);
	close(fd);

	/* Step 3: restarted again while both connections are open; the
	 * first call on each finds its connection broken. */
	CHECK(step(ctx) == 0);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK(sockbroker_bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(local_port(fd) == PORT_RESTART);
	CHECK(sockbroker_setsockopt_at(h, fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0);
	close(fd);
	sockbroker_close(h);
	return 0;
}

static void restart_into(struct sb_test_daemon *d, const char *link)
{
	char tmp[160];

	sb_test_daemon_start(d, policy, NULL);
	snprintf(tmp, sizeof(tmp), "%s.new", link);
	unlink(tmp);
	ck_assert_int_eq(symlink(d->socket, tmp), 0);
	ck_assert_int_eq(rename(tmp, link), 0);
}

START_TEST(test_daemon_restart)
{
	char dir[] = "/tmp/sockbroker-lib-XXXXXX", link[128], c = 0;
	struct restart_ctx ctx;
	pid_t pid;

	SB_NEED_ROOT();
	sb_test_daemon_kill_at_exit(&daemon_);
	/* A stable path for the client through a symbolic link, as the
	 * harness gives every daemon a fresh directory. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(link, sizeof(link), "%s/sock", dir);
	restart_into(&daemon_, link);
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", link, 1), 0);
	ck_assert_int_eq(pipe(ctx.go), 0);
	ck_assert_int_eq(pipe(ctx.done), 0);

	pid = sb_test_fork_as_nobody(child_restart, &ctx);
	ck_assert_int_eq(read(ctx.done[0], &c, 1), 1);
	sb_test_daemon_stop(&daemon_);
	ck_assert_int_eq(write(ctx.go[1], &c, 1), 1);

	ck_assert_int_eq(read(ctx.done[0], &c, 1), 1);
	restart_into(&daemon_, link);
	ck_assert_int_eq(write(ctx.go[1], &c, 1), 1);

	ck_assert_int_eq(read(ctx.done[0], &c, 1), 1);
	sb_test_daemon_stop(&daemon_);
	restart_into(&daemon_, link);
	ck_assert_int_eq(write(ctx.go[1], &c, 1), 1);

	ck_assert_int_eq(sb_test_wait_exit(pid), 0);
	stop_daemon();
	unlink(link);
	rmdir(dir);
}
END_TEST

/* Fork with connections open: the child gets connections of its own
 * (the broker sees its pid), and the parent's keep working. */
static int fork_child_calls(struct sockbroker *h)
{
	struct sockbroker_info info;
	int fd;

	CHECK(sockbroker_info(NULL, &info) == 0);
	CHECK(info.pid == getpid());
	CHECK(sockbroker_info(h, &info) == 0);
	CHECK(info.pid == getpid());
	fd = sockbroker_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	CHECK(fd >= 0);
	close(fd);
	return 0;
}

static void *busy_caller(void *arg)
{
	long failures = 0;

	for (int i = 0; i < 300; i++) {
		int fd = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			failures++;
		else
			close(fd);
	}
	return (void *)failures;
}

static int child_fork(void *arg)
{
	struct sockbroker_info info;
	struct sockbroker *h;
	pid_t pid;

	h = sockbroker_open(NULL);
	CHECK(h);
	CHECK(sockbroker_info(NULL, &info) == 0);
	CHECK(info.pid == getpid());

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(fork_child_calls(h));
	CHECK(sb_test_wait_exit(pid) == 0);
	CHECK(sockbroker_info(NULL, &info) == 0);
	CHECK(info.pid == getpid());
	CHECK(sockbroker_info(h, &info) == 0);
	CHECK(info.pid == getpid());
	sockbroker_close(h);
	return 0;
}

/* Forks while another thread is busy on the same connection. */
static int child_fork_while_busy(void *arg)
{
	struct sockbroker_info info;
	struct sockbroker *h;
	pthread_t thread;
	void *failures;
	pid_t pid;

	h = sockbroker_open(NULL);
	CHECK(h);
	CHECK(pthread_create(&thread, NULL, busy_caller, NULL) == 0);
	for (int i = 0; i < 10; i++) {
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(fork_child_calls(h));
		CHECK(sb_test_wait_exit(pid) == 0);
	}
	CHECK(pthread_join(thread, &failures) == 0);
	CHECK(failures == NULL);
	CHECK(sockbroker_info(NULL, &info) == 0);
	CHECK(info.pid == getpid());
	sockbroker_close(h);
	return 0;
}

START_TEST(test_fork)
{
	NEED_DAEMON();
	run_as_nobody(child_fork, NULL);
	stop_daemon();
}
END_TEST

START_TEST(test_fork_while_busy)
{
	/* GCC 12's AddressSanitizer does not lock its allocator around
	 * fork(): a child can find the lock held by the busy thread and wait
	 * forever in its first malloc(). The plain build runs this test. */
	if (SB_TEST_ASAN)
		SB_SKIP("AddressSanitizer's allocator is not fork-safe with a second thread");
	NEED_DAEMON();
	run_as_nobody(child_fork_while_busy, NULL);
	stop_daemon();
}
END_TEST

#define THREADS 8
#define CALLS_PER_THREAD 200

static void *thread_calls(void *arg)
{
	long bad = 0;

	for (int i = 0; i < CALLS_PER_THREAD; i++) {
		int fd;

		if (i % 2)
			fd = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		else
			fd = sockbroker_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd < 0 ||
		    sb_test_sockopt_int(fd, SOL_SOCKET, SO_TYPE) != (i % 2 ? SOCK_DGRAM : SOCK_RAW))
			bad++;
		if (fd >= 0)
			close(fd);
	}
	return (void *)bad;
}

static int child_threads(void *arg)
{
	pthread_t threads[THREADS];
	int fd, before;

	/* Open the connection first so the fd count compares like with like. */
	fd = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	before = count_my_fds();
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, thread_calls, NULL) == 0);
	for (int i = 0; i < THREADS; i++) {
		void *bad;

		CHECK(pthread_join(threads[i], &bad) == 0);
		CHECK(bad == NULL);
	}
	CHECK(count_my_fds() == before);
	return 0;
}

START_TEST(test_threads)
{
	int before, after = -1;

	NEED_DAEMON();
	before = sb_test_count_fds(daemon_.pid);
	run_as_nobody(child_threads, NULL);
	/* Nothing of the 1600 calls stays behind in the daemon, once it
	 * has seen the client go. */
	for (int i = 0; i < 100; i++) {
		after = sb_test_count_fds(daemon_.pid);
		if (after <= before)
			break;
		usleep(10000);
	}
	ck_assert_int_le(after, before);
	stop_daemon();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("library");

	sb_test_hermetic();

	SB_TEST(s, test_no_broker_enoent);
	SB_TEST(s, test_no_broker_econnrefused);
	SB_TEST(s, test_local_argument_checks);
	SB_TEST(s, test_request_builder_checks);
	SB_TEST(s, test_addr_roundtrip);
	SB_TEST(s, test_addr_helpers);
	SB_TEST(s, test_send_recv_fds);
	SB_TEST(s, test_retry_rules);
	SB_TEST(s, test_without_broker_fails);
	SB_TEST(s, test_socket_families);
	SB_TEST(s, test_cloexec_nonblock);
	SB_TEST(s, test_connection_cloexec);
	SB_TEST(s, test_denied);
	SB_TEST(s, test_bind);
	SB_TEST(s, test_bad_descriptors);
	SB_TEST(s, test_setsockopt);
	SB_TEST(s, test_spec);
	SB_TEST(s, test_request);
	SB_TEST(s, test_request_netns);
	SB_TEST(s, test_info);
	SB_TEST(s, test_explicit_handle);
	SB_TEST(s, test_daemon_restart);
	SB_TEST(s, test_fork);
	SB_TEST(s, test_fork_while_busy);
	SB_TEST_TIMEOUT(s, test_threads, 60);
	return sb_test_run(s);
}
