/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket specs: FAMILY:TYPE[:PROTOCOL][@ADDRESS] parsed, formatted back
 * exactly, turned into Socket parameters, and malformed ones refused. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "proto/message.h"
#include "proto/netns-name.h"
#include "proto/number.h"
#include "proto/spec.h"
#include "tests/testlib.h"

static void parse_ok(const char *text, struct sb_spec *spec)
{
	struct sb_error err = {.name = NULL};
	int r = sb_spec_parse(text, spec, &err);

	ck_assert_msg(r == 0, "'%s': %d %s", text, r, err.message);
}

/* Parsing text and formatting the result gives canon. */
static void round_trip(const char *text, const char *canon)
{
	struct sb_spec spec, again;
	char buf[512];
	int r;

	parse_ok(text, &spec);
	r = sb_spec_format(&spec, buf, sizeof(buf));
	ck_assert_msg(r == 0, "'%s': format %d", text, r);
	ck_assert_str_eq(buf, canon);
	parse_ok(canon, &again);
	ck_assert_int_eq(again.family, spec.family);
	ck_assert_int_eq(again.type, spec.type);
	ck_assert_int_eq(again.protocol, spec.protocol);
	ck_assert_int_eq(again.has_address, spec.has_address);
	ck_assert_uint_eq(again.address_len, spec.address_len);
	ck_assert_mem_eq(&again.address, &spec.address, spec.address_len);
	ck_assert_uint_eq(again.n_options, spec.n_options);
	for (size_t i = 0; i < spec.n_options; i++) {
		ck_assert_ptr_eq(again.options[i].def, spec.options[i].def);
		ck_assert_int_eq(again.options[i].value, spec.options[i].value);
		ck_assert_str_eq(again.options[i].text, spec.options[i].text);
	}
	ck_assert_int_eq(again.backlog, spec.backlog);
	ck_assert_str_eq(again.netns, spec.netns);
}

static void canonical(const char *text)
{
	round_trip(text, text);
}

static void fails_with(const char *text, const char *name, int errnum, const char *parameter)
{
	struct sb_spec spec;
	struct sb_error err = {.name = NULL};
	int r;

	memset(&spec, 0x5a, sizeof(spec));
	r = sb_spec_parse(text, &spec, &err);
	ck_assert_msg(r == -errnum, "'%s': got %d, expected %d (%s)", text, r, -errnum,
		      err.message);
	ck_assert_str_eq(err.name, name);
	ck_assert_int_eq(err.errnum, errnum);
	ck_assert_msg(strcmp(err.parameter, parameter) == 0, "'%s': parameter '%s', expected '%s'",
		      text, err.parameter, parameter);
	ck_assert_str_ne(err.message, "");
	/* A failed parse leaves the spec alone. */
	ck_assert_int_eq(spec.family, 0x5a5a5a5a);
}

static void fails(const char *text, const char *parameter)
{
	fails_with(text, SB_ERR_INVALID_PARAMETER, EINVAL, parameter);
}

static const char *plain(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ------------------------------------------------------------------ */

START_TEST(test_protocol_doc_examples)
{
	/* docs/PROTOCOL.md, "Text form of a socket", but for the CAN one (next test). */
	canonical("AF_INET:SOCK_STREAM@127.0.0.1:80");
	canonical("AF_INET6:SOCK_DGRAM@[::1]:53");
	canonical("AF_INET:SOCK_RAW:IPPROTO_ICMP");
	canonical("AF_PACKET:SOCK_RAW:ETH_P_ALL@lo");
	canonical("AF_ALG:SOCK_SEQPACKET@hash:sha256");
}
END_TEST

START_TEST(test_protocol_doc_example_vcan)
{
	if (if_nametoindex("vcan0") == 0)
		SB_SKIP("no vcan0 interface here (needs the vcan module)");
	canonical("AF_CAN:SOCK_RAW:CAN_RAW@vcan0");
}
END_TEST

START_TEST(test_fields)
{
	struct sb_spec spec;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&spec.address;
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *)&spec.address;

	parse_ok("AF_INET:SOCK_STREAM@127.0.0.1:80", &spec);
	ck_assert_int_eq(spec.family, AF_INET);
	ck_assert_int_eq(spec.type, SOCK_STREAM);
	ck_assert_int_eq(spec.protocol, 0);
	ck_assert(spec.has_address);
	ck_assert_uint_eq(spec.address_len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_port, htons(80));
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));

	parse_ok("AF_INET:SOCK_RAW:IPPROTO_ICMP", &spec);
	ck_assert_int_eq(spec.type, SOCK_RAW);
	ck_assert_int_eq(spec.protocol, IPPROTO_ICMP);
	ck_assert(!spec.has_address);

	/* The protocol of an AF_PACKET socket is network byte order. */
	parse_ok("AF_PACKET:SOCK_RAW:ETH_P_ALL@lo", &spec);
	ck_assert_int_eq(spec.family, AF_PACKET);
	ck_assert_int_eq(spec.protocol, htons(ETH_P_ALL));
	ck_assert_int_eq(sll->sll_ifindex, (int)if_nametoindex("lo"));
}
END_TEST

