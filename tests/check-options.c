/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every privileged option the daemon brokers, end to end, and the policy
 * keys that decide on what a request names (value=, interface=, groups=):
 * the real daemon, clients as nobody on their own sockets. For each
 * option the kernel first refuses nobody, then the broker sets a value
 * the policy allows, refuses one it does not, and the socket keeps the
 * value it had. */
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/harness.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

/* Two ends of a veth pair in the suite's network namespace, for the
 * re-binding options: lo and these are the interfaces there. */
#define LINK_A "sbopt0"
#define LINK_B "sbopt1"

static struct sb_test_daemon daemon_;
/* A congestion control algorithm the kernel has but does not let
 * unprivileged sockets choose, "" when there is none. */
static char algorithm[32];

static const char policy_format[] =
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n"
	"allow user:nobody setsockopt option=SO_PRIORITY value=7\n"
	"allow user:nobody setsockopt option=SO_RCVBUFFORCE,SO_SNDBUFFORCE value=0-1048576\n"
	"allow user:nobody setsockopt option=SO_DEBUG,SO_PREFER_BUSY_POLL value=1\n"
	"allow user:nobody setsockopt option=SO_BUSY_POLL_BUDGET value=1-100\n"
	"allow user:nobody setsockopt option=IP_TRANSPARENT family=AF_INET value=1\n"
	"allow user:nobody setsockopt option=IPV6_TRANSPARENT family=AF_INET6 value=1\n"
	"allow user:nobody setsockopt option=NETLINK_LISTEN_ALL_NSID protocol=NETLINK_ROUTE value=1\n"
	"allow user:nobody setsockopt option=SO_BINDTODEVICE,SO_BINDTOIFINDEX interface=" LINK_B
	"\n"
	"allow user:nobody setsockopt option=TCP_CONGESTION value=%s\n"
	"allow user:nobody socket family=AF_INET type=SOCK_STREAM\n"
	"allow user:nobody bind family=AF_NETLINK protocol=NETLINK_XFRM groups=1,2\n";

/* The first algorithm of tcp_available_congestion_control that is not
 * in tcp_allowed_congestion_control. */
static void find_algorithm(void)
{
	char available[512] = "", allowed[512] = "";
	FILE *f;

	f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "re");
	if (f) {
		if (!fgets(available, sizeof(available), f))
			available[0] = 0;
		fclose(f);
	}
	f = fopen("/proc/sys/net/ipv4/tcp_allowed_congestion_control", "re");
	if (f) {
		if (!fgets(allowed, sizeof(allowed), f))
			allowed[0] = 0;
		fclose(f);
	}
	allowed[strcspn(allowed, "\n")] = 0;
	for (char *save = NULL, *a = strtok_r(available, " \n", &save); a;
	     a = strtok_r(NULL, " \n", &save)) {
		char padded[64], spaced[sizeof(allowed) + 2];

		snprintf(padded, sizeof(padded), " %s ", a);
		snprintf(spaced, sizeof(spaced), " %s ", allowed);
		if (!strstr(spaced, padded) && strlen(a) < sizeof(algorithm)) {
			snprintf(algorithm, sizeof(algorithm), "%s", a);
			return;
		}
	}
}

static void start(void)
{
	char policy[2048];

	/* A name no rule can match stands in when there is no algorithm. */
	snprintf(policy, sizeof(policy), policy_format, algorithm[0] ? algorithm : "none");
	sb_test_daemon_start(&daemon_, policy, NULL);
}

static void stop(void)
{
	sb_test_daemon_stop(&daemon_);
}

/* SetSockOpt on fd with the rest of its parameters (after "fd":0): the
 * errno of the error reply, 0 for success. With error_name, the error
 * must be that one. */
static int set_via_broker(int fd, const char *params, const char *error_name)
{
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,%s}}", params);
	return sb_test_call_errno(daemon_.socket, json, &fd, 1, error_name);
}

/* ------------------------------------------------------------ integers */

