/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerd end to end: the real daemon on a private socket, clients
 * running as nobody speaking the raw wire protocol. Every brokered
 * operation is first shown to fail for the client without the broker. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "proto/compact-bind.h"
#include "proto/frame.h"
#include "proto/json-util.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "proto/spec.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static const char policy_text[] =
	"# test policy\n"
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_RAW protocol=IPPROTO_ICMP,IPPROTO_ICMPV6\n"
	"allow user:nobody socket family=AF_PACKET type=SOCK_RAW\n"
	"allow user:nobody bind family=AF_PACKET\n"
	"allow user:nobody socket family=AF_NETLINK\n"
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_STREAM,SOCK_DGRAM\n"
	"allow user:nobody bind family=AF_INET,AF_INET6 port=80\n"
	"allow user:nobody bind family=AF_NETLINK\n"
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n";

static struct sb_test_daemon daemon_;

/* The daemon's descriptor count at rest, and a check that it comes back
 * to it: it closes what clients closed asynchronously. */
static int quiet_fds(void)
{
	return sb_test_daemon_quiet_fds(&daemon_);
}

static void assert_fds_back_to(int before)
{
	ck_assert_int_eq(sb_test_wait_fds(daemon_.pid, before, 5000), before);
}

static void require_root(void)
{
	if (!sb_test_is_root())
		sb_test_skip_all(
			"the daemon tests need root (to start sockbrokerd and drop to nobody)");
}

static void start(void)
{
	sb_test_daemon_start(&daemon_, policy_text, NULL);
}

static void stop(void)
{
	sb_test_daemon_stop(&daemon_);
}

/* sb_test_call_once and sb_test_call_errno on this suite's daemon. */
static int call(const char *json, const int *fds, size_t n_fds, struct sb_reply *reply, int *fd_out)
{
	return sb_test_call_once(daemon_.socket, json, fds, n_fds, reply, fd_out);
}

static int call_errno(const char *json, const int *fds, size_t n_fds, const char *error_name)
{
	return sb_test_call_errno(daemon_.socket, json, fds, n_fds, error_name);
}

/* Ask for a socket; return the fd or -errno of the error reply. */
static int broker_socket(const char *params)
{
	char json[1024];
	struct sb_reply reply;
	int fd = -1, r;

	snprintf(json, sizeof(json), "{\"method\":\"org.sockbroker.Socket\",\"parameters\":%s}",
		 params);
	r = call(json, NULL, 0, &reply, &fd);
	if (r < 0)
		return r;
	if (reply.error) {
		r = -(reply.errnum ?: EIO);
		safe_close(fd);
		sb_reply_done(&reply);
		return r;
	}
	sb_reply_done(&reply);
	return fd >= 0 ? fd : -EBADF;
}

/* Reload with the test policy and the rules in extra after it. */
static void reload_with(const char *extra)
{
	char policy[2048];

	snprintf(policy, sizeof(policy), "%s%s", policy_text, extra);
	sb_test_daemon_reload(&daemon_, policy);
}

/* ------------------------------------------------------------ raw ICMP */

static int child_icmp4(void *arg)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct icmphdr req = {
		.type = ICMP_ECHO, .un.echo.id = htons(0x5342), .un.echo.sequence = htons(1)};
	unsigned char buf[256];
	uint32_t sum = 0;
	int fd;

	/* Without the broker: the kernel says no. */
	if (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) >= 0 || errno != EPERM)
		return 10;
	fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMP\"}");
	if (fd < 0)
		return 11;
	if (sb_test_sockopt_int(fd, SOL_SOCKET, SO_DOMAIN) != AF_INET ||
	    sb_test_sockopt_int(fd, SOL_SOCKET, SO_TYPE) != SOCK_RAW ||
	    sb_test_sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL) != IPPROTO_ICMP)
		return 12;
	for (size_t i = 0; i < sizeof(req) / 2; i++)
		sum += ((uint16_t *)&req)[i];
	sum = (sum & 0xffff) + (sum >> 16);
	req.checksum = (uint16_t) ~(sum + (sum >> 16));
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) != sizeof(req))
		return 13;
	/* A raw socket sees our own echo request too; wait for the reply. */
	for (int i = 0; i < 4; i++) {
		ssize_t n;

		if (!sb_test_readable(fd, 2000))
			return 14;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n >= 28 && buf[20] == ICMP_ECHOREPLY && buf[24] == 0x53 && buf[25] == 0x42)
			return 0;
	}
	return 15;
}

START_TEST(raw_icmp_echo_ipv4)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_icmp4, NULL), 0);
}
END_TEST

static int child_icmp6(void *arg)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct icmp6_hdr req = {.icmp6_type = ICMP6_ECHO_REQUEST};
	unsigned char buf[256];
	int fd;

	if (socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) >= 0 || errno != EPERM)
		return 10;
	fd = broker_socket(
		"{\"family\":\"AF_INET6\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMPV6\"}");
	if (fd < 0)
		return 11;
	req.icmp6_id = htons(0x5342);
	req.icmp6_seq = htons(1);
	/* The kernel computes ICMPv6 checksums on raw ICMPv6 sockets. */
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) != sizeof(req))
		return errno == ENETUNREACH || errno == EADDRNOTAVAIL ? 77 : 13;
	for (int i = 0; i < 4; i++) {
		ssize_t n;

		if (!sb_test_readable(fd, 2000))
			return 14;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n >= 8 && buf[0] == ICMP6_ECHO_REPLY && buf[4] == 0x53 && buf[5] == 0x42)
			return 0;
	}
	return 15;
}

START_TEST(raw_icmp_echo_ipv6)
{
	int r;

	if (access("/proc/net/if_inet6", F_OK) < 0)
		SB_SKIP("IPv6 is disabled in this kernel");
	r = sb_test_run_as_nobody(child_icmp6, NULL);
	if (r == 77)
		SB_SKIP("::1 is not reachable (no IPv6 on lo)");
	ck_assert_int_eq(r, 0);
}
END_TEST

/* ------------------------------------------------------------ AF_PACKET */

static int child_packet(void *arg)
{
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(9),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static const char marker[] = "sockbroker-packet-test";
	unsigned char frame[2048];
	int fd, udp;

	if (socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) >= 0 || errno != EPERM)
		return 10;
	fd = broker_socket(
		"{\"family\":\"AF_PACKET\",\"type\":\"SOCK_RAW\",\"protocol\":\"ETH_P_ALL\","
		"\"bind\":{\"ifname\":\"lo\",\"protocol\":\"ETH_P_ALL\"}}");
	if (fd < 0)
		return 11;
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (udp < 0 ||
	    sendto(udp, marker, sizeof(marker), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return 12;
	for (int i = 0; i < 50; i++) {
		ssize_t n;

		if (!sb_test_readable(fd, 2000))
			return 13;
		n = recv(fd, frame, sizeof(frame), 0);
		if (n > 0 && memmem(frame, (size_t)n, marker, sizeof(marker)))
			return 0;
	}
	return 14;
}

START_TEST(packet_capture_on_lo)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_packet, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ netlink */

static int child_netlink(void *arg)
{
	/* XFRM groups need CAP_NET_ADMIN (rtnetlink ones no longer do). */
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	struct sockaddr_nl got;
	socklen_t len = sizeof(got);
	char json[256];
	struct sb_reply reply;
	int fd, r;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (fd < 0)
		return 10;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != EPERM)
		return 11;
	snprintf(
		json, sizeof(json),
		"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,\"address\":{\"pid\":0,\"groups\":%d}}}",
		1);
	r = call(json, &fd, 1, &reply, NULL);
	if (r < 0 || reply.error)
		return 12;
	sb_reply_done(&reply);
	if (getsockname(fd, (struct sockaddr *)&got, &len) < 0 || !(got.nl_groups & 1))
		return 13;
	return 0;
}

