/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "daemon/policy-internal.h"
#include "daemon/policy.h"
#include "daemon/subid.h"
#include "tests/testlib.h"

/* ------------------------------------------------------------ helpers */

static char errbuf[1024];

static struct sb_policy *parse_ok(const char *text)
{
	struct sb_policy *p = NULL;
	int r;

	errbuf[0] = 0;
	r = sb_policy_parse_string(text, "t", &p, errbuf, sizeof(errbuf));
	ck_assert_msg(r == 0, "parse failed (%d): %s", r, errbuf);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* The whole text must be refused with exactly this message. */
static void parse_fails(const char *text, const char *message)
{
	struct sb_policy *p = NULL;
	int r;

	errbuf[0] = 0;
	r = sb_policy_parse_string(text, "t", &p, errbuf, sizeof(errbuf));
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(errbuf, message);
}

static struct sb_policy_subject subject(uid_t uid, gid_t gid)
{
	return (struct sb_policy_subject){.uid = uid, .gid = gid};
}

static struct sb_decision decide(const struct sb_policy *p, const struct sb_policy_subject *who,
				 const struct sb_policy_request *req)
{
	struct sb_decision d = {.allow = true, .rule = NULL};

	sb_policy_check(p, who, req, &d);
	ck_assert_ptr_nonnull(d.rule);
	return d;
}

/* Asserts the decision and the rule that made it. */
static void expect(const struct sb_policy *p, const struct sb_policy_subject *who,
		   const struct sb_policy_request *req, bool allow, const char *rule)
{
	struct sb_decision d = decide(p, who, req);

	ck_assert_msg(d.allow == allow, "expected %s by %s, got %s by %s", allow ? "allow" : "deny",
		      rule, d.allow ? "allow" : "deny", d.rule);
	ck_assert_str_eq(d.rule, rule);
}

static struct sb_policy_request socket_req(int family, int type, int protocol, const char *netns)
{
	struct sb_policy_request req;

	sb_policy_request_init(&req, SB_PM_SOCKET);
	req.family = family;
	req.type = type;
	req.protocol = protocol;
	req.netns = netns;
	return req;
}

static struct sb_policy_request bind_req(int family, int port)
{
	struct sb_policy_request req;

	sb_policy_request_init(&req, SB_PM_BIND);
	req.family = family;
	req.type = SOCK_STREAM;
	req.protocol = 0;
	req.port = port;
	return req;
}

static struct sb_policy_request sockopt_req(int level, int option, bool has_value, int64_t value)
{
	struct sb_policy_request req;

	sb_policy_request_init(&req, SB_PM_SETSOCKOPT);
	req.level = level;
	req.option = option;
	req.has_value = has_value;
	req.value = value;
	return req;
}

/* A bind request for a textual IPv4 or IPv6 address. */
static struct sb_policy_request addr_req(const char *text, struct sockaddr_storage *ss)
{
	struct sb_policy_request req;

	memset(ss, 0, sizeof(*ss));
	sb_policy_request_init(&req, SB_PM_BIND);
	if (strchr(text, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
		req.address_len = sizeof(*sin6);
		req.family = AF_INET6;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &sin->sin_addr), 1);
		req.address_len = sizeof(*sin);
		req.family = AF_INET;
	}
	req.address = (const struct sockaddr *)ss;
	req.port = 80;
	return req;
}

static void policy_freep(struct sb_policy **p)
{
	sb_policy_free(*p);
}
#define _cleanup_policy_ _cleanup_(policy_freep)

/* -------------------------------- the examples of sockbroker-policy(5) */

/* The example policy, with ids standing in for the users and groups
 * that do not exist on a test machine. */
static const char example[] =
	"# ACTION WHO      METHOD      [KEY=VALUE[,VALUE...] ...]\n"
	"allow group:1001 socket     family=AF_PACKET type=SOCK_RAW\n"
	"allow user:1002   socket     family=AF_INET,AF_INET6 type=SOCK_RAW protocol=IPPROTO_ICMP,IPPROTO_ICMPV6\n"
	"allow user:1003     bind       family=AF_INET,AF_INET6 port=80,443\n"
	"allow group:1004    setsockopt option=SO_MARK value=0x100-0x1ff\n"
	"allow group:1005    socket     family=AF_PACKET netns=lab1\n"
	"deny  user:1006 *\n";

START_TEST(test_example_parses)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	const char *const *files;

	ck_assert_uint_eq(sb_policy_rule_count(p), 6);
	ck_assert_uint_eq(sb_policy_files(p, &files), 1);
	ck_assert_str_eq(files[0], "t");
}
END_TEST

START_TEST(test_example_packet_group)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	struct sb_policy_subject who = subject(1000, 1001);
	struct sb_policy_subject other = subject(1000, 1000);
	struct sb_policy_request raw = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request dgram = socket_req(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL), NULL);

	expect(p, &who, &raw, true, "t:2");
	expect(p, &who, &dgram, false, "default");
	expect(p, &other, &raw, false, "default");
}
END_TEST

START_TEST(test_example_icmp_user)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	struct sb_policy_subject who = subject(1002, 1002);
	struct sb_policy_request icmp = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);
	struct sb_policy_request icmp6 = socket_req(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, NULL);
	struct sb_policy_request tcp = socket_req(AF_INET, SOCK_RAW, IPPROTO_TCP, NULL);
	struct sb_policy_request dgram = socket_req(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, NULL);

	expect(p, &who, &icmp, true, "t:3");
	expect(p, &who, &icmp6, true, "t:3");
	expect(p, &who, &tcp, false, "default");
	expect(p, &who, &dgram, false, "default");
}
END_TEST

START_TEST(test_example_bind_ports)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	struct sb_policy_subject who = subject(1003, 1003);
	struct sb_policy_request http = bind_req(AF_INET, 80);
	struct sb_policy_request https6 = bind_req(AF_INET6, 443);
	struct sb_policy_request other = bind_req(AF_INET, 8080);
	struct sb_policy_request packet = bind_req(AF_PACKET, 80);
	struct sb_policy_request socket = socket_req(AF_INET, SOCK_STREAM, 0, NULL);

	expect(p, &who, &http, true, "t:4");
	expect(p, &who, &https6, true, "t:4");
	expect(p, &who, &other, false, "default");
	expect(p, &who, &packet, false, "default");
	expect(p, &who, &socket, false, "default");
}
END_TEST

START_TEST(test_example_somark_value)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	struct sb_policy_subject who = subject(1000, 1004);
	struct sb_policy_request lo = sockopt_req(SOL_SOCKET, SO_MARK, true, 0x100);
	struct sb_policy_request hi = sockopt_req(SOL_SOCKET, SO_MARK, true, 0x1ff);
	struct sb_policy_request above = sockopt_req(SOL_SOCKET, SO_MARK, true, 0x200);
	struct sb_policy_request below = sockopt_req(SOL_SOCKET, SO_MARK, true, 0xff);
	struct sb_policy_request novalue = sockopt_req(SOL_SOCKET, SO_MARK, false, 0);
	struct sb_policy_request prio = sockopt_req(SOL_SOCKET, SO_PRIORITY, true, 0x100);

	expect(p, &who, &lo, true, "t:5");
	expect(p, &who, &hi, true, "t:5");
	expect(p, &who, &above, false, "default");
	expect(p, &who, &below, false, "default");
	expect(p, &who, &novalue, false, "default");
	expect(p, &who, &prio, false, "default");
}
END_TEST

START_TEST(test_example_netns)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	struct sb_policy_subject lab = subject(1000, 1005);
	struct sb_policy_subject netdev = subject(1000, 1001);
	struct sb_policy_request in_lab1 =
		socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "lab1");
	struct sb_policy_request in_lab2 =
		socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "lab2");
	struct sb_policy_request here = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);

	expect(p, &lab, &in_lab1, true, "t:6");
	expect(p, &lab, &in_lab2, false, "default");
	/* A rule naming netns does not allow the daemon's own namespace... */
	expect(p, &lab, &here, false, "default");
	/* ...and one that does not name it allows no other namespace. */
	expect(p, &netdev, &here, true, "t:2");
	expect(p, &netdev, &in_lab1, false, "default");
}
END_TEST

START_TEST(test_example_deny_everything)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	/* In the packet group, but the later deny rule wins. */
	struct sb_policy_subject who = subject(1006, 1001);
	struct sb_policy_request raw = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request bind = bind_req(AF_INET, 80);
	struct sb_policy_request admin;

	sb_policy_request_init(&admin, SB_PM_ADMIN);
	expect(p, &who, &raw, false, "t:7");
	expect(p, &who, &bind, false, "t:7");
	expect(p, &who, &admin, false, "t:7");
}
END_TEST

/* ------------------------------------------------------------ deciding */

START_TEST(test_last_match_wins)
{
	_cleanup_policy_ struct sb_policy *a =
		parse_ok("allow * socket family=AF_INET\ndeny user:1000 socket\n");
	_cleanup_policy_ struct sb_policy *b =
		parse_ok("deny user:1000 socket\nallow * socket family=AF_INET\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_subject other = subject(1001, 1001);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request req6 = socket_req(AF_INET6, SOCK_DGRAM, 0, NULL);

	expect(a, &who, &req, false, "t:2");
	expect(a, &other, &req, true, "t:1");
	expect(b, &who, &req, true, "t:2");
	expect(b, &who, &req6, false, "t:1");
}
END_TEST

START_TEST(test_last_match_across_subject_lists)
{
	/* The winner is decided by file order, whichever index list
	 * (user, group, anyone) each rule lives in. */
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow group:50 socket\n"
			 "deny user:1000 socket\n"
			 "allow * socket family=AF_INET\n"
			 "deny group:51 socket family=AF_INET type=SOCK_RAW\n");
	gid_t groups[] = {50, 51};
	struct sb_policy_subject who = {.uid = 1000, .gid = 1000, .groups = groups, .n_groups = 2};
	struct sb_policy_request dgram = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request raw = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);
	struct sb_policy_request packet = socket_req(AF_PACKET, SOCK_RAW, 0, NULL);

	expect(p, &who, &dgram, true, "t:3");
	expect(p, &who, &raw, false, "t:4");
	expect(p, &who, &packet, false, "t:2");
}
END_TEST

START_TEST(test_default_deny)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("# nothing\n\n");
	struct sb_policy_subject who = subject(65534, 65534);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);
	struct sb_policy_request admin;

	sb_policy_request_init(&admin, SB_PM_ADMIN);
	ck_assert_uint_eq(sb_policy_rule_count(p), 0);
	expect(p, &who, &req, false, "default");
	expect(p, &who, &admin, false, "default");
}
END_TEST

/* Root gets what the rules give it, nothing by default: a root service
 * that dropped its capabilities gets no raw or packet socket, no port 80
 * and no SO_MARK from a policy that does not name it. */