struct int_option {
	const char *level, *name; /* as the call names them */
	int level_nr, name_nr;
	int family, type, protocol;
	int good, bad; /* a value the policy allows, one it does not */
	int get_name;  /* read back through this option... */
	int got;       /* ...which then says this */
	/* Or, for an option getsockopt() does not read: is it got? */
	bool (*is)(int fd, int got);
};

/* The kernel lets anyone lower the budget, or set it to what it is, and
 * only the privileged raise it. */
static bool budget_is(int fd, int got)
{
	int more = got + 1;

	return setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &more, sizeof(more)) < 0 &&
	       errno == EPERM &&
	       setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &got, sizeof(got)) == 0;
}

static bool option_is(const struct int_option *o, int fd)
{
	if (o->is)
		return o->is(fd, o->got);
	return sb_test_sockopt_int(fd, o->level_nr, o->get_name) == o->got;
}

static const struct int_option int_options[] = {
	{"SOL_SOCKET", "SO_MARK", SOL_SOCKET, SO_MARK, AF_INET, SOCK_DGRAM, 0, 0x123, 0x200,
	 SO_MARK, 0x123},
	{"SOL_SOCKET", "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, AF_INET, SOCK_DGRAM, 0, 7, 8,
	 SO_PRIORITY, 7},
	/* The kernel doubles buffer sizes for its bookkeeping. */
	{"SOL_SOCKET", "SO_RCVBUFFORCE", SOL_SOCKET, SO_RCVBUFFORCE, AF_INET, SOCK_DGRAM, 0,
	 1048576, 4194304, SO_RCVBUF, 2097152},
	{"SOL_SOCKET", "SO_SNDBUFFORCE", SOL_SOCKET, SO_SNDBUFFORCE, AF_INET, SOCK_DGRAM, 0,
	 1048576, 4194304, SO_SNDBUF, 2097152},
	/* For a switch, the wrong value is turning it off again. */
	{"SOL_SOCKET", "SO_DEBUG", SOL_SOCKET, SO_DEBUG, AF_INET, SOCK_STREAM, 0, 1, 0, SO_DEBUG,
	 1},
	{"SOL_SOCKET", "SO_PREFER_BUSY_POLL", SOL_SOCKET, SO_PREFER_BUSY_POLL, AF_INET, SOCK_DGRAM,
	 0, 1, 0, SO_PREFER_BUSY_POLL, 1},
	{"SOL_SOCKET", "SO_BUSY_POLL_BUDGET", SOL_SOCKET, SO_BUSY_POLL_BUDGET, AF_INET, SOCK_DGRAM,
	 0, 64, 1000, 0, 64, budget_is},
	{"SOL_IP", "IP_TRANSPARENT", SOL_IP, IP_TRANSPARENT, AF_INET, SOCK_STREAM, 0, 1, 0,
	 IP_TRANSPARENT, 1},
	{"SOL_IPV6", "IPV6_TRANSPARENT", SOL_IPV6, IPV6_TRANSPARENT, AF_INET6, SOCK_DGRAM, 0, 1, 0,
	 IPV6_TRANSPARENT, 1},
	{"SOL_NETLINK", "NETLINK_LISTEN_ALL_NSID", SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, AF_NETLINK,
	 SOCK_RAW, NETLINK_ROUTE, 1, 0, NETLINK_LISTEN_ALL_NSID, 1},
};

static int child_int_option(void *arg)
{
	const struct int_option *o = arg;
	int fd = socket(o->family, o->type | SOCK_CLOEXEC, o->protocol);
	char params[256];

	if (fd < 0)
		return 10;
	/* Without the broker: the kernel says no. */
	if (setsockopt(fd, o->level_nr, o->name_nr, &o->good, sizeof(o->good)) == 0 ||
	    (errno != EPERM && errno != EACCES))
		return 11;
	snprintf(params, sizeof(params), "\"level\":\"%s\",\"name\":\"%s\",\"value\":%d", o->level,
		 o->name, o->good);
	if (set_via_broker(fd, params, NULL) != 0)
		return 12;
	if (!option_is(o, fd))
		return 13;
	snprintf(params, sizeof(params), "\"level\":\"%s\",\"name\":\"%s\",\"value\":%d", o->level,
		 o->name, o->bad);
	if (set_via_broker(fd, params, SB_ERR_PERMISSION_DENIED) != EACCES)
		return 14;
	if (!option_is(o, fd))
		return 15;
	return 0;
}