START_TEST(netlink_multicast_group_bind)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_netlink, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ Bind :80 */

static int child_bind80(void *arg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(80),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in got;
	socklen_t len = sizeof(got);
	const char *json = "{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,"
			   "\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}";
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 10;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != EACCES)
		return 11;
	if (call_errno(json, &fd, 1, NULL) != 0)
		return 12;
	if (getsockname(fd, (struct sockaddr *)&got, &len) < 0 || ntohs(got.sin_port) != 80)
		return 13;
	/* The client uses its bound socket on its own. */
	if (listen(fd, 1) < 0)
		return 14;
	return 0;
}

START_TEST(privileged_bind_port_80)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_bind80, NULL), 0);
}
END_TEST

static int child_bind81_denied(void *arg)
{
	const char *json = "{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,"
			   "\"address\":{\"host\":\"127.0.0.1\",\"port\":81}}}";
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	return call_errno(json, &fd, 1, SB_ERR_PERMISSION_DENIED) == EACCES ? 0 : 1;
}

START_TEST(bind_port_not_in_policy_is_denied)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_bind81_denied, NULL), 0);
}
END_TEST

/* libsockbroker's compact Bind call (proto/compact-bind.h) is an ordinary
 * call to the daemon, and a granted one is answered in the compact reply,
 * which the library recognizes without json-c. */
static int compact_bind(const struct sockaddr *sa, socklen_t salen)
{
	char call[SB_COMPACT_BIND_MAX], want[SB_COMPACT_BIND_MAX], *reply = NULL;
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	int one = 1, conn, back = -1, r = 0;
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return 20;
	if (sb_compact_bind_call_format(call, sizeof(call), sa, salen) < 0)
		return 21;
	conn = sb_test_connect(daemon_.socket);
	if (conn < 0 || sb_test_call_raw(conn, call, &fd, 1, &reply, &back) < 0)
		r = 22;
	else if (back >= 0)
		r = 23;
	else if (getsockname(fd, (struct sockaddr *)&got, &len) < 0 ||
		 sb_compact_bind_reply_format(want, sizeof(want), (struct sockaddr *)&got, len) < 0)
		r = 24;
	else if (strcmp(reply, want) != 0 || !sb_compact_bind_reply_parse(reply, strlen(reply))) {
		fprintf(stderr, "reply %s, want %s\n", reply, want);
		r = 25;
	}
	free(reply);
	safe_close(conn);
	close(fd);
	return r;
}

static int child_compact_bind(void *arg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(80),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
				    .sin6_port = htons(80),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int r = compact_bind((struct sockaddr *)&sin, sizeof(sin));

	if (r == 0 && *(bool *)arg)
		r = compact_bind((struct sockaddr *)&sin6, sizeof(sin6));
	return r;
}

START_TEST(compact_bind_is_answered_in_the_compact_reply)
{
	_cleanup_close_ int probe = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bool ipv6 = probe >= 0 && bind(probe, (struct sockaddr *)&lo, sizeof(lo)) == 0;

	if (!ipv6)
		fprintf(stderr,
			"no IPv6 loopback here: the compact Bind reply is checked for IPv4 only\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_compact_bind, &ipv6), 0);
}
END_TEST

/* ------------------------------------------------------------ dual-stack binds */

#define BIND_ADDRESS(host)                                                                           \
	"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,\"address\":{\"host\":\"" host \
	"\",\"port\":80}}}"
#define TCP6_ON_ANY_80                                                                              \
	"{\"family\":\"AF_INET6\",\"type\":\"SOCK_STREAM\",\"bind\":{\"host\":\"::\",\"port\":80}," \
	"\"options\":[{\"level\":\"SOL_SOCKET\",\"name\":\"SO_REUSEADDR\",\"value\":1}"

/* Bind the client's own IPv6 TCP socket, with IPV6_V6ONLY as v6only,
 * through Bind: the errno of the reply, 0 when it is bound (and still
 * IPV6_V6ONLY if it was).
 * SO_REUSEADDR: the daemon closes its copies of earlier ones a moment
 * after the client. */
static int bind_own_ipv6(const char *call, int v6only)
{
	_cleanup_close_ int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, r;

	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -1;
	r = call_errno(call, &fd, 1, NULL);
	/* (A bind to an address other than :: or a mapped one sets it.) */
	if (r == 0 && v6only && sb_test_sockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) != 1)
		return -2;
	return r;
}

/* [::]:80 binds 0.0.0.0:80 as well unless the socket is IPV6_V6ONLY, and
 * [::ffff:127.0.0.1]:80 binds 127.0.0.1:80: the IPv4 side is decided as
 * an AF_INET bind of its own, through Socket and through Bind. */
static int child_dual_stack(void *arg)
{
	int fd;

	REQUIRE(broker_socket(TCP6_ON_ANY_80 "]}") == -EACCES);
	fd = broker_socket(TCP6_ON_ANY_80 ",{\"level\":\"SOL_IPV6\",\"name\":\"IPV6_V6ONLY\","
					  "\"value\":1}]}");
	REQUIRE(fd >= 0);
	REQUIRE(sb_test_sockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 1);
	close(fd);
	REQUIRE(bind_own_ipv6(BIND_ADDRESS("::"), 0) == EACCES);
	REQUIRE(bind_own_ipv6(BIND_ADDRESS("::"), 1) == 0);
	REQUIRE(bind_own_ipv6(BIND_ADDRESS("::1"), 0) == 0);
	REQUIRE(bind_own_ipv6(BIND_ADDRESS("::ffff:127.0.0.1"), 0) == EACCES);
	return 0;
}

static int child_dual_stack_granted(void *arg)
{
	int fd = broker_socket(TCP6_ON_ANY_80 "]}");

	REQUIRE(fd >= 0);
	REQUIRE(sb_test_sockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 0);
	close(fd);
	REQUIRE(bind_own_ipv6(BIND_ADDRESS("::"), 0) == 0);
	REQUIRE(bind_own_ipv6(BIND_ADDRESS("::ffff:127.0.0.1"), 0) == 0);
	return 0;
}

START_TEST(dual_stack_binds_are_decided_for_ipv4_too)
{
	if (access("/proc/net/if_inet6", F_OK) < 0)
		SB_SKIP("IPv6 is disabled in this kernel");
	/* The IPv4 side by address, and by family. */
	reload_with("deny user:nobody bind address=0.0.0.0/0\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_dual_stack, NULL), 0);
	reload_with("deny user:nobody bind family=AF_INET\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_dual_stack, NULL), 0);
	/* Both sides allowed: granted. */
	reload_with("");
	ck_assert_int_eq(sb_test_run_as_nobody(child_dual_stack_granted, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ SO_MARK */

static int child_mark(void *arg)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mark = 0x123;
	const char *ok = "{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
			 "\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":291}}";
	const char *too_big = "{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
			      "\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":512}}";

	if (fd < 0)
		return 10;
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0 || errno != EPERM)
		return 11;
	if (call_errno(ok, &fd, 1, NULL) != 0)
		return 12;
	if (sb_test_sockopt_int(fd, SOL_SOCKET, SO_MARK) != 0x123)
		return 13;
	if (call_errno(too_big, &fd, 1, SB_ERR_PERMISSION_DENIED) != EACCES)
		return 14;
	if (sb_test_sockopt_int(fd, SOL_SOCKET, SO_MARK) != 0x123)
		return 15;
	return 0;
}