START_TEST(test_root_decided_by_rules)
{
	_cleanup_policy_ struct sb_policy *empty = parse_ok("");
	_cleanup_policy_ struct sb_policy *other = parse_ok("allow user:1000 *\n");
	struct sb_policy_subject root = subject(0, 0);
	struct sb_policy_request packet = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request raw = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);
	struct sb_policy_request port80 = bind_req(AF_INET, 80);
	struct sb_policy_request mark = sockopt_req(SOL_SOCKET, SO_MARK, true, 1);

	expect(empty, &root, &packet, false, "default");
	expect(empty, &root, &raw, false, "default");
	expect(other, &root, &port80, false, "default");
	expect(other, &root, &mark, false, "default");
}
END_TEST

/* The shipped policy.conf, read as the daemon reads it. */
static struct sb_policy *shipped_policy(void)
{
	const char *srcdir = getenv("top_srcdir");
	char path[4096], text[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/daemon/policy.conf", srcdir ? srcdir : ".");
	f = fopen(path, "re");
	ck_assert_msg(f, "%s: %m (run under make check)", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	ck_assert(feof(f));
	fclose(f);
	text[n] = 0;
	return parse_ok(text);
}

/* Root's allowance is a rule of the shipped file, and the built-in
 * policy (no file at all) is that file's rules, rule for rule. */
START_TEST(test_shipped_policy_allows_root)
{
	_cleanup_policy_ struct sb_policy *shipped = shipped_policy();
	_cleanup_policy_ struct sb_policy *builtin = NULL;
	struct sb_policy_subject root = subject(0, 0), nobody = subject(65534, 65534);
	struct sb_policy_request packet = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request in_lab = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "lab1");
	struct sb_policy_request port80 = bind_req(AF_INET, 80);
	struct sb_policy_request admin;

	ck_assert_int_eq(sb_policy_parse_string(SB_POLICY_BUILTIN, SB_POLICY_BUILTIN_NAME, &builtin,
						errbuf, sizeof(errbuf)),
			 0);
	sb_policy_request_init(&admin, SB_PM_ADMIN);
	ck_assert_uint_eq(sb_policy_rule_count(shipped), sb_policy_rule_count(builtin));
	for (size_t i = 0; i < sb_policy_rule_count(builtin); i++) {
		struct sb_rule *a = &shipped->rules[i], *b = &builtin->rules[i];

		ck_assert(a->allow == b->allow && a->who == b->who && a->id == b->id &&
			  a->methods == b->methods && a->keys == b->keys &&
			  a->netns_any == b->netns_any);
	}
	expect(builtin, &root, &packet, true, "(built-in):1");
	expect(builtin, &root, &in_lab, true, "(built-in):2");
	expect(builtin, &nobody, &packet, false, "default");

	expect(builtin, &root, &port80, true, "(built-in):1");

	ck_assert(decide(shipped, &root, &packet).allow);
	ck_assert(decide(shipped, &root, &in_lab).allow);
	ck_assert(decide(shipped, &root, &port80).allow);
	ck_assert(decide(shipped, &root, &admin).allow);
	ck_assert(!decide(shipped, &nobody, &packet).allow);
}
END_TEST

START_TEST(test_deny_root)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow user:root *\ndeny user:root socket family=AF_PACKET\n");
	struct sb_policy_subject root = subject(0, 0);
	struct sb_policy_request packet = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request inet = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);

	expect(p, &root, &packet, false, "t:2");
	expect(p, &root, &inet, true, "t:1");
}
END_TEST

START_TEST(test_supplementary_groups)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow group:nogroup socket family=AF_INET\n");
	gid_t with[] = {27, 100, 65534};
	gid_t without[] = {27, 100};
	struct sb_policy_subject member = {.uid = 1000, .gid = 1000, .groups = with, .n_groups = 3};
	struct sb_policy_subject outsider = {
		.uid = 1000, .gid = 1000, .groups = without, .n_groups = 2};
	struct sb_policy_subject primary = subject(1000, 65534);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);

	expect(p, &member, &req, true, "t:1");
	expect(p, &primary, &req, true, "t:1");
	expect(p, &outsider, &req, false, "default");
}
END_TEST

START_TEST(test_unsorted_duplicate_groups)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow group:7 socket\n"
							"deny group:9 socket family=AF_INET\n");
	gid_t groups[] = {9, 7, 9, 1000, 7};
	struct sb_policy_subject who = {.uid = 1000, .gid = 1000, .groups = groups, .n_groups = 5};
	struct sb_policy_request inet = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request inet6 = socket_req(AF_INET6, SOCK_DGRAM, 0, NULL);

	expect(p, &who, &inet, false, "t:2");
	expect(p, &who, &inet6, true, "t:1");
}
END_TEST

START_TEST(test_user_by_name_and_number)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow user:nobody socket family=AF_INET\n"
							"allow user:65534 socket family=AF_INET6\n"
							"allow group:65534 bind\n"
							"deny user:root admin\n");
	struct sb_policy_subject nobody = subject(65534, 1);
	struct sb_policy_subject other = subject(65533, 65533);
	struct sb_policy_subject root = subject(0, 0);
	struct sb_policy_subject in_group = subject(42, 65534);
	struct sb_policy_request inet = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request inet6 = socket_req(AF_INET6, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request bind = bind_req(AF_INET, 80);
	struct sb_policy_request admin;

	sb_policy_request_init(&admin, SB_PM_ADMIN);
	expect(p, &nobody, &inet, true, "t:1");
	expect(p, &nobody, &inet6, true, "t:2");
	expect(p, &other, &inet, false, "default");
	expect(p, &in_group, &bind, true, "t:3");
	expect(p, &root, &admin, false, "t:4");
}
END_TEST

START_TEST(test_method_star)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow user:1000 *\nallow user:1001 admin\n");
	struct sb_policy_subject a = subject(1000, 1000);
	struct sb_policy_subject b = subject(1001, 1001);
	struct sb_policy_request reqs[SB_PM_MAX];

	for (size_t m = 0; m < SB_PM_MAX; m++)
		sb_policy_request_init(&reqs[m], (enum sb_policy_method)m);
	for (size_t m = 0; m < SB_PM_MAX; m++) {
		expect(p, &a, &reqs[m], true, "t:1");
		expect(p, &b, &reqs[m], m == SB_PM_ADMIN, m == SB_PM_ADMIN ? "t:2" : "default");
	}
}
END_TEST

START_TEST(test_method_star_with_keys)
{
	/* Under '*' a key applies where the method has it: port only ever
	 * matches bind requests. */
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow * * port=22\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request ssh = bind_req(AF_INET, 22);
	struct sb_policy_request sock = socket_req(AF_INET, SOCK_STREAM, 0, NULL);

	expect(p, &who, &ssh, true, "t:1");
	expect(p, &who, &sock, false, "default");
}
END_TEST

START_TEST(test_port_ranges_and_lists)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow * bind port=80,443,1000-2000,0\n");
	struct sb_policy_subject who = subject(1000, 1000);
	static const int yes[] = {0, 80, 443, 1000, 1500, 2000};
	static const int no[] = {1, 79, 81, 442, 999, 2001, 65535, -1};

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		struct sb_policy_request req = bind_req(AF_INET, yes[i]);

		expect(p, &who, &req, true, "t:1");
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		struct sb_policy_request req = bind_req(AF_INET, no[i]);

		expect(p, &who, &req, false, "default");
	}
}
END_TEST

START_TEST(test_value_ranges_hex)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(
		"allow * setsockopt option=SO_PRIORITY value=0x100-0x1FF,7,-3--1,1000-1000\n");
	struct sb_policy_subject who = subject(1000, 1000);
	static const int64_t yes[] = {0x100, 0x180, 0x1ff, 7, -3, -2, -1, 1000};
	static const int64_t no[] = {0xff, 0x200, 6, 8, 0, -4, 999, 1001};

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		struct sb_policy_request req = sockopt_req(SOL_SOCKET, SO_PRIORITY, true, yes[i]);

		expect(p, &who, &req, true, "t:1");
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		struct sb_policy_request req = sockopt_req(SOL_SOCKET, SO_PRIORITY, true, no[i]);

		expect(p, &who, &req, false, "default");
	}
}
END_TEST

START_TEST(test_option_forms)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * setsockopt option=SO_MARK,IP_TRANSPARENT\n"
			 "allow * setsockopt option=SOL_IPV6:75,1:12\n"
			 "allow * setsockopt option=SOL_SOCKET:SO_DEBUG\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request mark = sockopt_req(SOL_SOCKET, SO_MARK, true, 1);
	struct sb_policy_request transparent = sockopt_req(SOL_IP, IP_TRANSPARENT, true, 1);
	struct sb_policy_request transparent6 = sockopt_req(SOL_IPV6, IPV6_TRANSPARENT, true, 1);
	struct sb_policy_request prio = sockopt_req(SOL_SOCKET, SO_PRIORITY, true, 7);
	struct sb_policy_request debug = sockopt_req(SOL_SOCKET, SO_DEBUG, true, 1);
	/* Same number, other level: not the same option. */
	struct sb_policy_request wrong_level = sockopt_req(SOL_IPV6, SO_MARK, true, 1);
	struct sb_policy_request unset = sockopt_req(-1, -1, true, 1);

	expect(p, &who, &mark, true, "t:1");
	expect(p, &who, &transparent, true, "t:1");
	expect(p, &who, &transparent6, true, "t:2");
	expect(p, &who, &prio, true, "t:2");
	expect(p, &who, &debug, true, "t:3");
	expect(p, &who, &wrong_level, false, "default");
	expect(p, &who, &unset, false, "default");
}
END_TEST

START_TEST(test_address_cidr_v4)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * bind address=192.168.1.0/24,10.0.0.1,172.16.0.0/23\n");
	struct sb_policy_subject who = subject(1000, 1000);
	static const char *const yes[] = {"192.168.1.0", "192.168.1.77", "192.168.1.255",
					  "10.0.0.1",	 "172.16.1.255", "::ffff:192.168.1.5"};
	static const char *const no[] = {"192.168.2.1", "10.0.0.2", "172.16.2.0", "::1",
					 "::192.168.1.5"};
	struct sb_policy_request none = bind_req(AF_INET, 80);

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		struct sockaddr_storage ss;
		struct sb_policy_request req = addr_req(yes[i], &ss);

		expect(p, &who, &req, true, "t:1");
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		struct sockaddr_storage ss;
		struct sb_policy_request req = addr_req(no[i], &ss);

		expect(p, &who, &req, false, "default");
	}
	expect(p, &who, &none, false, "default");
}
END_TEST