START_TEST(every_integer_option_is_brokered_by_value)
{
	for (size_t i = 0; i < ELEMENTSOF(int_options); i++) {
		int status = sb_test_run_as_nobody(child_int_option, (void *)&int_options[i]);

		ck_assert_msg(status == 0, "%s: child exited with %d", int_options[i].name, status);
	}
}
END_TEST

/* ------------------------------------------------------------ TCP_CONGESTION */

static int congestion_of(int fd, char *buf, size_t size)
{
	socklen_t len = (socklen_t)size - 1;

	if (getsockopt(fd, SOL_TCP, TCP_CONGESTION, buf, &len) < 0)
		return -errno;
	buf[len] = 0;
	return 0;
}

static int child_congestion(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char params[256], got[32], before[32];

	if (fd < 0 || congestion_of(fd, before, sizeof(before)) < 0)
		return 10;
	if (setsockopt(fd, SOL_TCP, TCP_CONGESTION, algorithm, (socklen_t)strlen(algorithm)) == 0 ||
	    errno != EPERM)
		return 11;
	snprintf(params, sizeof(params),
		 "\"level\":\"SOL_TCP\",\"name\":\"TCP_CONGESTION\",\"text\":\"%s\"", algorithm);
	if (set_via_broker(fd, params, NULL) != 0)
		return 12;
	if (congestion_of(fd, got, sizeof(got)) < 0 || strcmp(got, algorithm) != 0)
		return 13;
	/* A name the policy does not list, even one nobody may choose itself. */
	if (set_via_broker(fd,
			   "\"level\":\"SOL_TCP\",\"name\":\"TCP_CONGESTION\",\"text\":\"reno\"",
			   SB_ERR_PERMISSION_DENIED) != EACCES)
		return 14;
	if (congestion_of(fd, got, sizeof(got)) < 0 || strcmp(got, algorithm) != 0)
		return 15;
	/* Names go into logs and module names: checked before anything else. */
	if (set_via_broker(fd,
			   "\"level\":\"SOL_TCP\",\"name\":\"TCP_CONGESTION\",\"text\":\"tcp/x\"",
			   SB_ERR_INVALID_PARAMETER) != EINVAL ||
	    set_via_broker(fd, "\"level\":\"SOL_TCP\",\"name\":\"TCP_CONGESTION\",\"value\":1",
			   SB_ERR_INVALID_PARAMETER) != EINVAL)
		return 16;
	return 0;
}

/* A text value in a Socket call's options, as one in SetSockOpt. */
static int child_congestion_in_socket_call(void *arg)
{
	char json[512], got[32];
	struct sb_reply reply;
	int fd = -1, r;

	snprintf(json, sizeof(json),
		 "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\","
		 "\"type\":\"SOCK_STREAM\",\"options\":[{\"level\":\"SOL_TCP\","
		 "\"name\":\"TCP_CONGESTION\",\"text\":\"%s\"}]}}",
		 algorithm);
	r = sb_test_call_once(daemon_.socket, json, NULL, 0, &reply, &fd);
	if (r < 0 || reply.error || fd < 0)
		return 10;
	sb_reply_done(&reply);
	if (congestion_of(fd, got, sizeof(got)) < 0 || strcmp(got, algorithm) != 0)
		return 11;
	close(fd);
	return 0;
}