START_TEST(so_mark_on_client_socket)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_mark, NULL), 0);
}
END_TEST

static int child_unprivileged_option(void *arg)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *json = "{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
			   "\"level\":\"SOL_SOCKET\",\"name\":\"SO_REUSEADDR\",\"value\":1}}";

	return call_errno(json, &fd, 1, SB_ERR_NOT_SUPPORTED) == EOPNOTSUPP ? 0 : 1;
}

START_TEST(setsockopt_refuses_options_needing_no_privilege)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_unprivileged_option, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ ownership */

static int child_owner(void *arg)
{
	struct stat st;
	int fd = broker_socket("{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}");

	if (fd < 0)
		return 10;
	/* The kernel records the socket's owner from the creator's fsuid. */
	/* ... and the group of its file credentials from the fsgid. */
	if (fstat(fd, &st) < 0 || st.st_uid != SB_TEST_NOBODY || st.st_gid != SB_TEST_NOBODY)
		return 11;
	return 0;
}

START_TEST(socket_is_owned_by_the_client)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_owner, NULL), 0);
}
END_TEST

static int child_flags(void *arg)
{
	int fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"flags\":[\"SOCK_NONBLOCK\"],"
		"\"options\":[{\"level\":\"SOL_SOCKET\",\"name\":\"SO_REUSEADDR\",\"value\":1}],"
		"\"bind\":{\"host\":\"127.0.0.1\",\"port\":80}}");
	struct sockaddr_in got;
	socklen_t len = sizeof(got);

	if (fd < 0)
		return 10;
	if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
		return 11;
	if (sb_test_sockopt_int(fd, SOL_SOCKET, SO_REUSEADDR) != 1)
		return 12;
	if (getsockname(fd, (struct sockaddr *)&got, &len) < 0 || ntohs(got.sin_port) != 80)
		return 13;
	return 0;
}

/* "listen" takes the backlog by name too: SOMAXCONN, and no other. */
static int child_listen_somaxconn(void *arg)
{
	int fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","
		"\"bind\":{\"host\":\"127.0.0.1\",\"port\":80},\"listen\":\"SOMAXCONN\"}");

	if (fd < 0)
		return 10;
	if (sb_test_sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN) != 1)
		return 11;
	close(fd);
	if (broker_socket(
		    "{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"listen\":\"SOMAXCON\"}") !=
	    -EINVAL)
		return 12;
	if (broker_socket(
		    "{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"listen\":\"AF_INET\"}") !=
	    -EINVAL)
		return 13;
	return 0;
}

START_TEST(socket_listen_takes_somaxconn_by_name)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_listen_somaxconn, NULL), 0);
}
END_TEST

START_TEST(socket_with_flags_options_and_bind_in_one_call)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_flags, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ netns */

static int child_netns(void *arg)
{
	const uint64_t *want = arg;
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	char params[256];
	int fd;

	snprintf(params, sizeof(params),
		 "{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"netns\":\"sbtest-%d\"}",
		 (int)getppid());
	fd = broker_socket(params);
	if (fd < 0)
		return 10;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return 11;
	if (cookie != *want)
		return 12;
	/* Not allowed outside the namespace the policy names. */
	snprintf(
		params, sizeof(params),
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"netns\":\"sbtest-nonexistent\"}");
	if (broker_socket(params) != -EACCES)
		return 13;
	return 0;
}

START_TEST(socket_in_named_network_namespace)
{
	char name[64], cmd[160], policy[1024];
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd, r;

	snprintf(name, sizeof(name), "sbtest-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "ip netns add %s 2>/dev/null", name);
	if (system(cmd) != 0)
		SB_SKIP("cannot create a network namespace (ip netns add failed)");
	snprintf(cmd, sizeof(cmd), "ip netns exec %s true", name);
	/* The cookie of a socket created in that namespace, for comparison. */
	snprintf(cmd, sizeof(cmd), "/run/netns/%s", name);
	fd = open(cmd, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	{
		int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), s;

		ck_assert_int_eq(setns(fd, CLONE_NEWNET), 0);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		ck_assert_int_eq(getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len), 0);
		close(s);
		ck_assert_int_eq(setns(self, CLONE_NEWNET), 0);
		close(self);
	}
	close(fd);
	snprintf(policy, sizeof(policy),
		 "%sallow user:nobody socket family=AF_INET type=SOCK_DGRAM netns=%s\n",
		 policy_text, name);
	sb_test_daemon_reload(&daemon_, policy);
	r = sb_test_run_as_nobody(child_netns, &cookie);
	snprintf(cmd, sizeof(cmd), "ip netns del %s", name);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(r, 0);
}
END_TEST

/* ------------------------------------------------------------ denials */

static int child_denied_family(void *arg)
{
	int r = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_SEQPACKET\",\"protocol\":\"IPPROTO_SCTP\"}");

	return r == -EACCES ? 0 : 1;
}

START_TEST(socket_not_in_policy_is_denied)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_denied_family, NULL), 0);
}
END_TEST

static int child_denial_names_rule(void *arg)
{
	struct sb_reply reply;
	json_object *rule;
	int r;

	r = call(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET6\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_UDP\"}}",
		NULL, 0, &reply, NULL);
	if (r < 0 || !reply.error || strcmp(reply.error, SB_ERR_PERMISSION_DENIED) != 0)
		return 10;
	if (reply.errnum != EACCES || !json_object_object_get_ex(reply.parameters, "rule", &rule) ||
	    strcmp(json_object_get_string(rule), "default") != 0)
		return 11;
	sb_reply_done(&reply);
	/* Protocol 0 asks for the family's default: the message says 0,
	 * not the name 0 happens to have (IPPROTO_IP). */
	r = call(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET6\",\"type\":\"SOCK_SEQPACKET\"}}",
		NULL, 0, &reply, NULL);
	if (r < 0 || !reply.error || !reply.message ||
	    !strstr(reply.message, "policy denies socket AF_INET6/SOCK_SEQPACKET/0 for uid 65534"))
		return 12;
	sb_reply_done(&reply);
	return 0;
}

START_TEST(denial_reports_errno_and_rule)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_denial_names_rule, NULL), 0);
}
END_TEST

static int child_unix(void *arg)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/tmp/sockbroker-never"};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	const char *json = "{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,"
			   "\"address\":{\"path\":\"/tmp/sockbroker-never\"}}}";

	(void)sa;
	if (call_errno(json, &fd, 1, SB_ERR_NOT_SUPPORTED) != EOPNOTSUPP)
		return 10;
	if (access("/tmp/sockbroker-never", F_OK) == 0)
		return 11;
	if (broker_socket("{\"family\":\"AF_UNIX\",\"type\":\"SOCK_STREAM\"}") != -EOPNOTSUPP)
		return 12;
	return 0;
}

START_TEST(af_unix_is_never_brokered)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_unix, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ bad input */

static void expect_error(const char *json, const char *error_name, int errnum)
{
	ck_assert_int_eq(call_errno(json, NULL, 0, error_name), errnum);
}