START_TEST(test_address_cidr_v6)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * bind address=2001:db8::/32,::1,fe80::/10,0.0.0.0/0\n"
			 "deny * bind address=2001:db8:bad::/48\n");
	struct sb_policy_subject who = subject(1000, 1000);
	static const char *const yes[] = {"2001:db8::1", "2001:db8:ffff::5", "::1",    "fe80::1",
					  "febf::1",	 "127.0.0.1",	     "8.8.8.8"};
	static const char *const no[] = {"2001:db9::1", "::2", "fec0::1", "2001:db8:bad::1"};

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		struct sockaddr_storage ss;
		struct sb_policy_request req = addr_req(yes[i], &ss);

		expect(p, &who, &req, true, "t:1");
	}
	for (size_t i = 0; i < ELEMENTSOF(no); i++) {
		struct sockaddr_storage ss;
		struct sb_policy_request req = addr_req(no[i], &ss);
		struct sb_decision d = decide(p, &who, &req);

		ck_assert_msg(!d.allow, "%s allowed", no[i]);
	}
}
END_TEST

START_TEST(test_address_short_sockaddr)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow * bind address=0.0.0.0/0\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sockaddr_storage ss;
	struct sb_policy_request req = addr_req("127.0.0.1", &ss);

	expect(p, &who, &req, true, "t:1");
	/* A truncated address is not read past its length. */
	req.address_len = sizeof(struct sockaddr_in) - 1;
	expect(p, &who, &req, false, "default");
}
END_TEST

START_TEST(test_protocol_packet_network_order)
{
	/* ETH_P_ names resolve in network order, as socket() takes them; a
	 * rule restricting a packet socket's protocol is refused, since the
	 * client may bind it to any ethertype once it holds it. */
	char err[512];
	struct sb_policy *p = NULL;
	struct sb_policy_request req;
	struct sockaddr_storage ss;

	ck_assert_int_lt(sb_policy_parse_string(
				 "allow * socket family=AF_PACKET protocol=ETH_P_ALL,ETH_P_IP\n",
				 "t", &p, err, sizeof(err)),
			 0);
	ck_assert_ptr_nonnull(strstr(err, "t:1: protocol= cannot restrict AF_PACKET"));
	sb_policy_request_init(&req, SB_PM_SOCKET);
	ck_assert_int_eq(
		sb_policy_request_set_key(&req, &ss, "family", "AF_PACKET", err, sizeof(err)), 0);
	ck_assert_int_eq(
		sb_policy_request_set_key(&req, &ss, "protocol", "ETH_P_ALL", err, sizeof(err)), 0);
	ck_assert_int_eq(req.protocol, htons(ETH_P_ALL));
}
END_TEST

START_TEST(test_protocol_names_follow_family)
{
	/* IPPROTO_UDP names 17 for AF_INET only; a number applies to any
	 * family the rule allows. */
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * socket family=AF_INET,AF_PACKET protocol=IPPROTO_UDP\n"
			 "allow * socket protocol=IPPROTO_ICMPV6\n"
			 "allow * socket family=AF_NETLINK protocol=0\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request udp = socket_req(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL);
	struct sb_policy_request packet17 = socket_req(AF_PACKET, SOCK_RAW, 17, NULL);
	struct sb_policy_request icmp6 = socket_req(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, NULL);
	struct sb_policy_request route = socket_req(AF_NETLINK, SOCK_RAW, 0, NULL);
	struct sb_policy_request no_proto = socket_req(AF_INET, SOCK_DGRAM, -1, NULL);

	expect(p, &who, &udp, true, "t:1");
	expect(p, &who, &packet17, false, "default");
	expect(p, &who, &icmp6, true, "t:2");
	expect(p, &who, &route, true, "t:3");
	expect(p, &who, &no_proto, false, "default");
}
END_TEST

START_TEST(test_unset_fields_do_not_match)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow * socket family=AF_INET\n"
							"allow * socket type=SOCK_DGRAM\n"
							"allow * bind port=80\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request no_family = socket_req(-1, SOCK_RAW, 0, NULL);
	struct sb_policy_request no_type = socket_req(AF_PACKET, -1, 0, NULL);
	struct sb_policy_request dgram = socket_req(-1, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request no_port = bind_req(AF_INET, -1);

	expect(p, &who, &no_family, false, "default");
	expect(p, &who, &no_type, false, "default");
	expect(p, &who, &dgram, true, "t:2");
	expect(p, &who, &no_port, false, "default");
}
END_TEST

START_TEST(test_netns_rules)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * socket family=AF_INET\n"
			 "allow group:20 socket netns=*\n"
			 "allow user:1000 socket netns=blue,green\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_subject any = subject(1001, 20);
	struct sb_policy_request here = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request blue = socket_req(AF_INET, SOCK_DGRAM, 0, "blue");
	struct sb_policy_request red = socket_req(AF_INET, SOCK_DGRAM, 0, "red");

	expect(p, &who, &here, true, "t:1");
	expect(p, &who, &blue, true, "t:3");
	/* The rule for everyone does not name netns, so it does not apply. */
	expect(p, &who, &red, false, "default");
	expect(p, &any, &red, true, "t:2");
	expect(p, &any, &here, true, "t:1");
}
END_TEST

START_TEST(test_netns_for_bind_and_options)
{
	/* What a Socket call with netns does (its options and bind) is
	 * checked in that namespace too, so it needs rules naming it. */
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * bind port=80\n"
			 "allow * setsockopt option=SO_MARK\n"
			 "allow user:1000 bind port=80 netns=lab1\n"
			 "allow user:1000 setsockopt option=SO_MARK netns=*\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_subject other = subject(1001, 1001);
	struct sb_policy_request bind = bind_req(AF_INET, 80);
	struct sb_policy_request mark = sockopt_req(SOL_SOCKET, SO_MARK, true, 1);

	expect(p, &other, &bind, true, "t:1");
	expect(p, &other, &mark, true, "t:2");
	bind.netns = "lab1";
	mark.netns = "lab2";
	expect(p, &other, &bind, false, "default");
	expect(p, &other, &mark, false, "default");
	expect(p, &who, &bind, true, "t:3");
	expect(p, &who, &mark, true, "t:4");
	bind.netns = "lab2";
	expect(p, &who, &bind, false, "default");
}
END_TEST

START_TEST(test_comments_and_blanks)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(
		"# a comment\n"
		"\n"
		"   \t  \n"
		"\tallow\t*   socket\tfamily=AF_INET   # trailing comment, even: with=keys\n"
		"#allow * bind\n"
		"deny user:1000 socket # ünïcödé is fine in comments\n"
		"allow * bind port=80#no space needed");
	struct sb_policy_subject who = subject(1001, 1001);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request bind = bind_req(AF_INET, 80);

	ck_assert_uint_eq(sb_policy_rule_count(p), 3);
	expect(p, &who, &req, true, "t:4");
	expect(p, &who, &bind, true, "t:7");
}
END_TEST