START_TEST(tcp_congestion_is_brokered_by_name)
{
	if (!algorithm[0])
		SB_SKIP("this kernel has no congestion control algorithm outside "
			"tcp_allowed_congestion_control");
	ck_assert_int_eq(sb_test_run_as_nobody(child_congestion, NULL), 0);
	ck_assert_int_eq(sb_test_run_as_nobody(child_congestion_in_socket_call, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ re-binding to a device */

static bool make_links(void)
{
	/* Left over from an interrupted run, or not: either way gone. */
	if (system("ip link del " LINK_A " 2>/dev/null") < 0)
		return false;
	return system("ip link add " LINK_A " type veth peer name " LINK_B " 2>/dev/null") == 0;
}

static void remove_links(void)
{
	if (system("ip link del " LINK_A " 2>/dev/null") < 0)
		return;
}

static int bound_index(int fd)
{
	return sb_test_sockopt_int(fd, SOL_SOCKET, SO_BINDTOIFINDEX);
}

static int child_bindtodevice(void *arg)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int lo = (int)if_nametoindex("lo"), b = (int)if_nametoindex(LINK_B);

	if (fd < 0 || lo <= 0 || b <= 0)
		return 10;
	/* The first bind needs no privilege; changing it does. */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, LINK_B, strlen(LINK_B)) == 0 ||
	    errno != EPERM)
		return 11;
	if (set_via_broker(
		    fd,
		    "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTODEVICE\",\"text\":\"" LINK_B "\"",
		    NULL) != 0)
		return 12;
	if (bound_index(fd) != b)
		return 13;
	/* Another interface, or none at all (unbinding), is not in the rule. */
	if (set_via_broker(fd,
			   "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTODEVICE\",\"text\":\"lo\"",
			   SB_ERR_PERMISSION_DENIED) != EACCES ||
	    set_via_broker(fd,
			   "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTODEVICE\",\"text\":\"\"",
			   SB_ERR_PERMISSION_DENIED) != EACCES)
		return 14;
	if (bound_index(fd) != b)
		return 15;
	return 0;
}

static int child_bindtoifindex(void *arg)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int lo = (int)if_nametoindex("lo"), b = (int)if_nametoindex(LINK_B);
	char params[256];

	if (fd < 0 || lo <= 0 || b <= 0)
		return 10;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &lo, sizeof(lo)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &b, sizeof(b)) == 0 || errno != EPERM)
		return 11;
	/* The policy decides on the interface's name, which the daemon
	 * looks up. */
	snprintf(params, sizeof(params),
		 "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTOIFINDEX\",\"value\":%d", b);
	if (set_via_broker(fd, params, NULL) != 0)
		return 12;
	if (bound_index(fd) != b)
		return 13;
	snprintf(params, sizeof(params),
		 "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTOIFINDEX\",\"value\":%d", lo);
	if (set_via_broker(fd, params, SB_ERR_PERMISSION_DENIED) != EACCES ||
	    set_via_broker(fd, "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTOIFINDEX\",\"value\":0",
			   SB_ERR_PERMISSION_DENIED) != EACCES)
		return 14;
	/* An index no interface has is no name a rule could list. */
	if (set_via_broker(
		    fd, "\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTOIFINDEX\",\"value\":999999",
		    SB_ERR_SYSTEM) != ENODEV)
		return 15;
	if (bound_index(fd) != b)
		return 16;
	return 0;
}

START_TEST(rebinding_to_a_device_is_decided_by_interface)
{
	if (!make_links())
		SB_SKIP("cannot create a veth pair here");
	ck_assert_int_eq(sb_test_run_as_nobody(child_bindtodevice, NULL), 0);
	ck_assert_int_eq(sb_test_run_as_nobody(child_bindtoifindex, NULL), 0);
	remove_links();
}
END_TEST

/* ------------------------------------------------------------ refused outright */