START_TEST(malformed_requests_get_precise_errors)
{
	int before = quiet_fds();

	expect_error("{\"method\":\"org.sockbroker.Nope\"}", SB_ERR_METHOD_NOT_FOUND, ENOSYS);
	expect_error("{\"method\":\"com.example.Nope\"}", SB_ERR_INTERFACE_NOT_FOUND, ENOENT);
	expect_error("{\"method\":\"org.sockbroker.Socket\",\"parameters\":{}}",
		     SB_ERR_INVALID_PARAMETER, EINVAL);
	expect_error(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_NOPE\",\"type\":\"SOCK_RAW\"}}",
		SB_ERR_INVALID_PARAMETER, EINVAL);
	expect_error(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"bogus\":1}}",
		SB_ERR_INVALID_PARAMETER, EINVAL);
	expect_error(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2.5,\"type\":\"SOCK_RAW\"}}",
		SB_ERR_INVALID_PARAMETER, EINVAL);
	expect_error(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\",\"type\":99999}}",
		SB_ERR_INVALID_PARAMETER, EINVAL);
	expect_error(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"listen\":70000}}",
		SB_ERR_INVALID_PARAMETER, EINVAL);
	expect_error(
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"netns\":\"../etc\"}}",
		SB_ERR_INVALID_PARAMETER, EINVAL);
	/* Not a Varlink message at all: a protocol error, and the connection
	 * is closed after the reply. An unknown top-level key is a bad
	 * parameter. */
	expect_error("[1,2,3]", SB_ERR_PROTOCOL, EBADMSG);
	expect_error("not json", SB_ERR_PROTOCOL, EBADMSG);
	expect_error("{\"method\":\"org.sockbroker.Info\",\"extra\":true}",
		     SB_ERR_INVALID_PARAMETER, EINVAL);
	assert_fds_back_to(before);
}
END_TEST

/* A namespace name the client's spec parser refuses, the daemon refuses
 * too, with the same error: the two ends share one rule. */
START_TEST(netns_names_refused_by_both_ends)
{
	char too_long[SB_NETNS_NAME_MAX + 2];
	const char *names[] = {".x", "a b", "", "..", "a/b", too_long};

	memset(too_long, 'n', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = 0;
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_json_ json_object *name = json_object_new_string(names[i]);
		struct sb_error err = {.name = NULL};
		char text[128], json[512];
		struct sb_spec spec;

		snprintf(text, sizeof(text), "AF_INET:SOCK_DGRAM,netns=%s", names[i]);
		ck_assert_msg(sb_spec_parse(text, &spec, &err) == -EINVAL, "'%s' parsed", text);
		ck_assert_str_eq(err.name, SB_ERR_INVALID_PARAMETER);
		ck_assert_str_eq(err.parameter, "netns");
		snprintf(json, sizeof(json),
			 "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":"
			 "\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"netns\":%s}}",
			 json_object_to_json_string(name));
		ck_assert_msg(call_errno(json, NULL, 0, SB_ERR_INVALID_PARAMETER) == EINVAL,
			      "'%s' not refused by the daemon", names[i]);
	}
}
END_TEST

START_TEST(invalid_parameter_names_the_parameter)
{
	struct sb_reply reply;
	json_object *p;

	ck_assert_int_eq(
		call("{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"listen\":\"x\"}}",
		     NULL, 0, &reply, NULL),
		0);
	ck_assert_str_eq(reply.error, SB_ERR_INVALID_PARAMETER);
	ck_assert(json_object_object_get_ex(reply.parameters, "parameter", &p));
	ck_assert_str_eq(json_object_get_string(p), "listen");
	ck_assert(json_object_object_get_ex(reply.parameters, "errno_name", &p));
	ck_assert_str_eq(json_object_get_string(p), "EINVAL");
	sb_reply_done(&reply);
}
END_TEST

START_TEST(non_socket_and_o_path_descriptors_are_refused)
{
	const char *json = "{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,"
			   "\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}";
	int before = quiet_fds();
	int p[2], opath;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(call_errno(json, &p[0], 1, SB_ERR_BAD_DESCRIPTOR), ENOTSOCK);
	opath = open("/", O_PATH | O_CLOEXEC);
	ck_assert_int_ge(opath, 0);
	ck_assert_int_eq(call_errno(json, &opath, 1, SB_ERR_BAD_DESCRIPTOR), EBADF);
	close(p[0]);
	close(p[1]);
	close(opath);
	assert_fds_back_to(before);
}
END_TEST

START_TEST(wrong_descriptor_counts_are_refused_and_closed)
{
	const char *info = "{\"method\":\"org.sockbroker.Info\"}";
	const char *bind = "{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,"
			   "\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}";
	int before = quiet_fds();
	int fds[3];

	for (int i = 0; i < 3; i++)
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(call_errno(info, fds, 3, SB_ERR_BAD_DESCRIPTOR), EBADF);
	ck_assert_int_eq(call_errno(bind, fds, 2, SB_ERR_BAD_DESCRIPTOR), EBADF);
	ck_assert_int_eq(call_errno(bind, NULL, 0, SB_ERR_BAD_DESCRIPTOR), EBADF);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	assert_fds_back_to(before);
}
END_TEST

START_TEST(oversized_message_is_refused_and_daemon_serves_on)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	_cleanup_free_ char *big = malloc(SB_MESSAGE_MAX + 4096);
	char buf[4096];
	ssize_t n, got = 0;

	ck_assert_int_ge(conn, 0);
	memset(big, 'x', SB_MESSAGE_MAX + 4096);
	/* The daemon may close while we are still writing. */
	n = send(conn, big, SB_MESSAGE_MAX + 4096, MSG_NOSIGNAL);
	(void)n;
	while ((n = recv(conn, buf + got, sizeof(buf) - 1 - (size_t)got, 0)) > 0)
		got += n;
	buf[got] = 0;
	ck_assert_msg(strstr(buf, SB_ERR_PROTOCOL) != NULL, "reply: %s", buf);
	ck_assert_int_eq(call_errno("{\"method\":\"org.sockbroker.Info\"}", NULL, 0, NULL), 0);
}
END_TEST

START_TEST(varlink_introspection)
{
	struct sb_reply reply;
	json_object *v;

	ck_assert_int_eq(
		call("{\"method\":\"org.varlink.service.GetInfo\"}", NULL, 0, &reply, NULL), 0);
	ck_assert_ptr_null(reply.error);
	ck_assert(json_object_object_get_ex(reply.parameters, "interfaces", &v));
	ck_assert_int_ge(json_object_array_length(v), 3);
	sb_reply_done(&reply);
	ck_assert_int_eq(call("{\"method\":\"org.varlink.service.GetInterfaceDescription\","
			      "\"parameters\":{\"interface\":\"org.sockbroker\"}}",
			      NULL, 0, &reply, NULL),
			 0);
	ck_assert_ptr_null(reply.error);
	ck_assert(json_object_object_get_ex(reply.parameters, "description", &v));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(v), "method Socket("));
	sb_reply_done(&reply);
	expect_error(
		"{\"method\":\"org.varlink.service.GetInterfaceDescription\",\"parameters\":{\"interface\":\"x.y\"}}",
		SB_ERR_INTERFACE_NOT_FOUND, ENOENT);
}
END_TEST

#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#define HAVE_BLUETOOTH_ADDRESSES 1
#else
#define HAVE_BLUETOOTH_ADDRESSES 0
#endif