START_TEST(test_line_limit)
{
	char line[SB_POLICY_MAX_LINE + 2];
	char text[SB_POLICY_MAX_LINE + 64];
	struct sb_policy *p = NULL;

	/* Exactly the limit is fine... */
	memset(line, ' ', SB_POLICY_MAX_LINE);
	memcpy(line, "allow * admin #", 15);
	line[SB_POLICY_MAX_LINE] = 0;
	snprintf(text, sizeof(text), "%s\n", line);
	ck_assert_int_eq(sb_policy_parse_string(text, "t", &p, errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(sb_policy_rule_count(p), 1);
	sb_policy_free(p);
	/* ...one more byte is not. */
	line[SB_POLICY_MAX_LINE] = ' ';
	line[SB_POLICY_MAX_LINE + 1] = 0;
	snprintf(text, sizeof(text), "# ok\n%s\n", line);
	parse_fails(text, "t:2: line is too long (more than 4096 bytes)");
}
END_TEST

/* ------------------------------------------------------------- errors */

START_TEST(test_error_protocol_on_packet_sockets)
{
	char err[512];
	struct sb_policy *p = NULL;

	ck_assert_int_lt(
		sb_policy_parse_string("allow * socket family=AF_PACKET protocol=ETH_P_ARP\n",
				       "t.conf", &p, err, sizeof(err)),
		0);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:1: protocol= cannot restrict AF_PACKET"));
	/* Without family= the rule would cover AF_PACKET too. */
	ck_assert_int_lt(sb_policy_parse_string("allow * socket protocol=0\n", "t.conf", &p, err,
						sizeof(err)),
			 0);
	ck_assert_int_eq(
		sb_policy_parse_string("allow * socket family=AF_INET protocol=IPPROTO_ICMP\n",
				       "t.conf", &p, err, sizeof(err)),
		0);
	sb_policy_free(p);
}
END_TEST

START_TEST(test_error_key_twice)
{
	parse_fails("allow * bind port=80 port=443\n", "t:1: key 'port' given twice");
	parse_fails("allow * socket family=AF_INET type=SOCK_RAW family=AF_INET6\n",
		    "t:1: key 'family' given twice");
}
END_TEST

START_TEST(test_error_unknown_key)
{
	parse_fails("allow * socket colour=blue\n", "t:1: unknown key 'colour'");
	parse_fails("allow * socket ifname=eth0\n", "t:1: unknown key 'ifname'");
	/* interface= is setsockopt's: what a packet socket may use is not
	 * for the policy to say (sockbroker-policy(5)). */
	parse_fails("allow * socket interface=eth0\n",
		    "t:1: key 'interface' does not apply to method socket");
}
END_TEST

START_TEST(test_error_key_for_method)
{
	parse_fails("allow * socket port=80\n", "t:1: key 'port' does not apply to method socket");
	parse_fails("allow * bind option=SO_MARK\n",
		    "t:1: key 'option' does not apply to method bind");
	parse_fails("allow * setsockopt address=::1\n",
		    "t:1: key 'address' does not apply to method setsockopt");
	parse_fails("allow * admin netns=lab1\n",
		    "t:1: key 'netns' does not apply to method admin");
	parse_fails("allow * admin family=AF_INET\n",
		    "t:1: key 'family' does not apply to method admin");
	parse_fails("allow * socket value=1\n", "t:1: key 'value' does not apply to method socket");
}
END_TEST

START_TEST(test_error_empty_values)
{
	parse_fails("allow * bind port=\n", "t:1: port: empty value");
	parse_fails("allow * bind port=80,,443\n", "t:1: port: empty element in '80,,443'");
	parse_fails("allow * bind port=80,\n", "t:1: port: empty element in '80,'");
	parse_fails("allow * socket family=,AF_INET\n", "t:1: family: empty element in ',AF_INET'");
	parse_fails("allow * socket =AF_INET\n", "t:1: expected KEY=VALUE, got '=AF_INET'");
	parse_fails("allow * socket AF_INET\n", "t:1: expected KEY=VALUE, got 'AF_INET'");
}
END_TEST

START_TEST(test_error_bad_ranges)
{
	parse_fails("allow * bind port=2000-1000\n",
		    "t:1: port: range '2000-1000' ends before it starts");
	parse_fails("allow * setsockopt value=0x1ff-0x100\n",
		    "t:1: value: range '0x1ff-0x100' ends before it starts");
	parse_fails("allow * bind port=80-\n", "t:1: port: range '80-' lacks an end");
	parse_fails("allow * bind port=70000\n", "t:1: port: 70000 is out of range (0-65535)");
	parse_fails("allow * bind port=1-70000\n", "t:1: port: 70000 is out of range (0-65535)");
	parse_fails("allow * bind port=-1\n", "t:1: port: -1 is out of range (0-65535)");
	parse_fails("allow * bind port=http\n", "t:1: port: 'http' is not a number");
	parse_fails("allow * bind port=+80\n", "t:1: port: '+80' is not a number");
	parse_fails("allow * setsockopt value=0x\n", "t:1: value: '0x' is not a number");
	parse_fails("allow * setsockopt value=99999999999999999999\n",
		    "t:1: value: 99999999999999999999 is out of range "
		    "(-9223372036854775808-9223372036854775807)");
}
END_TEST

START_TEST(test_error_text)
{
	parse_fails("allow * admin\nallow * \xff admin\n",
		    "t:2: invalid UTF-8 or control character at column 9");
	parse_fails("# caf\xc3\n", "t:1: invalid UTF-8 or control character at column 6");
	/* An overlong encoding of '/'. */
	parse_fails("allow user:\xc0\xaf admin\n",
		    "t:1: invalid UTF-8 or control character at column 12");
	parse_fails("allow * admin\x01\n", "t:1: control character 0x01");
	parse_fails("allow * admin\r\n", "t:1: control character 0x0d");
	parse_fails("# \x7f\n", "t:1: control character 0x7f");
	/* U+0085, a C1 control. */
	parse_fails("# \xc2\x85\n", "t:1: invalid UTF-8 or control character at column 3");
}
END_TEST

START_TEST(test_error_missing_fields)
{
	parse_fails("allow\n", "t:1: missing WHO after the action");
	parse_fails("allow *   # no method\n", "t:1: missing METHOD after WHO");
	parse_fails("permit * socket\n", "t:1: unknown action 'permit' (expected allow or deny)");
	parse_fails(
		"allow * connect\n",
		"t:1: unknown method 'connect' (expected socket, bind, setsockopt, admin or *)");
	parse_fails(
		"allow alice socket\n",
		"t:1: unknown subject 'alice' (expected user:NAME, group:NAME, unit:NAME or *)");
	parse_fails("allow user: socket\n", "t:1: missing user name after 'user:'");
	parse_fails("allow group: socket\n", "t:1: missing group name after 'group:'");
}
END_TEST

START_TEST(test_error_unknown_names)
{
	parse_fails("allow user:sb-no-such-user socket\n", "t:1: unknown user 'sb-no-such-user'");
	parse_fails("allow group:sb-no-such-group socket\n",
		    "t:1: unknown group 'sb-no-such-group'");
	parse_fails("allow user:4294967295 socket\n",
		    "t:1: user id 4294967295 is out of range (0-4294967294)");
}
END_TEST

START_TEST(test_error_constants)
{
	struct sb_policy *p = NULL;

	ck_assert_int_eq(sb_policy_parse_string("\n\nallow * socket family=AF_NOPE\n", "t", &p,
						errbuf, sizeof(errbuf)),
			 -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_msg(strncmp(errbuf, "t:3: family: unknown ", 21) == 0 &&
			      strstr(errbuf, "'AF_NOPE'"),
		      "%s", errbuf);
	parse_fails("allow * socket type=2048\n", "t:1: type: 2048 is out of range (1-15)");
	ck_assert_int_eq(sb_policy_parse_string("allow * socket type=SOCK_NONBLOCK\n", "t", &p,
						errbuf, sizeof(errbuf)),
			 -EINVAL);
	ck_assert_msg(strncmp(errbuf, "t:1: type: unknown ", 19) == 0 &&
			      strstr(errbuf, "'SOCK_NONBLOCK'"),
		      "%s", errbuf);
	parse_fails("allow * socket type=0\n", "t:1: type: 0 is out of range (1-15)");
	parse_fails("allow * socket family=AF_INET protocol=ETH_P_ALL\n",
		    "t:1: protocol: unknown protocol 'ETH_P_ALL' for the rule's families");
	parse_fails("allow * socket protocol=IPPROTO_NOPE\n",
		    "t:1: protocol: unknown protocol 'IPPROTO_NOPE'");
	parse_fails("allow * socket protocol=65536\n",
		    "t:1: protocol: 65536 is out of range (0-65535)");
}
END_TEST

START_TEST(test_error_addresses)
{
	parse_fails("allow * bind address=10.0.0.256\n",
		    "t:1: address: '10.0.0.256' is not an IPv4 or IPv6 address");
	parse_fails("allow * bind address=localhost\n",
		    "t:1: address: 'localhost' is not an IPv4 or IPv6 address");
	parse_fails("allow * bind address=10.0.0.0/33\n",
		    "t:1: address: prefix length 33 is too long for IPv4 (at most 32)");
	parse_fails("allow * bind address=::/129\n",
		    "t:1: address: prefix length 129 is too long for IPv6 (at most 128)");
	parse_fails("allow * bind address=10.0.0.1/8\n",
		    "t:1: address: '10.0.0.1/8' has bits set after the /8 prefix");
	parse_fails("allow * bind address=10.0.0.0/\n",
		    "t:1: address: '10.0.0.0/' has a bad prefix length");
	parse_fails("allow * bind address=10.0.0.0/+8\n",
		    "t:1: address: '10.0.0.0/+8' has a bad prefix length");
	parse_fails("allow * bind address=/8\n",
		    "t:1: address: '/8' is not an IPv4 or IPv6 address");
}
END_TEST

START_TEST(test_error_options_and_netns)
{
	parse_fails("allow * setsockopt option=SO_NOPE\n",
		    "t:1: option: unknown socket option 'SO_NOPE'");
	parse_fails("allow * setsockopt option=36\n",
		    "t:1: option: a number needs its level, as LEVEL:NUMBER");
	parse_fails("allow * setsockopt option=SOL_SOCKET:\n",
		    "t:1: option: 'SOL_SOCKET:' is not LEVEL:OPTION");
	parse_fails("allow * setsockopt option=:36\n", "t:1: option: ':36' is not LEVEL:OPTION");
	parse_fails("allow * socket netns=a/b\n", "t:1: netns: 'a/b' is not a namespace name");
	parse_fails("allow * socket netns=..\n", "t:1: netns: '..' is not a namespace name");
	parse_fails("allow * socket netns=*,lab1\n",
		    "t:1: netns: '*' cannot be combined with other values");
	parse_fails("allow * socket netns=lab1,*\n",
		    "t:1: netns: '*' cannot be combined with other values");
}
END_TEST

START_TEST(test_error_line_numbers)
{
	/* The first bad line is reported, counting comments and blanks,
	 * and nothing of the text is kept. */
	parse_fails("# header\n"
		    "allow * socket\n"
		    "\n"
		    "allow * bind port=80\n"
		    "allow * bind port=81 port=82\n"
		    "allow * bind port=x\n",
		    "t:5: key 'port' given twice");
}
END_TEST

START_TEST(test_too_many_rules)
{
	static const char rule[] = "deny * admin\n";
	size_t n = SB_POLICY_MAX_RULES + 1, len = strlen(rule);
	_cleanup_free_ char *text = malloc(n * len + 1);
	struct sb_policy *p = NULL;
	char expected[128];

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * len, rule, len);
	/* The limit itself is fine. */
	text[(n - 1) * len] = 0;
	ck_assert_int_eq(sb_policy_parse_string(text, "t", &p, errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(sb_policy_rule_count(p), SB_POLICY_MAX_RULES);
	sb_policy_free(p);
	text[n * len] = 0;
	text[(n - 1) * len] = 'd';
	snprintf(expected, sizeof(expected), "t:%zu: too many rules (at most %d)", n,
		 SB_POLICY_MAX_RULES);
	parse_fails(text, expected);
}
END_TEST

/* --------------------------------------------------------- performance */

/* Builds "allow user:1000 socket family=AF_INET", n rules for other
 * users and groups before and after it, and a rule for everyone. */
static struct sb_policy *policy_with_others(size_t n)
{
	size_t size = 128 + n * 2 * 64, len = 0;
	_cleanup_free_ char *text = malloc(size);

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, size - len, "allow * socket family=AF_PACKET\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len,
					"allow user:%zu socket family=AF_INET\n", 2000 + i);
	len += (size_t)snprintf(text + len, size - len, "allow user:1000 socket family=AF_INET\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "deny group:%zu socket\n",
					5000 + i);
	ck_assert_uint_lt(len, size);
	return parse_ok(text);
}

START_TEST(test_cost_independent_of_other_rules)
{
	_cleanup_policy_ struct sb_policy *small = policy_with_others(1);
	_cleanup_policy_ struct sb_policy *big = policy_with_others(1000);
	gid_t groups[] = {1000, 27};
	struct sb_policy_subject who = {.uid = 1000, .gid = 1000, .groups = groups, .n_groups = 2};
	struct sb_policy_request reqs[] = {
		socket_req(AF_INET, SOCK_DGRAM, 0, NULL),
		socket_req(AF_PACKET, SOCK_RAW, 0, NULL),
		socket_req(AF_INET6, SOCK_DGRAM, 0, NULL),
	};

	ck_assert_uint_eq(sb_policy_rule_count(big), 2002);
	for (size_t i = 0; i < ELEMENTSOF(reqs); i++) {
		struct sb_decision ds, db;
		size_t ns = sb_policy_check_counted(small, &who, &reqs[i], &ds);
		size_t nb = sb_policy_check_counted(big, &who, &reqs[i], &db);

		ck_assert_int_eq(ds.allow, db.allow);
		ck_assert_int_eq(ds.allow, i < 2);
		/* The subject has one rule of its own and one for everyone. */
		ck_assert_uint_eq(ns, nb);
		ck_assert_uint_le(nb, 2);
	}
}
END_TEST

START_TEST(test_cost_stops_at_first_match)
{
	/* 1000 rules for the subject itself: the latest matching one is
	 * found without looking at the others. */
	size_t n = 1000, size = n * 64, len = 0;
	_cleanup_free_ char *text = malloc(size);
	_cleanup_policy_ struct sb_policy *p = NULL;
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request req = bind_req(AF_INET, 5);
	struct sb_decision d;

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "allow user:1000 bind port=%zu\n",
					i);
	p = parse_ok(text);
	ck_assert_uint_eq(sb_policy_check_counted(p, &who, &req, &d), n - 5);
	ck_assert(d.allow);
	ck_assert_str_eq(d.rule, "t:6");
	req.port = 999;
	ck_assert_uint_eq(sb_policy_check_counted(p, &who, &req, &d), 1);
	ck_assert_str_eq(d.rule, "t:1000");
}
END_TEST

/* ------------------------------------------------------ loading files */

static char tmpdir[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[128];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "%s: %m", path);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
}

static void make_dir(const char *name, mode_t mode)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	ck_assert_int_eq(mkdir(path, mode), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void setup_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sb-check-policy-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmpdir(void)
{
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Loads tmpdir/policy.conf; returns the errno-style result. */
static int load(struct sb_policy **p)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/policy.conf", tmpdir);
	*p = NULL;
	errbuf[0] = 0;
	return sb_policy_load(path, p, errbuf, sizeof(errbuf));
}

START_TEST(test_load_dropin_order)
{
	_cleanup_policy_ struct sb_policy *p = NULL;
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_request req6 = socket_req(AF_INET6, SOCK_DGRAM, 0, NULL);
	const char *const *files;
	char expected[512];

	write_file("policy.conf", "allow * socket\n", 0644);
	make_dir("policy.d", 0755);
	/* Name order, not creation order. */
	write_file("policy.d/20-b.conf", "# b\ndeny user:1000 socket family=AF_INET\n", 0644);
	write_file("policy.d/10-a.conf", "allow user:1000 socket family=AF_INET\n", 0600);
	write_file("policy.d/1-c.conf", "allow user:1000 socket family=AF_INET6\n", 0644);
	/* Not read: dotfiles, other suffixes, directories. */
	write_file("policy.d/.hidden.conf", "this is not a rule\n", 0644);
	write_file("policy.d/notes.txt", "this is not a rule\n", 0644);
	write_file("policy.d/30.conf.orig", "this is not a rule\n", 0644);
	make_dir("policy.d/40-dir.conf", 0755);

	ck_assert_msg(load(&p) == 0, "%s", errbuf);
	ck_assert_uint_eq(sb_policy_rule_count(p), 4);
	ck_assert_uint_eq(sb_policy_files(p, &files), 4);
	snprintf(expected, sizeof(expected), "%s/policy.conf", tmpdir);
	ck_assert_str_eq(files[0], expected);
	snprintf(expected, sizeof(expected), "%s/policy.d/1-c.conf", tmpdir);
	ck_assert_str_eq(files[1], expected);
	snprintf(expected, sizeof(expected), "%s/policy.d/10-a.conf", tmpdir);
	ck_assert_str_eq(files[2], expected);
	snprintf(expected, sizeof(expected), "%s/policy.d/20-b.conf", tmpdir);
	ck_assert_str_eq(files[3], expected);

	snprintf(expected, sizeof(expected), "%s/policy.d/20-b.conf:2", tmpdir);
	expect(p, &who, &req, false, expected);
	snprintf(expected, sizeof(expected), "%s/policy.d/1-c.conf:1", tmpdir);
	expect(p, &who, &req6, true, expected);
}
END_TEST

START_TEST(test_load_without_dropins)
{
	_cleanup_policy_ struct sb_policy *p = NULL;
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	const char *const *files;
	char expected[512];

	write_file("policy.conf", "\n\nallow user:1000 socket\n", 0600);
	ck_assert_msg(load(&p) == 0, "%s", errbuf);
	ck_assert_uint_eq(sb_policy_files(p, &files), 1);
	snprintf(expected, sizeof(expected), "%s/policy.conf:3", tmpdir);
	expect(p, &who, &req, true, expected);
}
END_TEST

START_TEST(test_load_missing_main_file)
{
	struct sb_policy *p = NULL;
	char expected[512];

	make_dir("policy.d", 0755);
	write_file("policy.d/10.conf", "allow * socket\n", 0644);
	ck_assert_int_eq(load(&p), -ENOENT);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected), "%s/policy.conf: %s", tmpdir, strerror(ENOENT));
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_dropin_error_rejects_all)
{
	struct sb_policy *p = NULL;
	char expected[512];

	write_file("policy.conf", "allow * socket\n", 0644);
	make_dir("policy.d", 0755);
	write_file("policy.d/10-good.conf", "allow * bind\n", 0644);
	write_file("policy.d/50-bad.conf", "# fine\nallow * bind colour=red\n", 0644);
	write_file("policy.d/90-good.conf", "allow * admin\n", 0644);
	ck_assert_int_eq(load(&p), -EINVAL);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected), "%s/policy.d/50-bad.conf:2: unknown key 'colour'",
		 tmpdir);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_main_error_rejects_all)
{
	struct sb_policy *p = NULL;
	char expected[512];

	write_file("policy.conf", "allow * socket\nallow * socket port=1\n", 0644);
	ck_assert_int_eq(load(&p), -EINVAL);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s/policy.conf:2: key 'port' does not apply to method socket", tmpdir);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_world_writable)
{
	struct sb_policy *p = NULL;
	char expected[512];

	write_file("policy.conf", "allow * socket\n", 0646);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s/policy.conf: refusing a policy file that is writable by everyone (mode 0646)",
		 tmpdir);
	ck_assert_str_eq(errbuf, expected);

	write_file("policy.conf", "allow * socket\n", 0664);
	ck_assert_int_eq(load(&p), -EPERM);
	snprintf(expected, sizeof(expected),
		 "%s/policy.conf: refusing a policy file that is writable by its group (mode 0664)",
		 tmpdir);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_writable_dropin)
{
	struct sb_policy *p = NULL;
	char expected[512];

	write_file("policy.conf", "allow * socket\n", 0644);
	make_dir("policy.d", 0755);
	write_file("policy.d/10.conf", "allow * bind\n", 0666);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_ptr_null(p);
	snprintf(
		expected, sizeof(expected),
		"%s/policy.d/10.conf: refusing a policy file that is writable by everyone (mode 0666)",
		tmpdir);
	ck_assert_str_eq(errbuf, expected);

	/* Whoever can write the directory can add files to it. */
	write_file("policy.d/10.conf", "allow * bind\n", 0644);
	snprintf(expected, sizeof(expected), "%s/policy.d", tmpdir);
	ck_assert_int_eq(chmod(expected, 01777), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	snprintf(
		expected, sizeof(expected),
		"%s/policy.d: refusing a policy directory that is writable by everyone (mode 1777)",
		tmpdir);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_writable_main_dir)
{
	struct sb_policy *p = NULL;
	char expected[512];

	write_file("policy.conf", "allow * socket\n", 0644);
	ck_assert_int_eq(chmod(tmpdir, 0777), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s: refusing a policy directory that is writable by everyone (mode 0777)",
		 tmpdir);
	ck_assert_str_eq(errbuf, expected);
	ck_assert_int_eq(chmod(tmpdir, 0700), 0);
	ck_assert_msg(load(&p) == 0, "%s", errbuf);
	sb_policy_free(p);
}
END_TEST

START_TEST(test_load_dropin_symlinks)
{
	_cleanup_policy_ struct sb_policy *p = NULL;
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	char path[128], expected[512];

	write_file("policy.conf", "\n", 0644);
	write_file("shared.rules", "allow user:1000 socket\n", 0644);
	make_dir("policy.d", 0755);
	snprintf(path, sizeof(path), "%s/policy.d/10-link.conf", tmpdir);
	ck_assert_int_eq(symlink("../shared.rules", path), 0);
	snprintf(path, sizeof(path), "%s/policy.d/20-dangling.conf", tmpdir);
	ck_assert_int_eq(symlink("../missing.rules", path), 0);
	ck_assert_msg(load(&p) == 0, "%s", errbuf);
	ck_assert_uint_eq(sb_policy_rule_count(p), 1);
	snprintf(expected, sizeof(expected), "%s/policy.d/10-link.conf:1", tmpdir);
	expect(p, &who, &req, true, expected);
}
END_TEST

/* A policy.d entry that is a symbolic link is only as safe as every
 * directory on the way to its target: the owner of one can swap in
 * another root-owned file there before the next reload. */
START_TEST(test_load_dropin_symlink_target_dirs)
{
	_cleanup_policy_ struct sb_policy *p = NULL;
	char path[128], expected[512];

	if (geteuid() != 0)
		SB_SKIP("needs root to own a directory as another user");
	write_file("policy.conf", "\n", 0644);
	make_dir("policy.d", 0755);
	make_dir("theirs", 0755);
	write_file("theirs/rules.conf", "allow * socket\n", 0644);
	snprintf(path, sizeof(path), "%s/theirs", tmpdir);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	snprintf(path, sizeof(path), "%s/policy.d/10-link.conf", tmpdir);
	ck_assert_int_eq(symlink("../theirs/rules.conf", path), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s/policy.d/10-link.conf: %s/theirs: refusing a policy directory not owned by "
		 "root (owner uid 65534)",
		 tmpdir, tmpdir);
	ck_assert_str_eq(errbuf, expected);

	/* Reached through a link to the directory: the same. */
	ck_assert_int_eq(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/via", tmpdir);
	ck_assert_int_eq(symlink("theirs", path), 0);
	snprintf(path, sizeof(path), "%s/policy.d/10-link.conf", tmpdir);
	ck_assert_int_eq(symlink("../via/rules.conf", path), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_str_eq(errbuf, expected);

	/* A directory its group can write. */
	snprintf(path, sizeof(path), "%s/theirs", tmpdir);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(chmod(path, 0775), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	snprintf(expected, sizeof(expected),
		 "%s/policy.d/10-link.conf: %s/theirs: refusing a policy directory that is "
		 "writable by its group (mode 0775)",
		 tmpdir, tmpdir);
	ck_assert_str_eq(errbuf, expected);

	/* A sticky one, like /tmp on the way here: others cannot rename
	 * or remove root's entries in it. */
	ck_assert_int_eq(chmod(path, 01777), 0);
	ck_assert_msg(load(&p) == 0, "%s", errbuf);
	ck_assert_uint_eq(sb_policy_rule_count(p), 1);
}
END_TEST

/* policy.d itself reached through a link: the same walk. */
START_TEST(test_load_dropin_dir_symlink)
{
	struct sb_policy *p = NULL;
	char path[128], expected[512];

	if (geteuid() != 0)
		SB_SKIP("needs root to own a directory as another user");
	write_file("policy.conf", "\n", 0644);
	make_dir("theirs", 0755);
	make_dir("theirs/policy.d", 0755);
	write_file("theirs/policy.d/10.conf", "allow * socket\n", 0644);
	snprintf(path, sizeof(path), "%s/theirs", tmpdir);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	snprintf(path, sizeof(path), "%s/policy.d", tmpdir);
	ck_assert_int_eq(symlink("theirs/policy.d", path), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s/policy.d: %s/theirs: refusing a policy directory not owned by root (owner "
		 "uid 65534)",
		 tmpdir, tmpdir);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_not_owned_by_root)
{
	struct sb_policy *p = NULL;
	char path[128], expected[512];

	if (geteuid() != 0)
		SB_SKIP("needs root to own files as another user");
	write_file("policy.conf", "allow * socket\n", 0644);
	snprintf(path, sizeof(path), "%s/policy.conf", tmpdir);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(load(&p), -EPERM);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s: refusing a policy file not owned by root (owner uid 65534)", path);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

START_TEST(test_load_file_too_large)
{
	struct sb_policy *p = NULL;
	size_t size = SB_POLICY_MAX_FILE_SIZE + 1;
	_cleanup_free_ char *text = malloc(size + 1);
	char expected[512];

	ck_assert_ptr_nonnull(text);
	/* Comment lines of 64 bytes. */
	for (size_t i = 0; i < size; i++)
		text[i] = i % 64 == 63 ? '\n' : i % 64 == 0 ? '#' : 'x';
	text[size] = 0;
	write_file("policy.conf", text, 0644);
	ck_assert_int_eq(load(&p), -EFBIG);
	ck_assert_ptr_null(p);
	snprintf(expected, sizeof(expected),
		 "%s/policy.conf: file is too large (more than 1048576 bytes)", tmpdir);
	ck_assert_str_eq(errbuf, expected);
	/* One byte less is read. */
	text[size - 1] = 0;
	write_file("policy.conf", text, 0644);
	ck_assert_msg(load(&p) == 0, "%s", errbuf);
	ck_assert_uint_eq(sb_policy_rule_count(p), 0);
	sb_policy_free(p);
}
END_TEST

START_TEST(test_load_nul_byte)
{
	struct sb_policy *p = NULL;
	char path[128], expected[512];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/policy.conf", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "allow * admin\nallow\0 * socket\n", 30), 30);
	ck_assert_int_eq(load(&p), -EINVAL);
	snprintf(expected, sizeof(expected), "%s:2: control character 0x00", path);
	ck_assert_str_eq(errbuf, expected);
}
END_TEST

/* ------------------------------------------------------- dry runs */

static int set_key(struct sb_policy_request *req, struct sockaddr_storage *ss, const char *key,
		   const char *value)
{
	errbuf[0] = 0;
	return sb_policy_request_set_key(req, ss, key, value, errbuf, sizeof(errbuf));
}

/* ------------------------------------------- subordinate ids, members */

/* p decides subordinate ids by these subuid(5) and subgid(5) lines. */
static void use_subids(struct sb_policy *p, const char *uids, const char *gids)
{
	struct sb_subids *t = NULL;
	char subuid[128], subgid[128];

	write_file("subuid", uids, 0644);
	write_file("subgid", gids, 0644);
	snprintf(subuid, sizeof(subuid), "%s/subuid", tmpdir);
	snprintf(subgid, sizeof(subgid), "%s/subgid", tmpdir);
	ck_assert_int_eq(sb_subids_load(subuid, subgid, &t, errbuf, sizeof(errbuf)), 0);
	sb_policy_set_subids(p, t);
}

/* A user who becomes one of its subordinate uids (unshare --map-auto)
 * is still that user: deny user: rules hold, the owner's allowances
 * apply, and the groups the namespace gave the process do not count. */
START_TEST(test_subordinate_uid_is_decided_as_its_owner)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok("allow * socket\n"
							"deny user:1000 socket family=AF_PACKET\n"
							"allow user:1000 bind port=80\n"
							"allow group:27 setsockopt\n");
	_cleanup_policy_ struct sb_policy *roots = parse_ok("allow user:root *\n");
	gid_t groups[] = {27};
	struct sb_policy_subject sub = {
		.uid = 300005, .gid = 300005, .groups = groups, .n_groups = 1};
	struct sb_policy_subject outside = subject(365536, 365536);
	struct sb_policy_subject container = subject(100005, 100005);
	struct sb_policy_request packet = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request port80 = bind_req(AF_INET, 80);
	struct sb_policy_request mark = sockopt_req(SOL_SOCKET, SO_MARK, true, 1);

	expect(p, &sub, &packet, true, "t:1");
	use_subids(p, "1000:300000:65536\n", "");
	expect(p, &sub, &packet, false, "t:2");
	expect(p, &sub, &port80, true, "t:3");
	expect(p, &sub, &mark, false, "default");
	expect(p, &outside, &packet, true, "t:1");

	/* Root's ranges are its containers': they are not root. */
	use_subids(roots, "root:100000:65536\n", "");
	expect(roots, &container, &packet, false, "default");
}
END_TEST

/* group: rules match the groups the databases give a user, not only
 * those its process holds: a process that dropped a group (setgroups()
 * in a user namespace mapped with newgidmap) is still denied by it. */
START_TEST(test_group_by_database_membership)
{
	_cleanup_policy_ struct sb_policy *p = NULL;
	struct sb_policy_request inet = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_subject dropped = subject(65534, 1234);
	struct sb_policy_subject stranger = subject(4000000, 1234);
	struct sb_policy_subject sub = subject(300005, 300005);
	struct sb_policy_subject subgid = subject(4000000, 500005);
	struct passwd *pw = getpwuid(65534);
	char text[128];

	if (!pw)
		SB_SKIP("no passwd entry for uid 65534");
	snprintf(text, sizeof(text), "allow * socket\ndeny group:%u socket\n",
		 (unsigned)pw->pw_gid);
	p = parse_ok(text);
	expect(p, &dropped, &inet, false, "t:2");
	expect(p, &stranger, &inet, true, "t:1");
	/* A subordinate id of nobody's stands for nobody's groups. */
	expect(p, &sub, &inet, true, "t:1");
	expect(p, &subgid, &inet, true, "t:1");
	use_subids(p, "nobody:300000:10\n", "nobody:500000:10\n");
	expect(p, &sub, &inet, false, "t:2");
	expect(p, &subgid, &inet, false, "t:2");
}
END_TEST

/* In a child with its own mount namespace, where the group database is
 * a copy of /etc/group plus "sbtest:x:4242:nobody,no-such-user-sb": a
 * member listed in gr_mem matches group:sbtest whatever its process
 * holds. */
static int child_listed_member(void)
{
	struct sb_policy_request inet = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy_subject nobody = subject(65534, 1234);
	struct sb_policy_subject stranger = subject(4000000, 1234);
	struct sb_decision d;
	struct sb_policy *p = NULL;
	char group[128], buf[4096];
	FILE *in, *out;
	size_t n;

	snprintf(group, sizeof(group), "%s/group", tmpdir);
	in = fopen("/etc/group", "re");
	out = fopen(group, "we");
	if (!in || !out)
		return 10;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fputs("sbtest:x:4242:nobody,no-such-user-sb\n", out);
	fclose(in);
	if (fclose(out) != 0)
		return 11;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(group, "/etc/group", NULL, MS_BIND, NULL) < 0)
		return 12;
	if (sb_policy_parse_string("allow * socket\ndeny group:sbtest socket\n", "t", &p, errbuf,
				   sizeof(errbuf)) < 0)
		return 13;
	sb_policy_check(p, &nobody, &inet, &d);
	if (d.allow || strcmp(d.rule, "t:2") != 0)
		return 14;
	sb_policy_check(p, &stranger, &inet, &d);
	if (!d.allow)
		return 15;
	sb_policy_free(p);
	return 0;
}

START_TEST(test_group_members_listed_in_the_database)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		SB_SKIP("needs root to mount a group database of its own");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child_listed_member());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status 0x%x", status);
}
END_TEST

START_TEST(test_request_set_key)
{
	struct sb_policy_request req;
	struct sockaddr_storage ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	struct in6_addr loopback6 = IN6ADDR_LOOPBACK_INIT;

	sb_policy_request_init(&req, SB_PM_SOCKET);
	ck_assert_int_eq(req.family, -1);
	ck_assert_int_eq(req.type, -1);
	ck_assert_int_eq(req.protocol, -1);
	ck_assert_int_eq(req.port, -1);
	ck_assert_int_eq(req.level, -1);
	ck_assert_int_eq(req.option, -1);
	ck_assert(!req.has_value);
	ck_assert_ptr_null(req.address);
	ck_assert_ptr_null(req.netns);

	ck_assert_int_eq(set_key(&req, &ss, "family", "AF_PACKET"), 0);
	ck_assert_int_eq(req.family, AF_PACKET);
	ck_assert_int_eq(set_key(&req, &ss, "type", "SOCK_RAW"), 0);
	ck_assert_int_eq(req.type, SOCK_RAW);
	ck_assert_int_eq(set_key(&req, &ss, "protocol", "ETH_P_ALL"), 0);
	ck_assert_int_eq(req.protocol, htons(ETH_P_ALL));
	ck_assert_int_eq(set_key(&req, &ss, "protocol", "768"), 0);
	ck_assert_int_eq(req.protocol, 768);
	ck_assert_int_eq(set_key(&req, &ss, "family", "10"), 0);
	ck_assert_int_eq(req.family, AF_INET6);
	ck_assert_int_eq(set_key(&req, &ss, "protocol", "IPPROTO_ICMPV6"), 0);
	ck_assert_int_eq(req.protocol, IPPROTO_ICMPV6);
	ck_assert_int_eq(set_key(&req, &ss, "port", "443"), 0);
	ck_assert_int_eq(req.port, 443);
	ck_assert_int_eq(set_key(&req, &ss, "option", "SO_MARK"), 0);
	ck_assert_int_eq(req.level, SOL_SOCKET);
	ck_assert_int_eq(req.option, SO_MARK);
	ck_assert_int_eq(set_key(&req, &ss, "option", "SOL_IP:IP_TRANSPARENT"), 0);
	ck_assert_int_eq(req.level, SOL_IP);
	ck_assert_int_eq(req.option, IP_TRANSPARENT);
	ck_assert_int_eq(set_key(&req, &ss, "value", "0x100"), 0);
	ck_assert(req.has_value);
	ck_assert_int_eq(req.value, 256);
	ck_assert_int_eq(set_key(&req, &ss, "value", "-7"), 0);
	ck_assert_int_eq(req.value, -7);
	ck_assert_int_eq(set_key(&req, &ss, "netns", "lab1"), 0);
	ck_assert_str_eq(req.netns, "lab1");

	ck_assert_int_eq(set_key(&req, &ss, "address", "::1"), 0);
	ck_assert_ptr_eq(req.address, (const struct sockaddr *)&ss);
	ck_assert_uint_eq(req.address_len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_mem_eq(&sin6->sin6_addr, &loopback6, 16);
	ck_assert_int_eq(set_key(&req, &ss, "address", "127.0.0.2"), 0);
	ck_assert_uint_eq(req.address_len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000002);
}
END_TEST

START_TEST(test_request_set_key_errors)
{
	struct sb_policy_request req;
	struct sockaddr_storage ss;

	sb_policy_request_init(&req, SB_PM_SOCKET);
	ck_assert_int_eq(set_key(&req, &ss, "colour", "red"), -EINVAL);
	ck_assert_str_eq(errbuf, "unknown key 'colour'");
	ck_assert_int_eq(set_key(&req, &ss, "port", "80,443"), -EINVAL);
	ck_assert_str_eq(errbuf, "port: one value only, not a list");
	ck_assert_int_eq(set_key(&req, &ss, "port", "80-90"), -EINVAL);
	ck_assert_str_eq(errbuf, "port: '80-90' is not a number");
	ck_assert_int_eq(set_key(&req, &ss, "port", ""), -EINVAL);
	ck_assert_str_eq(errbuf, "port: empty value");
	ck_assert_int_eq(set_key(&req, &ss, "port", "65536"), -EINVAL);
	ck_assert_str_eq(errbuf, "port: 65536 is out of range (0-65535)");
	ck_assert_int_eq(set_key(&req, &ss, "protocol", "IPPROTO_UDP"), -EINVAL);
	ck_assert_str_eq(errbuf, "protocol: a protocol name needs family= first");
	ck_assert_int_eq(set_key(&req, &ss, "address", "10.0.0.0/8"), -EINVAL);
	ck_assert_str_eq(errbuf, "address: '10.0.0.0/8' is a prefix, not an address");
	ck_assert_int_eq(set_key(&req, &ss, "netns", "*"), -EINVAL);
	ck_assert_str_eq(errbuf, "netns: '*' is not a namespace name");
	ck_assert_int_eq(set_key(&req, &ss, "option", "SO_NOPE"), -EINVAL);
	ck_assert_str_eq(errbuf, "option: unknown socket option 'SO_NOPE'");
	ck_assert_int_eq(set_key(&req, &ss, "type", "SOCK_CLOEXEC"), -EINVAL);
	ck_assert_int_eq(set_key(&req, &ss, "family", "AF_NOPE"), -EINVAL);
	/* Nothing was changed by the failures. */
	ck_assert_int_eq(req.family, -1);
	ck_assert_int_eq(req.type, -1);
	ck_assert_int_eq(req.protocol, -1);
	ck_assert_int_eq(req.port, -1);
	ck_assert_ptr_null(req.address);
	ck_assert_ptr_null(req.netns);
}
END_TEST

START_TEST(test_dry_run)
{
	/* A request written as rules are, checked against the example. */
	_cleanup_policy_ struct sb_policy *p = parse_ok(example);
	struct sb_policy_subject who = subject(1003, 1003);
	struct sb_policy_request req;
	struct sockaddr_storage ss;

	sb_policy_request_init(&req, SB_PM_BIND);
	ck_assert_int_eq(set_key(&req, &ss, "family", "AF_INET6"), 0);
	ck_assert_int_eq(set_key(&req, &ss, "port", "443"), 0);
	ck_assert_int_eq(set_key(&req, &ss, "address", "::"), 0);
	expect(p, &who, &req, true, "t:4");
	ck_assert_int_eq(set_key(&req, &ss, "port", "444"), 0);
	expect(p, &who, &req, false, "default");
}
END_TEST

START_TEST(test_method_strings)
{
	enum sb_policy_method m = SB_PM_MAX;
	static const char *const names[] = {"socket", "bind", "setsockopt", "admin"};

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		ck_assert_int_eq(sb_policy_method_from_string(names[i], &m), 0);
		ck_assert_int_eq(m, (int)i);
		ck_assert_str_eq(sb_policy_method_to_string(m), names[i]);
	}
	ck_assert_int_eq(sb_policy_method_from_string("*", &m), -EINVAL);
	ck_assert_int_eq(sb_policy_method_from_string("Socket", &m), -EINVAL);
	ck_assert_int_eq(sb_policy_method_from_string("", &m), -EINVAL);
	ck_assert_ptr_null(sb_policy_method_to_string(SB_PM_MAX));
}
END_TEST

/* ------------------------------------------- values set from text, interfaces */

static struct sb_policy_request text_req(int level, int option, const char *text)
{
	struct sb_policy_request req = sockopt_req(level, option, false, 0);

	req.text = text;
	return req;
}

static struct sb_policy_request interface_req(int option, const char *interface)
{
	struct sb_policy_request req = sockopt_req(SOL_SOCKET, option, false, 0);

	req.interface = interface;
	return req;
}

START_TEST(test_value_names)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow * setsockopt option=TCP_CONGESTION value=cubic,bbr\n"
			 "allow * setsockopt option=SO_PRIORITY value=7\n");
	struct sb_policy_subject who = subject(1000, 1000);
	struct sb_policy_request cubic = text_req(SOL_TCP, TCP_CONGESTION, "cubic");
	struct sb_policy_request bbr = text_req(SOL_TCP, TCP_CONGESTION, "bbr");
	struct sb_policy_request reno = text_req(SOL_TCP, TCP_CONGESTION, "reno");
	/* Names and numbers never stand for each other. */
	struct sb_policy_request number = sockopt_req(SOL_TCP, TCP_CONGESTION, true, 7);
	struct sb_policy_request prio_text = text_req(SOL_SOCKET, SO_PRIORITY, "7");
	struct sb_policy_request prio = sockopt_req(SOL_SOCKET, SO_PRIORITY, true, 7);

	expect(p, &who, &cubic, true, "t:1");
	expect(p, &who, &bbr, true, "t:1");
	expect(p, &who, &reno, false, "default");
	expect(p, &who, &number, false, "default");
	expect(p, &who, &prio_text, false, "default");
	expect(p, &who, &prio, true, "t:2");
	parse_fails(
		"allow * setsockopt value=cu/bic\n",
		"t:1: value: 'cu/bic' is neither a number nor a name (a letter, then at most 14 "
		"letters, digits, '_' or '-')");
	parse_fails(
		"allow * setsockopt value=abcdefghijklmnop\n",
		"t:1: value: 'abcdefghijklmnop' is neither a number nor a name (a letter, then at "
		"most 14 letters, digits, '_' or '-')");
	parse_fails("allow * setsockopt value=1cubic\n", "t:1: value: '1cubic' is not a number");
}
END_TEST