START_TEST(test_type_flags)
{
	struct sb_spec spec;

	parse_ok("AF_INET:SOCK_DGRAM|SOCK_NONBLOCK", &spec);
	ck_assert_int_eq(spec.type, SOCK_DGRAM | SOCK_NONBLOCK);
	canonical("AF_INET:SOCK_DGRAM|SOCK_NONBLOCK");
	canonical("AF_INET:SOCK_DGRAM|SOCK_CLOEXEC");
	canonical("AF_INET:SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
	round_trip("AF_INET:SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK",
		   "AF_INET:SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
	/* A number may carry the flag bits. */
	round_trip("AF_INET:2050", "AF_INET:SOCK_DGRAM|SOCK_NONBLOCK");
	round_trip("AF_INET:2|0x800", "AF_INET:SOCK_DGRAM|SOCK_NONBLOCK");
	parse_ok("AF_INET:SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC@127.0.0.1:1", &spec);
	ck_assert_int_eq(spec.type, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert(spec.has_address);
}
END_TEST

START_TEST(test_numbers_and_names)
{
	round_trip("2:1:6", "AF_INET:SOCK_STREAM:IPPROTO_TCP");
	round_trip("AF_INET:SOCK_RAW:255", "AF_INET:SOCK_RAW:IPPROTO_RAW");
	round_trip("AF_INET:SOCK_RAW:0xff", "AF_INET:SOCK_RAW:IPPROTO_RAW");
	canonical("AF_INET:SOCK_RAW:253");
	/* Protocol 0 is left out, whatever its name. */
	round_trip("AF_INET:SOCK_STREAM:0", "AF_INET:SOCK_STREAM");
	round_trip("AF_INET:SOCK_STREAM:IPPROTO_IP", "AF_INET:SOCK_STREAM");
	round_trip("AF_NETLINK:SOCK_RAW:NETLINK_ROUTE", "AF_NETLINK:SOCK_RAW");
	/* Aliases come back under the usual names. */
	round_trip("AF_LOCAL:SOCK_STREAM@/run/x", "AF_UNIX:SOCK_STREAM@/run/x");
	round_trip("PF_PACKET:SOCK_DGRAM:768@lo", "AF_PACKET:SOCK_DGRAM:ETH_P_ALL@lo");
	round_trip("AF_PACKET:SOCK_RAW:0x0008", "AF_PACKET:SOCK_RAW:ETH_P_IP");
	canonical("AF_PACKET:SOCK_RAW:4660");
	/* Families and types without a name stay numbers. */
	canonical("4242:SOCK_DGRAM");
	canonical("AF_INET:15");
}
END_TEST

/* The number reader under all of them, with a limit below a digit. */
START_TEST(test_number_limits)
{
	uint64_t v = 0;
	bool neg = true;

	ck_assert_int_eq(sb_number_parse("5", 0, 5, &neg, &v), 0);
	ck_assert(!neg && v == 5);
	ck_assert_int_eq(sb_number_parse("7", 0, 5, &neg, &v), -ERANGE);
	ck_assert_int_eq(sb_number_parse("0xf", 0, 9, &neg, &v), -ERANGE);
	ck_assert_int_eq(sb_number_parse("0x9", 0, 9, &neg, &v), 0);
	ck_assert_int_eq(sb_number_parse("60", 0, 59, &neg, &v), -ERANGE);
	ck_assert_int_eq(sb_number_parse("18446744073709551615", 0, UINT64_MAX, &neg, &v), 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_int_eq(sb_number_parse("18446744073709551616", 0, UINT64_MAX, &neg, &v), -ERANGE);
}
END_TEST

START_TEST(test_unix_specs)
{
	struct sb_spec spec;
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&spec.address;

	/* The first '@' splits; what follows may start with another. */
	parse_ok("AF_UNIX:SOCK_STREAM@@name", &spec);
	ck_assert_int_eq(sun->sun_path[0], '\0');
	ck_assert_mem_eq(sun->sun_path + 1, "name", 4);
	ck_assert_uint_eq(spec.address_len, offsetof(struct sockaddr_un, sun_path) + 5);
	canonical("AF_UNIX:SOCK_STREAM@@name");
	canonical("AF_UNIX:SOCK_STREAM@/run/x.sock");
	canonical("AF_UNIX:SOCK_DGRAM@/tmp/a@b:c");
	parse_ok("AF_UNIX:SOCK_DGRAM@/tmp/a@b:c", &spec);
	ck_assert_str_eq(sun->sun_path, "/tmp/a@b:c");
	canonical("AF_UNIX:SOCK_SEQPACKET@");
}
END_TEST

START_TEST(test_every_family)
{
	canonical("AF_INET6:SOCK_DGRAM@[fe80::1%lo]:546");
	canonical("AF_INET6:SOCK_STREAM:IPPROTO_TCP@[::]:443:17");
	canonical("AF_NETLINK:SOCK_DGRAM:NETLINK_KOBJECT_UEVENT@0:1");
	canonical("AF_NETLINK:SOCK_RAW@0:4294967295");
	canonical("AF_TIPC:SOCK_RDM@TIPC_ADDR_NAME:1000:1:0:TIPC_CLUSTER_SCOPE");
	canonical("AF_CAN:SOCK_RAW:CAN_RAW@lo");
	canonical("AF_CAN:SOCK_RAW:CAN_RAW@");
	canonical("AF_CAN:SOCK_DGRAM:CAN_BCM@lo");
	canonical("AF_CAN:SOCK_DGRAM:CAN_ISOTP@lo:0x123:0x321");
	canonical("AF_CAN:SOCK_DGRAM:CAN_J1939@lo:0x0:0xf000:0x20");
	canonical("AF_PACKET:SOCK_DGRAM:ETH_P_ARP@lo:ETH_P_ARP:0:1:ff:ff:ff:ff:ff:ff");
	canonical("AF_PACKET:SOCK_RAW:ETH_P_ALL@");
	canonical("AF_ALG:SOCK_SEQPACKET@skcipher:cbc(aes)");
	canonical("AF_ALG:SOCK_SEQPACKET@aead:authenc(hmac(sha256),cbc(aes)):0:1");
	canonical("AF_VSOCK:SOCK_STREAM@2:1234");
	canonical("AF_RDS:SOCK_SEQPACKET@127.0.0.1:4000");
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	canonical("AF_BLUETOOTH:SOCK_SEQPACKET@00:11:22:33:44:55:1");
	canonical("AF_BLUETOOTH:SOCK_STREAM:BTPROTO_RFCOMM@00:11:22:33:44:55:1");
	canonical("AF_BLUETOOTH:SOCK_RAW:BTPROTO_HCI@0");
	canonical("AF_BLUETOOTH:SOCK_SEQPACKET:BTPROTO_SCO@00:11:22:33:44:55");
#endif
	round_trip("AF_ALG:SOCK_SEQPACKET@skcipher:cbc(aes):0:0",
		   "AF_ALG:SOCK_SEQPACKET@skcipher:cbc(aes)");
	round_trip("AF_PACKET:SOCK_RAW:ETH_P_ALL@1:ETH_P_ALL:0:0",
		   "AF_PACKET:SOCK_RAW:ETH_P_ALL@lo:ETH_P_ALL");
}
END_TEST

START_TEST(test_malformed_heads)
{
	fails("", "family");
	fails("AF_INET", "type");
	fails("AF_INET:", "type");
	fails(":SOCK_STREAM", "family");
	fails("AF_NOPE:SOCK_STREAM", "family");
	fails("af_inet:SOCK_STREAM", "family");
	fails("AF_INET :SOCK_STREAM", "family");
	fails("AF_UNSPEC:SOCK_STREAM", "family");
	fails("0:SOCK_STREAM", "family");
	fails("70000:SOCK_STREAM", "family");
	fails("-2:SOCK_STREAM", "family");
	fails("99999999999999999999:SOCK_STREAM", "family");
	fails("AF_INET:SOCK_NOPE", "type");
	fails("AF_INET:SOCK_NONBLOCK", "type");
	fails("AF_INET:16", "type");
	fails("AF_INET:2048", "type");
	fails("AF_INET:0", "type");
	fails("AF_INET:-1", "type");
	fails("AF_INET:SOCK_DGRAM|", "flags");
	fails("AF_INET:SOCK_DGRAM|SOCK_NONBLOCK|SOCK_NONBLOCK", "flags");
	fails("AF_INET:SOCK_DGRAM|SOCK_STREAM", "flags");
	fails("AF_INET:SOCK_DGRAM|1", "flags");
	fails("AF_INET:2050|SOCK_NONBLOCK", "flags");
	fails("AF_INET:SOCK_STREAM:6:7", "spec");
}
END_TEST

START_TEST(test_malformed_protocols)
{
	fails("AF_INET:SOCK_STREAM:", "protocol");
	fails("AF_INET:SOCK_STREAM:IPPROTO_NOPE", "protocol");
	fails("AF_INET:SOCK_STREAM:CAN_RAW", "protocol");
	fails("AF_INET:SOCK_STREAM:5x", "protocol");
	fails("AF_INET:SOCK_STREAM:-1", "protocol");
	fails("AF_INET:SOCK_STREAM:2147483648", "protocol");
	fails("AF_PACKET:SOCK_RAW:65536", "protocol");
	fails("AF_PACKET:SOCK_RAW:IPPROTO_TCP", "protocol");
	fails("AF_TIPC:SOCK_RDM:TIPC_ADDR_NAME", "protocol");
	fails("AF_CAN:SOCK_RAW:ETH_P_ALL@lo", "protocol");
}
END_TEST

START_TEST(test_malformed_addresses)
{
	char text[600];

	fails("AF_INET:SOCK_STREAM@", "port");
	fails("AF_INET:SOCK_STREAM@localhost:80", "host");
	fails("AF_INET:SOCK_STREAM@1.2.3:80", "host");
	fails("AF_INET:SOCK_STREAM@127.0.0.1:65536", "port");
	fails("AF_INET6:SOCK_STREAM@::1:80", "address");
	fails("AF_PACKET:SOCK_RAW:ETH_P_ALL@:ETH_P_NOPE", "protocol");
	fails_with("AF_PACKET:SOCK_RAW:ETH_P_ALL@nosuchif0", SB_ERR_INVALID_PARAMETER, ENODEV,
		   "ifname");
	fails("AF_ALG:SOCK_SEQPACKET@hash", "name");
	fails("AF_CAN:SOCK_DGRAM:CAN_ISOTP@lo:0x800:0x1", "rx_id");
	fails_with("AF_IPX:SOCK_DGRAM@1", SB_ERR_NOT_SUPPORTED, EAFNOSUPPORT, "family");

	/* Length limits, before and after '@'. */
	memset(text, 'A', 200);
	memcpy(text + 200, ":SOCK_STREAM", 13);
	fails(text, "spec");
	memcpy(text, "AF_UNIX:SOCK_STREAM@/", 21);
	memset(text + 21, 'a', 400);
	text[421] = '\0';
	fails(text, "address");
	fails_with(NULL, SB_ERR_INVALID_PARAMETER, EINVAL, "spec");
}
END_TEST

START_TEST(test_format_buffer)
{
	static const char *const specs[] = {
		"AF_INET:SOCK_STREAM@127.0.0.1:80",
		"AF_INET:SOCK_DGRAM|SOCK_NONBLOCK:IPPROTO_UDP",
		"AF_PACKET:SOCK_RAW:ETH_P_ALL@lo",
	};

	for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
		struct sb_spec spec;
		size_t need = strlen(specs[i]) + 1;
		char buf[128];

		parse_ok(specs[i], &spec);
		for (size_t size = 0; size < need; size++)
			ck_assert_msg(sb_spec_format(&spec, buf, size) == -ENOSPC, "%s fits in %zu",
				      specs[i], size);
		ck_assert_int_eq(sb_spec_format(&spec, buf, need), 0);
		ck_assert_str_eq(buf, specs[i]);
	}
}
END_TEST

START_TEST(test_params)
{
	struct sb_spec spec;
	struct sb_error err = {.name = NULL};
	json_object *params, *bind = NULL;
	int64_t v;

	parse_ok("AF_INET:SOCK_DGRAM|SOCK_NONBLOCK:IPPROTO_UDP@127.0.0.1:53", &spec);
	params = sb_spec_to_params(&spec, &err);
	ck_assert_ptr_nonnull(params);
	ck_assert_str_eq(
		plain(params),
		"{\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"flags\":[\"SOCK_NONBLOCK\"],"
		"\"protocol\":\"IPPROTO_UDP\",\"bind\":{\"host\":\"127.0.0.1\",\"port\":53}}");
	/* What the daemon's getters read back. */
	ck_assert_int_eq(sb_param_const(params, "family", SB_C_AF, true, 0, 65535, &v, &err), 1);
	ck_assert_int_eq(v, AF_INET);
	ck_assert_int_eq(sb_param_const(params, "type", SB_C_SOCK, true, 0, 15, &v, &err), 1);
	ck_assert_int_eq(v, SOCK_DGRAM);
	ck_assert_int_eq(sb_param_object(params, "bind", true, &bind, &err), 1);
	json_object_put(params);

	parse_ok("AF_INET:SOCK_RAW|SOCK_NONBLOCK|SOCK_CLOEXEC", &spec);
	params = sb_spec_to_params(&spec, &err);
	ck_assert_str_eq(plain(params), "{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\","
					"\"flags\":[\"SOCK_NONBLOCK\",\"SOCK_CLOEXEC\"]}");
	json_object_put(params);

	parse_ok("AF_PACKET:SOCK_RAW:ETH_P_ALL@lo", &spec);
	params = sb_spec_to_params(&spec, &err);
	ck_assert_str_eq(
		plain(params),
		"{\"family\":\"AF_PACKET\",\"type\":\"SOCK_RAW\",\"protocol\":\"ETH_P_ALL\","
		"\"bind\":{\"ifname\":\"lo\",\"protocol\":0,\"pkttype\":0,\"hatype\":0,\"addr\":\"\"}}");
	json_object_put(params);

	parse_ok("4242:15:7", &spec);
	params = sb_spec_to_params(&spec, &err);
	ck_assert_str_eq(plain(params), "{\"family\":4242,\"type\":15,\"protocol\":7}");
	json_object_put(params);
}
END_TEST

START_TEST(test_options_listen_netns)
{
	struct sb_spec spec;
	struct sb_error err = {.name = NULL};
	json_object *params;
	char many[1024];
	size_t n = 0;

	canonical("AF_INET:SOCK_STREAM,SO_REUSEADDR,backlog=16@0.0.0.0:80");
	canonical("AF_INET:SOCK_DGRAM,SO_MARK=256,SO_BINDTODEVICE=lo,netns=lab1@127.0.0.1:53");
	canonical("AF_ALG:SOCK_SEQPACKET,nolisten@hash:sha256");
	canonical("AF_INET6:SOCK_STREAM,IPV6_V6ONLY=0,TCP_NODELAY,backlog=0@[::]:443");
	round_trip("AF_INET:SOCK_STREAM,SO_REUSEADDR=1,SO_KEEPALIVE=0",
		   "AF_INET:SOCK_STREAM,SO_REUSEADDR,SO_KEEPALIVE=0");
	/* The kernel takes any nonzero as on. */
	round_trip("AF_INET:SOCK_STREAM,SO_REUSEADDR=7", "AF_INET:SOCK_STREAM,SO_REUSEADDR");
	round_trip("AF_INET:SOCK_DGRAM,SO_MARK=0x100", "AF_INET:SOCK_DGRAM,SO_MARK=256");
	round_trip("AF_INET:SOCK_DGRAM,SO_MARK=4294967295",
		   "AF_INET:SOCK_DGRAM,SO_MARK=4294967295");

	parse_ok("AF_INET:SOCK_STREAM@0.0.0.0:80", &spec);
	ck_assert_uint_eq(spec.n_options, 0);
	ck_assert_int_eq(spec.backlog, SB_SPEC_LISTEN_AUTO);
	ck_assert_str_eq(spec.netns, "");
	parse_ok("AF_INET:SOCK_STREAM,nolisten", &spec);
	ck_assert_int_eq(spec.backlog, SB_SPEC_NO_LISTEN);

	parse_ok(
		"AF_INET:SOCK_STREAM,SO_REUSEADDR,SO_BINDTODEVICE=lo,backlog=16,netns=lab1@127.0.0.1:80",
		&spec);
	params = sb_spec_to_params(&spec, &err);
	ck_assert_ptr_nonnull(params);
	ck_assert_str_eq(plain(params),
			 "{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"options\":["
			 "{\"level\":\"SOL_SOCKET\",\"name\":\"SO_REUSEADDR\",\"value\":1},"
			 "{\"level\":\"SOL_SOCKET\",\"name\":\"SO_BINDTODEVICE\",\"text\":\"lo\"}],"
			 "\"bind\":{\"host\":\"127.0.0.1\",\"port\":80},"
			 "\"listen\":16,\"netns\":\"lab1\"}");
	json_object_put(params);

	fails("AF_INET:SOCK_STREAM,SO_NOPE", "options");
	fails("AF_INET:SOCK_STREAM,SO_LINGER=1", "options");
	fails("AF_INET:SOCK_STREAM,SO_MARK", "options");
	fails("AF_INET:SOCK_STREAM,SO_MARK=-1", "options");
	fails("AF_INET:SOCK_STREAM,SO_MARK=4294967296", "options");
	fails("AF_INET:SOCK_STREAM,SO_RCVBUF=x", "options");
	fails("AF_INET:SOCK_STREAM,SO_BINDTODEVICE", "options");
	fails("AF_INET:SOCK_STREAM,SO_BINDTODEVICE=a/b", "options");
	fails("AF_INET:SOCK_STREAM,SO_BINDTODEVICE=0123456789abcdef", "options");
	fails("AF_INET:SOCK_STREAM,backlog=65536", "listen");
	fails("AF_INET:SOCK_STREAM,backlog=-1", "listen");
	fails("AF_INET:SOCK_STREAM,backlog", "listen");
	fails("AF_INET:SOCK_STREAM,backlog=1,nolisten", "listen");
	fails("AF_INET:SOCK_STREAM,nolisten=1", "listen");
	fails("AF_INET:SOCK_STREAM,netns=", "netns");
	fails("AF_INET:SOCK_STREAM,netns=a/b", "netns");
	fails("AF_INET:SOCK_STREAM,netns=..", "netns");
	fails("AF_INET:SOCK_STREAM,netns=a,netns=b", "netns");
	fails("AF_INET:SOCK_STREAM,", "spec");
	fails("AF_INET:SOCK_STREAM,,SO_REUSEADDR", "spec");
	n = (size_t)snprintf(many, sizeof(many), "AF_INET:SOCK_STREAM");
	for (unsigned i = 0; i <= SB_OPTIONS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, ",SO_REUSEADDR");
	fails(many, "options");
}
END_TEST

/* The daemon judges a Socket call's netns with sb_netns_name_valid(); the
 * spec parser must give the same verdict, so that a name is refused here
 * rather than by the broker. */
START_TEST(test_netns_names_as_the_daemon_judges)
{
	char longest[SB_NETNS_NAME_MAX + 1], too_long[SB_NETNS_NAME_MAX + 2];
	const char *refused[] = {".x", "a b", "", "..", ".", "a/b", "ä", too_long};
	const char *accepted[] = {"lab1", "a.b", "A-9_x", "x.", longest};
	char text[128];

	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = 0;
	memset(too_long, 'n', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = 0;
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		ck_assert_msg(!sb_netns_name_valid(refused[i]), "'%s' valid", refused[i]);
		snprintf(text, sizeof(text), "AF_INET:SOCK_DGRAM,netns=%s", refused[i]);
		fails(text, "netns");
	}
	for (size_t i = 0; i < ELEMENTSOF(accepted); i++) {
		struct sb_spec spec;

		ck_assert_msg(sb_netns_name_valid(accepted[i]), "'%s' invalid", accepted[i]);
		snprintf(text, sizeof(text), "AF_INET:SOCK_DGRAM,netns=%s", accepted[i]);
		parse_ok(text, &spec);
		ck_assert_str_eq(spec.netns, accepted[i]);
	}
}
END_TEST

START_TEST(test_can_listen)
{
	static const struct {
		const char *spec;
		bool listens;
	} cases[] = {
		{"AF_INET:SOCK_STREAM", true},
		{"AF_INET6:SOCK_STREAM", true},
		{"AF_UNIX:SOCK_SEQPACKET", true},
		{"AF_VSOCK:SOCK_STREAM", true},
		{"AF_TIPC:SOCK_SEQPACKET", true},
		{"AF_INET:SOCK_DGRAM", false},
		{"AF_ALG:SOCK_SEQPACKET", false},
		{"AF_RDS:SOCK_SEQPACKET", false},
		{"AF_PACKET:SOCK_RAW", false},
		{"AF_NETLINK:SOCK_RAW", false},
		{"AF_INET:SOCK_STREAM|SOCK_NONBLOCK", true},
	};
	struct sb_spec spec;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		parse_ok(cases[i].spec, &spec);
		ck_assert_msg(sb_spec_can_listen(&spec) == cases[i].listens, "%s", cases[i].spec);
	}
}
END_TEST

START_TEST(test_params_unformattable_address)
{
	struct sb_spec spec = {.family = AF_INET, .type = SOCK_STREAM, .has_address = true};
	struct sb_error err = {.name = NULL};
	char buf[128];

	/* An address too short for its family. */
	spec.address.ss_family = AF_INET;
	spec.address_len = 4;
	ck_assert_ptr_null(sb_spec_to_params(&spec, &err));
	ck_assert_int_eq(err.errnum, EINVAL);
	ck_assert_str_eq(err.parameter, "address");
	ck_assert_int_eq(sb_spec_format(&spec, buf, sizeof(buf)), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spec");

	SB_TEST(s, test_protocol_doc_examples);
	SB_TEST(s, test_protocol_doc_example_vcan);
	SB_TEST(s, test_fields);
	SB_TEST(s, test_type_flags);
	SB_TEST(s, test_numbers_and_names);
	SB_TEST(s, test_unix_specs);
	SB_TEST(s, test_every_family);
	SB_TEST(s, test_malformed_heads);
	SB_TEST(s, test_malformed_protocols);
	SB_TEST(s, test_malformed_addresses);
	SB_TEST(s, test_number_limits);
	SB_TEST(s, test_format_buffer);
	SB_TEST(s, test_params);
	SB_TEST(s, test_params_unformattable_address);
	SB_TEST(s, test_options_listen_netns);
	SB_TEST(s, test_netns_names_as_the_daemon_judges);
	SB_TEST(s, test_can_listen);
	return sb_test_run(s);
}