static int child_info(void *arg)
{
	struct sb_reply reply;
	json_object *caller, *uid, *families, *features;

	if (call("{\"method\":\"org.sockbroker.Info\"}", NULL, 0, &reply, NULL) < 0 || reply.error)
		return 10;
	if (!json_object_object_get_ex(reply.parameters, "caller", &caller) ||
	    !json_object_object_get_ex(caller, "uid", &uid) ||
	    json_object_get_int(uid) != SB_TEST_NOBODY)
		return 11;
	if (!json_object_object_get_ex(reply.parameters, "families", &families) ||
	    !strstr(json_object_to_json_string(families), "\"AF_INET\""))
		return 12;
	/* Whether this build reads Bluetooth addresses, and VSOCK's, which
	 * every Linux header set has. */
	if (!json_object_object_get_ex(reply.parameters, "features", &features) ||
	    !json_object_is_type(features, json_type_array) ||
	    !strstr(json_object_to_json_string(features), "\"vsock-addresses\"") ||
	    !strstr(json_object_to_json_string(features), "\"bluetooth-addresses\"") !=
		    !HAVE_BLUETOOTH_ADDRESSES)
		return 13;
	sb_reply_done(&reply);
	return 0;
}

START_TEST(info_reports_the_caller_and_families)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_info, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ admin */

static int child_admin_denied(void *arg)
{
	return call_errno("{\"method\":\"org.sockbroker.admin.Status\"}", NULL, 0,
			  SB_ERR_PERMISSION_DENIED) == EACCES
		       ? 0
		       : 1;
}

START_TEST(admin_methods_need_admin_rights)
{
	struct sb_reply reply;
	json_object *v;

	ck_assert_int_eq(sb_test_run_as_nobody(child_admin_denied, NULL), 0);
	ck_assert_int_eq(
		call("{\"method\":\"org.sockbroker.admin.Status\"}", NULL, 0, &reply, NULL), 0);
	ck_assert_ptr_null(reply.error);
	ck_assert(json_object_object_get_ex(reply.parameters, "rules", &v));
	ck_assert_int_eq(json_object_get_int(v), 8);
	ck_assert(json_object_object_get_ex(reply.parameters, "denials", &v));
	ck_assert_int_ge(json_object_get_int(v), 1);
	sb_reply_done(&reply);
}
END_TEST

START_TEST(admin_check_dry_runs_the_policy)
{
	struct sb_reply reply;
	json_object *v;

	ck_assert_int_eq(
		call("{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{\"user\":\"nobody\","
		     "\"method\":\"bind\",\"keys\":{\"family\":\"AF_INET\",\"port\":\"80\"}}}",
		     NULL, 0, &reply, NULL),
		0);
	ck_assert_ptr_null(reply.error);
	ck_assert(json_object_object_get_ex(reply.parameters, "decision", &v));
	ck_assert_str_eq(json_object_get_string(v), "allow");
	ck_assert(json_object_object_get_ex(reply.parameters, "rule", &v));
	ck_assert_ptr_nonnull(strstr(json_object_get_string(v), "policy.conf:7"));
	sb_reply_done(&reply);
	ck_assert_int_eq(
		call("{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{\"user\":\"nobody\","
		     "\"method\":\"bind\",\"keys\":{\"family\":\"AF_INET\",\"port\":\"81\"}}}",
		     NULL, 0, &reply, NULL),
		0);
	ck_assert(json_object_object_get_ex(reply.parameters, "decision", &v));
	ck_assert_str_eq(json_object_get_string(v), "deny");
	sb_reply_done(&reply);
}
END_TEST

/* A nobody client holds a granted socket until told to close it, then
 * lives on until told to exit: the listing after the close must find the
 * socket gone from a live process, not race with the process's exit. */
static int child_hold_grant(void *arg)
{
	int *pipes = arg;
	char c;
	int fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMP\"}");

	if (fd < 0 || write(pipes[1], "g", 1) != 1 || read(pipes[2], &c, 1) != 1)
		return 10;
	close(fd);
	if (write(pipes[1], "c", 1) != 1)
		return 11;
	return read(pipes[2], &c, 1) == 1 ? 0 : 12;
}

static int list_grants(void)
{
	struct sb_reply reply;
	json_object *grants;
	int n;

	ck_assert_int_eq(call("{\"method\":\"org.sockbroker.admin.List\"}", NULL, 0, &reply, NULL),
			 0);
	ck_assert_ptr_null(reply.error);
	ck_assert(json_object_object_get_ex(reply.parameters, "grants", &grants));
	n = (int)json_object_array_length(grants);
	sb_reply_done(&reply);
	return n;
}

START_TEST(admin_list_shows_live_grants_only)
{
	int to_parent[2], to_child[2], pipes[3], status;
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(to_parent), 0);
	ck_assert_int_eq(pipe(to_child), 0);
	pipes[0] = to_parent[0];
	pipes[1] = to_parent[1];
	pipes[2] = to_child[0];
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sb_test_become_nobody();
		/* Changing uid without exec() made us non-dumpable, which hides
		 * /proc/self/fd from everyone but CAP_SYS_PTRACE; an ordinary
		 * client that was exec()ed is dumpable. */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		_exit(child_hold_grant(pipes));
	}
	ck_assert_int_eq(read(to_parent[0], &c, 1), 1);
	ck_assert_int_eq(list_grants(), 1);
	ck_assert_int_eq(write(to_child[1], "x", 1), 1);
	ck_assert_int_eq(read(to_parent[0], &c, 1), 1);
	ck_assert_int_eq(list_grants(), 0);
	ck_assert_int_eq(write(to_child[1], "e", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	/* The scan acts as each process's owner and must end as itself. */
	ck_assert_str_eq(sb_test_fs_ids(daemon_.pid), "0 0");
}
END_TEST

/* ------------------------------------------------------------ root */

#define PACKET_SOCKET                                                                     \
	"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_PACKET\"," \
	"\"type\":\"SOCK_RAW\",\"protocol\":\"ETH_P_ALL\"}}"

/* uid 0 with every capability dropped, as a hardened root service runs
 * (CapabilityBoundingSet= empty): it cannot make a packet socket itself.
 * granted: whether the broker must hand one over, or deny it by default. */
static int child_capless_root_packet(bool granted)
{
	struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2] = {0};
	struct sb_reply reply;
	json_object *rule;
	int fd = -1;

	if (getuid() != 0 || syscall(SYS_capset, &head, caps) < 0)
		return 10;
	if (socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) >= 0 || errno != EPERM)
		return 11;
	if (call(PACKET_SOCKET, NULL, 0, &reply, &fd) < 0)
		return 12;
	if (granted) {
		if (reply.error || fd < 0)
			return 13;
		close(fd);
	} else if (!reply.error || strcmp(reply.error, SB_ERR_PERMISSION_DENIED) != 0 ||
		   !json_object_object_get_ex(reply.parameters, "rule", &rule) ||
		   strcmp(json_object_get_string(rule), "default") != 0 || fd >= 0) {
		return 14;
	}
	sb_reply_done(&reply);
	return 0;
}

static int run_as_capless_root(bool granted)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_capless_root_packet(granted));
	return sb_test_wait_exit(pid);
}