START_TEST(test_interface_key)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(
		"allow * setsockopt option=SO_BINDTODEVICE,SO_BINDTOIFINDEX interface=eth0,wlan0\n"
		"allow user:1001 setsockopt option=SO_BINDTODEVICE\n");
	struct sb_policy_subject who = subject(1000, 1000), any = subject(1001, 1001);
	struct sb_policy_request eth0 = interface_req(SO_BINDTODEVICE, "eth0");
	struct sb_policy_request wlan0 = interface_req(SO_BINDTOIFINDEX, "wlan0");
	struct sb_policy_request lo = interface_req(SO_BINDTODEVICE, "lo");
	struct sb_policy_request unbind = interface_req(SO_BINDTODEVICE, NULL);
	struct sb_policy_request index = interface_req(SO_BINDTOIFINDEX, NULL);

	expect(p, &who, &eth0, true, "t:1");
	expect(p, &who, &wlan0, true, "t:1");
	expect(p, &who, &lo, false, "default");
	/* Unbinding names no interface: only a rule without the key allows it. */
	expect(p, &who, &unbind, false, "default");
	expect(p, &who, &index, false, "default");
	expect(p, &any, &unbind, true, "t:2");
	expect(p, &any, &lo, true, "t:2");
	parse_fails("allow * setsockopt interface=a/b\n",
		    "t:1: interface: 'a/b' is not an interface name");
	parse_fails("allow * setsockopt interface=0123456789abcdef\n",
		    "t:1: interface: '0123456789abcdef' is not an interface name");
	parse_fails("allow * bind interface=eth0\n",
		    "t:1: key 'interface' does not apply to method bind");
}
END_TEST