/* NotSupported, saying why: 0, or what went wrong. */
static int refused_because(int fd, const char *params, const char *why)
{
	char json[512];
	struct sb_reply reply;
	int r;

	snprintf(json, sizeof(json),
		 "{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,%s}}", params);
	if (sb_test_call_once(daemon_.socket, json, &fd, 1, &reply, NULL) < 0)
		return 1;
	r = !reply.error || strcmp(reply.error, SB_ERR_NOT_SUPPORTED) != 0 ||
	    reply.errnum != EOPNOTSUPP || !reply.message || !strstr(reply.message, why);
	if (r)
		fprintf(stderr, "%s: %s\n", params, reply.message ?: reply.error ?: "granted");
	sb_reply_done(&reply);
	return r;
}

static int child_refused(void *arg)
{
	int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int udp6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (tcp < 0 || udp6 < 0)
		return 10;
	if (refused_because(tcp, "\"level\":\"SOL_TCP\",\"name\":\"TCP_REPAIR\",\"value\":1",
			    "takes over connections"))
		return 11;
	if (refused_because(udp6, "\"level\":\"SOL_IPV6\",\"name\":\"IPV6_HOPOPTS\",\"value\":1",
			    "raw extension headers") ||
	    refused_because(udp6, "\"level\":\"SOL_IPV6\",\"name\":\"IPV6_DSTOPTS\",\"value\":1",
			    "raw extension headers"))
		return 12;
	return 0;
}

START_TEST(options_no_policy_can_grant_are_refused)
{
	/* Even to a policy that names them. */
	sb_test_daemon_reload(&daemon_, "allow * setsockopt\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_refused, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------ netlink groups */

/* Bind an XFRM socket (its groups need CAP_NET_ADMIN) to the groups of
 * mask through the broker: the errno of the reply, 0 when granted. */
static int bind_groups(unsigned mask, const char *error_name)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	struct sockaddr_nl got;
	socklen_t len = sizeof(got);
	char json[256];
	int r;

	if (fd < 0)
		return -1;
	snprintf(
		json, sizeof(json),
		"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,\"address\":{\"pid\":0,\"groups\":%u}}}",
		mask);
	r = sb_test_call_errno(daemon_.socket, json, &fd, 1, error_name);
	/* Granted: bound to exactly those groups; denied: to none. */
	if (getsockname(fd, (struct sockaddr *)&got, &len) < 0 || got.nl_groups != (r ? 0 : mask))
		r = -2;
	close(fd);
	return r;
}

static int child_groups(void *arg)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != EPERM)
		return 10;
	close(fd);
	if (bind_groups(0x1, NULL) != 0 || bind_groups(0x3, NULL) != 0)
		return 11;
	/* Each group is decided: one outside the rule denies the bind. */
	if (bind_groups(0x4, SB_ERR_PERMISSION_DENIED) != EACCES ||
	    bind_groups(0x5, SB_ERR_PERMISSION_DENIED) != EACCES)
		return 12;
	return 0;
}

static int child_groups_all(void *arg)
{
	return bind_groups(0x5, NULL) == 0 && bind_groups(0x80000000u, NULL) == 0 ? 0 : 10;
}

START_TEST(netlink_binds_are_decided_by_group)
{
	ck_assert_int_eq(sb_test_run_as_nobody(child_groups, NULL), 0);
	/* A bind rule without groups= grants them all, as it always did. */
	sb_test_daemon_reload(&daemon_, "allow user:nobody bind family=AF_NETLINK\n");
	ck_assert_int_eq(sb_test_run_as_nobody(child_groups_all, NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");

	sb_test_hermetic();
	if (!sb_test_is_root())
		sb_test_skip_all(
			"the option tests need root (to start sockbrokerd and drop to nobody)");
	find_algorithm();
	SB_TEST_FIXTURE(s, every_integer_option_is_brokered_by_value, start, stop);
	SB_TEST_FIXTURE(s, tcp_congestion_is_brokered_by_name, start, stop);
	SB_TEST_FIXTURE(s, rebinding_to_a_device_is_decided_by_interface, start, stop);
	SB_TEST_FIXTURE(s, options_no_policy_can_grant_are_refused, start, stop);
	SB_TEST_FIXTURE(s, netlink_binds_are_decided_by_group, start, stop);
	return sb_test_run(s);
}