/* The text of the shipped policy.conf. */
static void read_shipped_policy(char *text, size_t size)
{
	const char *srcdir = getenv("top_srcdir");
	char path[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/daemon/policy.conf", srcdir ? srcdir : ".");
	f = fopen(path, "re");
	ck_assert_msg(f, "%s: %m (run under make check)", path);
	n = fread(text, 1, size - 1, f);
	ck_assert(feof(f));
	fclose(f);
	text[n] = 0;
}

/* Root's allowance is a rule: a policy without it (empty, or the test's,
 * which names only nobody) gives root nothing; the shipped file gives it
 * everything (check-policy's test_shipped_policy_allows_root shows the
 * built-in policy, in force when the default file is missing, to be the
 * same rules). */
START_TEST(root_is_served_by_rules_alone)
{
	char shipped[4096];

	read_shipped_policy(shipped, sizeof(shipped));
	ck_assert_int_eq(run_as_capless_root(false), 0);
	sb_test_daemon_reload(&daemon_, "");
	ck_assert_int_eq(run_as_capless_root(false), 0);
	sb_test_daemon_reload(&daemon_, shipped);
	ck_assert_int_eq(run_as_capless_root(true), 0);
}
END_TEST

/* ------------------------------------------------------------ subordinate ids */

#define UDP_SOCKET_PARAMS "{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\"}"

static const char subids_policy[] = "allow * socket family=AF_INET type=SOCK_DGRAM\n"
				    "deny user:nobody socket family=AF_INET type=SOCK_DGRAM\n";

/* nobody's range, as useradd gives every user one. */
static void start_with_subids(void)
{
	const struct sb_test_daemon_opts opts = {.subuid_text = "nobody:300000:65536\n",
						 .subgid_text = "nobody:300000:65536\n"};

	sb_test_daemon_start_opts(&daemon_, subids_policy, NULL, &opts);
}

/* Run fn in a child with these ids and no supplementary groups, as a
 * process of a user namespace is seen from outside; its exit status. */
static int run_with_ids(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			_exit(126);
		_exit(fn(arg));
	}
	return sb_test_wait_exit(pid);
}

/* arg: whether the UDP socket must be granted. */
static int child_udp_socket(void *arg)
{
	int fd = broker_socket(UDP_SOCKET_PARAMS);

	if (*(bool *)arg)
		return fd >= 0 ? (close(fd), 0) : 1;
	return fd == -EACCES ? 0 : 2;
}

/* nobody becomes one of its subordinate uids (unshare --map-auto, 300005
 * to the daemon) to escape "deny user:nobody" under an "allow *". */
START_TEST(subordinate_uid_is_decided_as_its_owner)
{
	bool granted = true, denied = false;

	ck_assert_int_eq(run_with_ids(300005, 300005, child_udp_socket, &denied), 0);
	ck_assert_int_eq(run_with_ids(365535, 300005, child_udp_socket, &denied), 0);
	ck_assert_int_eq(run_with_ids(SB_TEST_NOBODY, SB_TEST_NOBODY, child_udp_socket, &denied),
			 0);
	/* Ids of nobody's range only; others are themselves. */
	ck_assert_int_eq(run_with_ids(365536, 365536, child_udp_socket, &granted), 0);
	ck_assert(sb_test_log_wait(daemon_.log, "uid=300005", 2000));
	ck_assert(sb_test_log_wait(daemon_.log, "policy.conf:2)", 2000));
}
END_TEST

/* In a user namespace mapped with newgidmap, setgroups() stays allowed:
 * a user drops the group a deny rule names, or runs with another gid,
 * and is still that group's member by the databases. */
START_TEST(dropped_group_still_matches)
{
	struct passwd *pw = getpwuid(SB_TEST_NOBODY);
	bool granted = true, denied = false;
	char policy[256];

	ck_assert_ptr_nonnull(pw);
	snprintf(policy, sizeof(policy),
		 "allow * socket family=AF_INET type=SOCK_DGRAM\n"
		 "deny group:%u socket family=AF_INET type=SOCK_DGRAM\n",
		 (unsigned)pw->pw_gid);
	sb_test_daemon_reload(&daemon_, policy);
	ck_assert_int_eq(run_with_ids(SB_TEST_NOBODY, 1234, child_udp_socket, &denied), 0);
	/* A subordinate uid of nobody's has nobody's groups. */
	ck_assert_int_eq(run_with_ids(300005, 300005, child_udp_socket, &denied), 0);
	ck_assert_int_eq(run_with_ids(65533, 1234, child_udp_socket, &granted), 0);
}
END_TEST

/* A client that is not admin lists its own grants: not root's, and
 * without a denial. */
static int child_list_own(void *arg)
{
	struct sb_reply reply;
	json_object *grants, *uid;
	int fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMP\"}");
	int r = 0;

	if (fd < 0)
		return 10;
	if (call("{\"method\":\"org.sockbroker.admin.List\"}", NULL, 0, &reply, NULL) < 0)
		return 11;
	if (reply.error || !json_object_object_get_ex(reply.parameters, "grants", &grants) ||
	    json_object_array_length(grants) != 1)
		r = 12;
	else if (!json_object_object_get_ex(json_object_array_get_idx(grants, 0), "uid", &uid) ||
		 json_object_get_int(uid) != SB_TEST_NOBODY)
		r = 13;
	sb_reply_done(&reply);
	close(fd);
	return r;
}

START_TEST(non_admin_lists_its_own_grants)
{
	struct sb_reply reply;
	json_object *v;
	int64_t denials;
	int fd;

	/* Root is served by rules too. */
	reload_with("allow user:root socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n");
	fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMP\"}");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(
		call("{\"method\":\"org.sockbroker.admin.Status\"}", NULL, 0, &reply, NULL), 0);
	ck_assert(json_object_object_get_ex(reply.parameters, "denials", &v));
	denials = json_object_get_int64(v);
	sb_reply_done(&reply);
	ck_assert_int_eq(sb_test_run_as_nobody(child_list_own, NULL), 0);
	/* The child's socket went with it; root's own is listed. */
	ck_assert_int_eq(list_grants(), 1);
	close(fd);
	ck_assert_int_eq(
		call("{\"method\":\"org.sockbroker.admin.Status\"}", NULL, 0, &reply, NULL), 0);
	ck_assert(json_object_object_get_ex(reply.parameters, "denials", &v));
	ck_assert_int_eq(json_object_get_int64(v), denials);
	sb_reply_done(&reply);
}
END_TEST

/* ------------------------------------------------------------ policy files */

START_TEST(broken_reload_keeps_the_running_policy)
{
	char log[8192] = "";
	FILE *f;
	size_t n;

	sb_test_daemon_reload(&daemon_, "allow user:nobody socket family=AF_BOGUS\n");
	/* The old rules still apply. */
	ck_assert_int_eq(
		call_errno(
			"{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{\"user\":\"nobody\","
			"\"method\":\"bind\",\"keys\":{\"family\":\"AF_INET\",\"port\":\"80\"}}}",
			NULL, 0, NULL),
		0);
	f = fopen(daemon_.log, "re");
	ck_assert_ptr_nonnull(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = 0;
	fclose(f);
	ck_assert_msg(strstr(log, "policy.conf:1") != NULL, "log: %s", log);
}
END_TEST

START_TEST(broken_policy_at_start_is_fatal_with_file_and_line)
{
	char dir[] = "/tmp/sockbroker-badpol-XXXXXX", path[128], log[4096] = "", cmd[512];
	FILE *f;
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	f = fopen(path, "we");
	fputs("# fine\nallow user:nobody sockt\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/sockbrokerd --listen %s/s --policy %s 2>%s/log",
		 getenv("top_builddir") ?: ".", dir, path, dir);
	status = system(cmd);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	snprintf(cmd, sizeof(cmd), "%s/log", dir);
	f = fopen(cmd, "re");
	ck_assert_ptr_nonnull(f);
	log[fread(log, 1, sizeof(log) - 1, f)] = 0;
	fclose(f);
	ck_assert_msg(strstr(log, "policy.conf:2") != NULL, "log: %s", log);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Clients hammer the daemon while the policy is reloaded; no request may
 * fail because of the reload. */
static int child_hammer(void *arg)
{
	for (int i = 0; i < 200; i++) {
		int fd = broker_socket("{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\"}");

		if (fd < 0)
			return 10;
		close(fd);
	}
	return 0;
}

START_TEST(reload_under_load_fails_no_request)
{
	pid_t pids[8];

	for (int i = 0; i < 8; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			sb_test_become_nobody();
			_exit(child_hammer(NULL));
		}
	}
	for (int i = 0; i < 20; i++)
		sb_test_daemon_reload(&daemon_, policy_text);
	for (int i = 0; i < 8; i++) {
		int status;

		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "client %d: status 0x%x", i, status);
	}
}
END_TEST