/* ------------------------------------------- netlink groups, Bluetooth */

/* Bluetooth's protocol numbers (linux ABI), without libbluetooth's headers. */
#ifndef BTPROTO_L2CAP
#define BTPROTO_L2CAP 0
#define BTPROTO_HCI 1
#define BTPROTO_RFCOMM 3
#endif

static struct sb_policy_request bind_field_req(int family, int protocol, int group, int psm,
					       int channel)
{
	struct sb_policy_request req = bind_req(family, -1);

	req.type = SOCK_RAW;
	req.protocol = protocol;
	req.group = group;
	req.psm = psm;
	req.channel = channel;
	return req;
}

START_TEST(test_bind_keys)
{
	_cleanup_policy_ struct sb_policy *p = parse_ok(
		"allow * bind family=AF_NETLINK groups=1,3-5\n"
		"allow * bind family=AF_BLUETOOTH protocol=BTPROTO_L2CAP psm=0x1001-0x10ff,25\n"
		"allow * bind family=AF_BLUETOOTH protocol=BTPROTO_RFCOMM,BTPROTO_HCI channel=1,3\n"
		"allow user:1001 bind family=AF_NETLINK,AF_BLUETOOTH\n");
	struct sb_policy_subject who = subject(1000, 1000), any = subject(1001, 1001);
	static const int groups_yes[] = {1, 3, 4, 5}, groups_no[] = {2, 6, 32};
	struct sb_policy_request req;

	for (size_t i = 0; i < ELEMENTSOF(groups_yes); i++) {
		req = bind_field_req(AF_NETLINK, NETLINK_ROUTE, groups_yes[i], -1, -1);
		expect(p, &who, &req, true, "t:1");
	}
	for (size_t i = 0; i < ELEMENTSOF(groups_no); i++) {
		req = bind_field_req(AF_NETLINK, NETLINK_ROUTE, groups_no[i], -1, -1);
		expect(p, &who, &req, false, "default");
		/* A rule without groups= keeps its meaning: every group. */
		expect(p, &any, &req, true, "t:4");
	}
	/* A bind to no group matches no rule that names groups. */
	req = bind_field_req(AF_NETLINK, NETLINK_ROUTE, -1, -1, -1);
	expect(p, &who, &req, false, "default");
	expect(p, &any, &req, true, "t:4");

	req = bind_field_req(AF_BLUETOOTH, BTPROTO_L2CAP, -1, 0x1001, -1);
	expect(p, &who, &req, true, "t:2");
	req = bind_field_req(AF_BLUETOOTH, BTPROTO_L2CAP, -1, 25, -1);
	expect(p, &who, &req, true, "t:2");
	req = bind_field_req(AF_BLUETOOTH, BTPROTO_L2CAP, -1, 1, -1);
	expect(p, &who, &req, false, "default");
	expect(p, &any, &req, true, "t:4");
	req = bind_field_req(AF_BLUETOOTH, BTPROTO_RFCOMM, -1, -1, 3);
	expect(p, &who, &req, true, "t:3");
	req = bind_field_req(AF_BLUETOOTH, BTPROTO_HCI, -1, -1, 1);
	expect(p, &who, &req, true, "t:3");
	req = bind_field_req(AF_BLUETOOTH, BTPROTO_HCI, -1, -1, 2);
	expect(p, &who, &req, false, "default");
	/* A PSM is no channel. */
	req = bind_field_req(AF_BLUETOOTH, BTPROTO_RFCOMM, -1, 3, -1);
	expect(p, &who, &req, false, "default");

	parse_fails("allow * bind groups=0\n", "t:1: groups: 0 is out of range (1-32)");
	parse_fails("allow * bind groups=1-33\n", "t:1: groups: 33 is out of range (1-32)");
	parse_fails("allow * bind psm=65536\n", "t:1: psm: 65536 is out of range (0-65535)");
	parse_fails("allow * bind channel=-1\n", "t:1: channel: -1 is out of range (0-65535)");
	parse_fails("allow * setsockopt groups=1\n",
		    "t:1: key 'groups' does not apply to method setsockopt");
	parse_fails("allow * socket psm=1\n", "t:1: key 'psm' does not apply to method socket");
}
END_TEST