/* ------------------------------------------------------------ limits */

static int child_conn_limit(void *arg)
{
	int fds[70], n = 0;
	char c;

	for (n = 0; n < 64; n++) {
		fds[n] = sb_test_connect(daemon_.socket);
		if (fds[n] < 0)
			return 10;
	}
	/* The 65th is accepted by the kernel, then closed by the daemon. */
	fds[64] = sb_test_connect(daemon_.socket);
	if (fds[64] < 0)
		return 11;
	if (!sb_test_readable(fds[64], 2000) || recv(fds[64], &c, 1, 0) != 0)
		return 12;
	/* The first ones still work. */
	{
		char *reply = NULL;

		if (sb_test_call_raw(fds[0], "{\"method\":\"org.sockbroker.Info\"}", NULL, 0,
				     &reply, NULL) < 0)
			return 13;
		free(reply);
	}
	return 0;
}

START_TEST(per_uid_connection_limit)
{
	int before = quiet_fds();

	ck_assert_int_eq(sb_test_run_as_nobody(child_conn_limit, NULL), 0);
	/* Everything the client had is closed again in the daemon. */
	assert_fds_back_to(before);
}
END_TEST

/* The kernel ends a read after a message's descriptors: a call queued
 * behind one that carried a descriptor must still be served, though no
 * new data arrives for it (the daemon waits for edges). The daemon is
 * stopped while both are queued, so one read meets both. */
START_TEST(call_queued_behind_a_descriptor_is_served)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	static const char info[] = "{\"method\":\"org.sockbroker.Info\"}";
	int fd = dup(STDIN_FILENO);
	struct pollfd p = {.fd = conn, .events = POLLIN};
	char buf[8192];
	ssize_t got = 0, n;
	int replies = 0;

	ck_assert_int_ge(conn, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert(sb_test_stop(daemon_.pid, 5000));
	ck_assert_int_eq(sb_send_message(conn, info, strlen(info), &fd, 1), 0);
	ck_assert_int_eq(sb_send_message(conn, info, strlen(info), NULL, 0), 0);
	ck_assert_int_eq(kill(daemon_.pid, SIGCONT), 0);
	close(fd);
	/* The first is refused (Info takes no descriptor), the second served. */
	while (replies < 2 && poll(&p, 1, 5000) == 1 &&
	       (n = recv(conn, buf + got, sizeof(buf) - 1 - (size_t)got, 0)) > 0) {
		for (ssize_t i = got; i < got + n; i++)
			replies += buf[i] == 0;
		got += n;
	}
	ck_assert_int_eq(replies, 2);
	ck_assert_ptr_nonnull(strstr(buf, SB_ERR_BAD_DESCRIPTOR));
	ck_assert_ptr_nonnull(strstr(buf + strlen(buf) + 1, "\"uid\""));
}
END_TEST

START_TEST(pipelined_calls_are_answered_in_order)
{
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	static const char two[] =
		"{\"method\":\"org.sockbroker.Info\"}\0{\"method\":\"org.sockbroker.Nope\"}";
	char buf[8192];
	ssize_t got = 0, n;
	char *second;

	ck_assert_int_ge(conn, 0);
	ck_assert_int_eq(send(conn, two, sizeof(two), 0), (ssize_t)sizeof(two));
	shutdown(conn, SHUT_WR);
	while ((n = recv(conn, buf + got, sizeof(buf) - 1 - (size_t)got, 0)) > 0)
		got += n;
	ck_assert_int_gt(got, 0);
	buf[got] = 0;
	ck_assert_ptr_nonnull(strstr(buf, "\"version\""));
	second = buf + strlen(buf) + 1;
	ck_assert_ptr_nonnull(strstr(second, SB_ERR_METHOD_NOT_FOUND));
}
END_TEST

START_TEST(socket_activation_serves_the_inherited_socket)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/sockbroker-act-XXXXXX", pol[128];
	char *reply = NULL;
	pid_t pid;
	int lfd, conn, status;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", dir);
	snprintf(pol, sizeof(pol), "%s/policy.conf", dir);
	f = fopen(pol, "we");
	fputs(policy_text, f);
	fclose(f);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 16), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char exe[512], pidbuf[16];

		dup2(lfd, 3);
		snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
		setenv("LISTEN_FDS", "1", 1);
		setenv("LISTEN_PID", pidbuf, 1);
		snprintf(exe, sizeof(exe), "%s/sockbrokerd", getenv("top_builddir") ?: ".");
		execl(exe, exe, "--listen", "/nonexistent/ignored", "--policy", pol, (char *)NULL);
		_exit(127);
	}
	close(lfd);
	conn = sb_test_connect(sa.sun_path);
	ck_assert_int_ge(conn, 0);
	ck_assert_int_eq(sb_test_call_raw(conn, "{\"method\":\"org.sockbroker.Info\"}", NULL, 0,
					  &reply, NULL),
			 0);
	ck_assert_ptr_nonnull(strstr(reply, "\"version\""));
	free(reply);
	close(conn);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	unlink(sa.sun_path);
	unlink(pol);
	rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------ review findings */

static int child_kernel_protocol(void *arg)
{
	/* Protocol 0 is the kernel's choice (UDP): the deny rule for UDP
	 * applies to it as it does to an explicit IPPROTO_UDP. */
	if (broker_socket("{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"protocol\":0}") !=
	    -EACCES)
		return 10;
	if (broker_socket(
		    "{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"protocol\":\"IPPROTO_UDP\"}") !=
	    -EACCES)
		return 11;
	/* AF_PACKET keeps 16 bits: larger numbers are refused, not wrapped. */
	if (call_errno(
		    "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_PACKET\","
		    "\"type\":\"SOCK_RAW\",\"protocol\":66304}}",
		    NULL, 0, SB_ERR_INVALID_PARAMETER) != EINVAL)
		return 12;
	return 0;
}

START_TEST(policy_decides_on_the_kernels_protocol)
{
	reload_with(
		"deny user:nobody socket family=AF_INET type=SOCK_DGRAM protocol=IPPROTO_UDP\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_kernel_protocol, NULL), 0);
}
END_TEST

static int child_sock_packet(void *arg)
{
	socklen_t len = sizeof(int);
	int fd, r, domain = 0;

	/* The kernel would turn these into AF_PACKET sockets: refused as
	 * parameters, whatever the policy says about AF_INET. */
	if (broker_socket(
		    "{\"family\":\"AF_INET\",\"type\":\"SOCK_PACKET\",\"protocol\":\"IPPROTO_ICMP\"}") !=
	    -EINVAL)
		return 10;
	if (broker_socket("{\"family\":2,\"type\":10,\"protocol\":768}") != -EINVAL)
		return 11;
	if (call_errno(
		    "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\","
		    "\"type\":\"SOCK_PACKET\"}}",
		    NULL, 0, SB_ERR_INVALID_PARAMETER) != EINVAL)
		return 12;
	/* The rule for AF_INET still grants what it names. */
	fd = broker_socket(
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMP\"}");
	if (fd < 0)
		return 13;
	r = getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_INET ? 0 : 14;
	close(fd);
	return r;
}

/* A rule about AF_INET that names no type must not hand out AF_PACKET
 * sockets through PF_INET's old SOCK_PACKET. */
START_TEST(sock_packet_is_af_packets_alone)
{
	reload_with("allow user:nobody socket family=AF_INET protocol=IPPROTO_ICMP\n"
		    "deny user:nobody socket family=AF_PACKET\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_sock_packet, NULL), 0);
}
END_TEST

static int child_socket_options(void *arg)
{
	const char *mark =
		"\"options\":[{\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":256}]";
	char params[256];
	int fd, value = 0;
	socklen_t len = sizeof(value);

	/* Protocol 0 is TCP for SOCK_STREAM: the rule against options on
	 * TCP sockets applies, as it does when TCP is named. */
	snprintf(params, sizeof(params), "{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",%s}",
		 mark);
	if (broker_socket(params) != -EACCES)
		return 10;
	snprintf(
		params, sizeof(params),
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",%s}",
		mark);
	if (broker_socket(params) != -EACCES)
		return 11;
	/* UDP is not named: the option is granted and set. */
	snprintf(params, sizeof(params), "{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",%s}",
		 mark);
	fd = broker_socket(params);
	if (fd < 0)
		return 12;
	if (getsockopt(fd, SOL_SOCKET, SO_MARK, &value, &len) < 0 || value != 256) {
		close(fd);
		return 13;
	}
	close(fd);
	return 0;
}

/* Options asked for with a socket are decided on the protocol the
 * kernel chose, as a SetSockOpt on that socket would be. */
START_TEST(socket_options_are_decided_on_the_kernels_protocol)
{
	reload_with("deny user:nobody setsockopt family=AF_INET protocol=IPPROTO_TCP\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_socket_options, NULL), 0);
}
END_TEST

static int child_option_values(void *arg)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *negative = "{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
			       "\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":-1}}";
	const char *bad_name =
		"{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,"
		"\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTODEVICE\",\"text\":\"lo\\n\"}}";

	if (fd < 0)
		return 10;
	/* SO_MARK is an unsigned 32-bit value: -1 would be 0xffffffff. */
	if (call_errno(negative, &fd, 1, SB_ERR_INVALID_PARAMETER) != EINVAL)
		return 11;
	/* Interface names are checked before anything is logged or set. */
	if (call_errno(bad_name, &fd, 1, SB_ERR_INVALID_PARAMETER) != EINVAL)
		return 12;
	return 0;
}

START_TEST(option_values_are_checked_as_the_kernel_reads_them)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_option_values, NULL), 0);
}
END_TEST

static int child_check_others(void *arg)
{
	/* Asking about another user is refused before anything is looked
	 * up: the answer must not tell whether the user exists. */
	if (call_errno(
		    "{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{\"user\":\"no-such-user-x\","
		    "\"method\":\"socket\"}}",
		    NULL, 0, SB_ERR_PERMISSION_DENIED) != EACCES)
		return 10;
	/* About itself, by uid, it may ask. */
	if (call_errno(
		    "{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{\"user\":\"65534\","
		    "\"method\":\"bind\",\"keys\":{\"family\":\"AF_INET\",\"port\":\"80\"}}}",
		    NULL, 0, NULL) != 0)
		return 11;
	return 0;
}

START_TEST(admin_check_authorises_before_looking_up_users)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_check_others, NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon");

	sb_test_hermetic();

	require_root();
	SB_TEST_FIXTURE(s, raw_icmp_echo_ipv4, start, stop);
	SB_TEST_FIXTURE(s, raw_icmp_echo_ipv6, start, stop);
	SB_TEST_FIXTURE(s, packet_capture_on_lo, start, stop);
	SB_TEST_FIXTURE(s, netlink_multicast_group_bind, start, stop);
	SB_TEST_FIXTURE(s, privileged_bind_port_80, start, stop);
	SB_TEST_FIXTURE(s, bind_port_not_in_policy_is_denied, start, stop);
	SB_TEST_FIXTURE(s, compact_bind_is_answered_in_the_compact_reply, start, stop);
	SB_TEST_FIXTURE(s, dual_stack_binds_are_decided_for_ipv4_too, start, stop);
	SB_TEST_FIXTURE(s, so_mark_on_client_socket, start, stop);
	SB_TEST_FIXTURE(s, setsockopt_refuses_options_needing_no_privilege, start, stop);
	SB_TEST_FIXTURE(s, socket_is_owned_by_the_client, start, stop);
	SB_TEST_FIXTURE(s, socket_with_flags_options_and_bind_in_one_call, start, stop);
	SB_TEST_FIXTURE(s, socket_listen_takes_somaxconn_by_name, start, stop);
	SB_TEST_FIXTURE(s, socket_in_named_network_namespace, start, stop);
	SB_TEST_FIXTURE(s, socket_not_in_policy_is_denied, start, stop);
	SB_TEST_FIXTURE(s, denial_reports_errno_and_rule, start, stop);
	SB_TEST_FIXTURE(s, af_unix_is_never_brokered, start, stop);
	SB_TEST_FIXTURE(s, malformed_requests_get_precise_errors, start, stop);
	SB_TEST_FIXTURE(s, netns_names_refused_by_both_ends, start, stop);
	SB_TEST_FIXTURE(s, invalid_parameter_names_the_parameter, start, stop);
	SB_TEST_FIXTURE(s, non_socket_and_o_path_descriptors_are_refused, start, stop);
	SB_TEST_FIXTURE(s, wrong_descriptor_counts_are_refused_and_closed, start, stop);
	SB_TEST_FIXTURE(s, oversized_message_is_refused_and_daemon_serves_on, start, stop);
	SB_TEST_FIXTURE(s, varlink_introspection, start, stop);
	SB_TEST_FIXTURE(s, info_reports_the_caller_and_families, start, stop);
	SB_TEST_FIXTURE(s, admin_methods_need_admin_rights, start, stop);
	SB_TEST_FIXTURE(s, admin_check_dry_runs_the_policy, start, stop);
	SB_TEST_FIXTURE(s, admin_list_shows_live_grants_only, start, stop);
	SB_TEST_FIXTURE(s, non_admin_lists_its_own_grants, start, stop);
	SB_TEST_FIXTURE(s, root_is_served_by_rules_alone, start, stop);
	SB_TEST_FIXTURE(s, subordinate_uid_is_decided_as_its_owner, start_with_subids, stop);
	SB_TEST_FIXTURE(s, dropped_group_still_matches, start_with_subids, stop);
	SB_TEST_FIXTURE(s, broken_reload_keeps_the_running_policy, start, stop);
	SB_TEST_FIXTURE(s, reload_under_load_fails_no_request, start, stop);
	SB_TEST_FIXTURE(s, per_uid_connection_limit, start, stop);
	SB_TEST_FIXTURE(s, pipelined_calls_are_answered_in_order, start, stop);
	SB_TEST_FIXTURE(s, call_queued_behind_a_descriptor_is_served, start, stop);
	SB_TEST_FIXTURE(s, policy_decides_on_the_kernels_protocol, start, stop);
	SB_TEST_FIXTURE(s, sock_packet_is_af_packets_alone, start, stop);
	SB_TEST_FIXTURE(s, socket_options_are_decided_on_the_kernels_protocol, start, stop);
	SB_TEST_FIXTURE(s, option_values_are_checked_as_the_kernel_reads_them, start, stop);
	SB_TEST_FIXTURE(s, admin_check_authorises_before_looking_up_users, start, stop);
	SB_TEST(s, broken_policy_at_start_is_fatal_with_file_and_line);
	SB_TEST(s, socket_activation_serves_the_inherited_socket);
	return sb_test_run(s);
}