START_TEST(test_request_set_key_new_keys)
{
	struct sb_policy_request req;
	struct sockaddr_storage ss;

	sb_policy_request_init(&req, SB_PM_BIND);
	ck_assert_int_eq(req.group, -1);
	ck_assert_int_eq(req.psm, -1);
	ck_assert_int_eq(req.channel, -1);
	ck_assert_ptr_null(req.text);
	ck_assert_ptr_null(req.interface);
	ck_assert_int_eq(set_key(&req, &ss, "groups", "3"), 0);
	ck_assert_int_eq(req.group, 3);
	ck_assert_int_eq(set_key(&req, &ss, "psm", "0x1001"), 0);
	ck_assert_int_eq(req.psm, 0x1001);
	ck_assert_int_eq(set_key(&req, &ss, "channel", "1"), 0);
	ck_assert_int_eq(req.channel, 1);
	ck_assert_int_eq(set_key(&req, &ss, "interface", "eth0"), 0);
	ck_assert_str_eq(req.interface, "eth0");
	ck_assert_int_eq(set_key(&req, &ss, "value", "cubic"), 0);
	ck_assert_str_eq(req.text, "cubic");
	ck_assert(!req.has_value);
	ck_assert_int_eq(set_key(&req, &ss, "value", "7"), 0);
	ck_assert_ptr_null(req.text);
	ck_assert(req.has_value);
	ck_assert_int_eq(set_key(&req, &ss, "groups", "33"), -EINVAL);
	ck_assert_str_eq(errbuf, "groups: 33 is out of range (1-32)");
	ck_assert_int_eq(set_key(&req, &ss, "interface", "a b"), -EINVAL);
	ck_assert_str_eq(errbuf, "interface: 'a b' is not an interface name");
	ck_assert_int_eq(set_key(&req, &ss, "value", "cu.bic"), -EINVAL);
	ck_assert_str_eq(errbuf, "value: 'cu.bic' is neither a number nor a name");
}
END_TEST

/* ------------------------------------------------------------ unit: */

static struct sb_policy_subject unit_subject(uid_t uid, const char *unit, bool unknown)
{
	struct sb_policy_subject who = subject(uid, uid);

	who.unit = unit;
	who.unit_unknown = unknown;
	return who;
}

START_TEST(test_unit_rules)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow unit:sshd.service socket family=AF_INET type=SOCK_RAW\n"
			 "allow user:1000 socket family=AF_PACKET\n"
			 "deny unit:evil.service socket\n"
			 "allow unit:x@1.service socket family=AF_INET type=SOCK_RAW\n"
			 "allow unit:sshd.service bind\n");
	struct sb_policy_subject sshd = unit_subject(1000, "sshd.service", false);
	struct sb_policy_subject evil = unit_subject(1000, "evil.service", false);
	struct sb_policy_subject other = unit_subject(1000, "other.service", false);
	struct sb_policy_subject none = unit_subject(1000, NULL, false);
	struct sb_policy_subject unknown = unit_subject(1000, NULL, true);
	struct sb_policy_request raw = socket_req(AF_INET, SOCK_RAW, IPPROTO_ICMP, NULL);
	struct sb_policy_request packet = socket_req(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), NULL);
	struct sb_policy_request http = bind_req(AF_INET, 80);

	ck_assert(sb_policy_names_units(p));
	expect(p, &sshd, &raw, true, "t:1");
	expect(p, &other, &raw, false, "default");
	expect(p, &none, &raw, false, "default");
	/* The unit is one more thing the client is, beside its uid. */
	expect(p, &sshd, &packet, true, "t:2");
	expect(p, &evil, &packet, false, "t:3");
	expect(p, &none, &packet, true, "t:2");
	/* Whoever might be in any unit: every unit's denials, no allowance. */
	expect(p, &unknown, &packet, false, "t:3");
	expect(p, &unknown, &raw, false, "t:3");
	expect(p, &sshd, &http, true, "t:5");
	expect(p, &unknown, &http, false, "default");
}
END_TEST

START_TEST(test_unit_names)
{
	_cleanup_policy_ struct sb_policy *p =
		parse_ok("allow unit:getty@tty1.service socket\n"
			 "allow unit:session-3.scope socket\n"
			 "allow unit:systemd-fsck@dev-disk-by\\x2duuid-1.service socket\n"
			 "allow unit:getty@tty1.service bind\n");
	struct sb_policy_subject getty = unit_subject(0, "getty@tty1.service", false);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);

	ck_assert_uint_eq(sb_policy_rule_count(p), 4);
	expect(p, &getty, &req, true, "t:1");
	parse_fails("allow unit: socket\n",
		    "t:1: '' is not the name of a unit that runs processes (.service, .scope, "
		    ".socket, .mount or .swap)");
	parse_fails("allow unit:user.slice socket\n",
		    "t:1: 'user.slice' is not the name of a unit that runs processes (.service, "
		    ".scope, .socket, .mount or .swap)");
	parse_fails("allow unit:a/b.service socket\n",
		    "t:1: 'a/b.service' is not the name of a unit that runs processes (.service, "
		    ".scope, .socket, .mount or .swap)");
	parse_fails("allow unit:.service socket\n",
		    "t:1: '.service' is not the name of a unit that runs processes (.service, "
		    ".scope, .socket, .mount or .swap)");
}
END_TEST

START_TEST(test_unit_cost_independent_of_other_units)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct sb_policy_subject who = unit_subject(1000, "u5000.service", false);
	struct sb_policy_request req = socket_req(AF_INET, SOCK_DGRAM, 0, NULL);
	struct sb_policy *p;
	struct sb_decision d;

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 10000; i++)
		fprintf(f, "allow unit:u%d.service socket family=AF_INET\n", i);
	fclose(f);
	p = parse_ok(text);
	free(text);
	/* One rule of its unit, however many units the policy names. */
	ck_assert_uint_eq(sb_policy_check_counted(p, &who, &req, &d), 1);
	ck_assert(d.allow);
	ck_assert_str_eq(d.rule, "t:5001");
	sb_policy_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");

	SB_TEST(s, test_example_parses);
	SB_TEST(s, test_example_packet_group);
	SB_TEST(s, test_example_icmp_user);
	SB_TEST(s, test_example_bind_ports);
	SB_TEST(s, test_example_somark_value);
	SB_TEST(s, test_example_netns);
	SB_TEST(s, test_example_deny_everything);
	SB_TEST(s, test_last_match_wins);
	SB_TEST(s, test_last_match_across_subject_lists);
	SB_TEST(s, test_default_deny);
	SB_TEST(s, test_root_decided_by_rules);
	SB_TEST(s, test_shipped_policy_allows_root);
	SB_TEST(s, test_deny_root);
	SB_TEST(s, test_supplementary_groups);
	SB_TEST(s, test_unsorted_duplicate_groups);
	SB_TEST(s, test_user_by_name_and_number);
	SB_TEST(s, test_method_star);
	SB_TEST(s, test_method_star_with_keys);
	SB_TEST(s, test_port_ranges_and_lists);
	SB_TEST(s, test_value_ranges_hex);
	SB_TEST(s, test_option_forms);
	SB_TEST(s, test_address_cidr_v4);
	SB_TEST(s, test_address_cidr_v6);
	SB_TEST(s, test_address_short_sockaddr);
	SB_TEST(s, test_protocol_packet_network_order);
	SB_TEST(s, test_protocol_names_follow_family);
	SB_TEST(s, test_unset_fields_do_not_match);
	SB_TEST(s, test_netns_rules);
	SB_TEST(s, test_netns_for_bind_and_options);
	SB_TEST(s, test_comments_and_blanks);
	SB_TEST(s, test_line_limit);
	SB_TEST(s, test_error_protocol_on_packet_sockets);
	SB_TEST(s, test_error_key_twice);
	SB_TEST(s, test_error_unknown_key);
	SB_TEST(s, test_error_key_for_method);
	SB_TEST(s, test_error_empty_values);
	SB_TEST(s, test_error_bad_ranges);
	SB_TEST(s, test_error_text);
	SB_TEST(s, test_error_missing_fields);
	SB_TEST(s, test_error_unknown_names);
	SB_TEST(s, test_error_constants);
	SB_TEST(s, test_error_addresses);
	SB_TEST(s, test_error_options_and_netns);
	SB_TEST(s, test_error_line_numbers);
	SB_TEST(s, test_too_many_rules);
	SB_TEST(s, test_cost_independent_of_other_rules);
	SB_TEST(s, test_cost_stops_at_first_match);
	SB_TEST_FIXTURE(s, test_load_dropin_order, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_without_dropins, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_missing_main_file, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_dropin_error_rejects_all, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_main_error_rejects_all, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_world_writable, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_writable_dropin, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_writable_main_dir, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_dropin_symlinks, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_dropin_symlink_target_dirs, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_dropin_dir_symlink, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_not_owned_by_root, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_file_too_large, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_load_nul_byte, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_subordinate_uid_is_decided_as_its_owner, setup_tmpdir,
			teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_group_by_database_membership, setup_tmpdir, teardown_tmpdir);
	SB_TEST_FIXTURE(s, test_group_members_listed_in_the_database, setup_tmpdir,
			teardown_tmpdir);
	SB_TEST(s, test_request_set_key);
	SB_TEST(s, test_request_set_key_errors);
	SB_TEST(s, test_dry_run);
	SB_TEST(s, test_method_strings);
	SB_TEST(s, test_value_names);
	SB_TEST(s, test_interface_key);
	SB_TEST(s, test_bind_keys);
	SB_TEST(s, test_request_set_key_new_keys);
	SB_TEST(s, test_unit_rules);
	SB_TEST(s, test_unit_names);
	SB_TEST(s, test_unit_cost_independent_of_other_units);
	return sb_test_run(s);
}
