/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address codec: every family's shape in JSON and in text, both ways,
 * and a specific error for every kind of malformed input. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/sco.h>
#endif

#include "proto/addr.h"
#include "tests/testlib.h"

#define SA(ss) ((const struct sockaddr *)(ss))

static json_object *parse_json(const char *text)
{
	json_object *obj = json_tokener_parse(text);

	ck_assert_msg(obj, "test JSON does not parse: %s", text);
	return obj;
}

static const char *plain(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Encode JSON text into ss, failing the test on error. */
static void encode_json(int family, int protocol, const char *text, struct sockaddr_storage *ss,
			socklen_t *len)
{
	json_object *obj = parse_json(text);
	struct sb_error err = {.name = NULL};
	int r = sb_addr_from_json(obj, family, protocol, ss, len, &err);

	ck_assert_msg(r == 0, "%s: %d %s", text, r, err.message);
	json_object_put(obj);
}

/* JSON in -> sockaddr -> JSON out equals canon, and canon encodes to the
 * same bytes. */
static void json_round_trip(int family, int protocol, const char *in, const char *canon)
{
	struct sockaddr_storage ss, ss2;
	socklen_t len, len2;
	struct sb_error err = {.name = NULL};
	json_object *out;

	encode_json(family, protocol, in, &ss, &len);
	out = sb_addr_to_json(SA(&ss), len, protocol, &err);
	ck_assert_msg(out, "%s: decode failed: %s", in, err.message);
	ck_assert_str_eq(plain(out), canon);
	json_object_put(out);
	encode_json(family, protocol, canon, &ss2, &len2);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_eq(&ss, &ss2, len);
}

/* Text in -> sockaddr -> text out equals canon, canon encodes to the same
 * bytes, and the JSON of the same address encodes to them too. */
static void text_round_trip(int family, int protocol, const char *in, const char *canon)
{
	struct sockaddr_storage ss, ss2;
	socklen_t len, len2;
	struct sb_error err = {.name = NULL};
	char buf[300];
	json_object *obj;
	int r;

	r = sb_addr_from_text(in, family, protocol, &ss, &len, &err);
	ck_assert_msg(r == 0, "'%s': %d %s", in, r, err.message);
	r = sb_addr_to_text(SA(&ss), len, protocol, buf, sizeof(buf), &err);
	ck_assert_msg(r == 0, "'%s': to_text %d %s", in, r, err.message);
	ck_assert_str_eq(buf, canon);
	r = sb_addr_from_text(canon, family, protocol, &ss2, &len2, &err);
	ck_assert_msg(r == 0, "'%s': %d %s", canon, r, err.message);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_eq(&ss, &ss2, len);

	obj = sb_addr_to_json(SA(&ss), len, protocol, &err);
	ck_assert_ptr_nonnull(obj);
	r = sb_addr_from_json(obj, family, protocol, &ss2, &len2, &err);
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(len, len2);
	ck_assert_mem_eq(&ss, &ss2, len);
	json_object_put(obj);
}

static void check_error(int r, const struct sb_error *err, const char *input, const char *name,
			int errnum, const char *parameter)
{
	ck_assert_msg(r == -errnum, "'%s': got %d, expected %d (%s)", input, r, -errnum,
		      err->message);
	ck_assert_str_eq(err->name, name);
	ck_assert_int_eq(err->errnum, errnum);
	ck_assert_msg(strcmp(err->parameter, parameter) == 0, "'%s': parameter '%s', expected '%s'",
		      input, err->parameter, parameter);
	ck_assert_str_ne(err->message, "");
}

static void json_fails_with(int family, int protocol, const char *text, int errnum,
			    const char *parameter)
{
	json_object *obj = parse_json(text);
	struct sockaddr_storage ss;
	socklen_t len;
	struct sb_error err = {.name = NULL};
	int r = sb_addr_from_json(obj, family, protocol, &ss, &len, &err);

	check_error(r, &err, text, SB_ERR_INVALID_PARAMETER, errnum, parameter);
	json_object_put(obj);
}

static void json_fails(int family, int protocol, const char *text, const char *parameter)
{
	json_fails_with(family, protocol, text, EINVAL, parameter);
}

static void text_fails_with(int family, int protocol, const char *text, int errnum,
			    const char *parameter)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct sb_error err = {.name = NULL};
	int r = sb_addr_from_text(text, family, protocol, &ss, &len, &err);

	check_error(r, &err, text, SB_ERR_INVALID_PARAMETER, errnum, parameter);
}

static void text_fails(int family, int protocol, const char *text, const char *parameter)
{
	text_fails_with(family, protocol, text, EINVAL, parameter);
}

/* Decoding the first len bytes of ss fails as truncated. */
static void decode_fails(const struct sockaddr_storage *ss, socklen_t len, int protocol,
			 const char *parameter)
{
	struct sb_error err = {.name = NULL};
	char buf[300];
	json_object *obj = sb_addr_to_json(SA(ss), len, protocol, &err);

	ck_assert_msg(!obj, "decoding %u bytes succeeded: %s", (unsigned)len,
		      obj ? plain(obj) : "");
	check_error(-err.errnum, &err, "sockaddr", SB_ERR_INVALID_PARAMETER, EINVAL, parameter);
	ck_assert_int_eq(sb_addr_to_text(SA(ss), len, protocol, buf, sizeof(buf), NULL), -EINVAL);
}

static unsigned lo_index(void)
{
	unsigned idx = if_nametoindex("lo");

	ck_assert_msg(idx > 0, "no loopback interface");
	return idx;
}

/* An interface index that does not exist here. */
#define NO_SUCH_INDEX 999999

/* ------------------------------------------------------------------ */

START_TEST(test_unix_json)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	socklen_t len;
	char path[200], json[300];

	json_round_trip(AF_UNIX, 0, "{\"path\":\"/run/x.sock\"}", "{\"path\":\"/run/x.sock\"}");
	encode_json(AF_UNIX, 0, "{\"path\":\"/run/x.sock\"}", &ss, &len);
	ck_assert_int_eq(sun->sun_family, AF_UNIX);
	ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) + strlen("/run/x.sock") + 1);
	ck_assert_str_eq(sun->sun_path, "/run/x.sock");

	json_round_trip(AF_UNIX, 0, "{\"abstract\":\"name\"}", "{\"abstract\":\"name\"}");
	encode_json(AF_UNIX, 0, "{\"abstract\":\"name\"}", &ss, &len);
	ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) + 1 + 4);
	ck_assert_int_eq(sun->sun_path[0], 0);
	ck_assert_mem_eq(sun->sun_path + 1, "name", 4);

	/* The unnamed address: only the family. */
	json_round_trip(AF_UNIX, 0, "{\"path\":\"\"}", "{\"path\":\"\"}");
	encode_json(AF_UNIX, 0, "{\"path\":\"\"}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(sa_family_t));
	json_round_trip(AF_UNIX, 0, "{\"abstract\":\"\"}", "{\"abstract\":\"\"}");

	/* A path may fill sun_path entirely, without its NUL. */
	memset(path, 'p', 108);
	path[108] = '\0';
	snprintf(json, sizeof(json), "{\"path\":\"%s\"}", path);
	json_round_trip(AF_UNIX, 0, json, json);
	encode_json(AF_UNIX, 0, json, &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_un));
}
END_TEST

START_TEST(test_unix_errors)
{
	char path[200], json[300];

	json_fails(AF_UNIX, 0, "{\"path\":\"/a\",\"abstract\":\"b\"}", "abstract");
	json_fails(AF_UNIX, 0, "{}", "path");
	json_fails(AF_UNIX, 0, "{\"path\":\"/a\",\"mode\":1}", "mode");
	json_fails(AF_UNIX, 0, "{\"path\":42}", "path");
	json_fails(AF_UNIX, 0, "{\"path\":\"/a\\u0000b\"}", "path");
	json_fails(AF_UNIX, 0, "{\"abstract\":[\"x\"]}", "abstract");
	json_fails(AF_UNIX, 0, "[\"/a\"]", "address");
	json_fails(AF_UNIX, 0, "\"/a\"", "address");

	memset(path, 'p', 109);
	path[109] = '\0';
	snprintf(json, sizeof(json), "{\"path\":\"%s\"}", path);
	json_fails(AF_UNIX, 0, json, "path");
	path[108] = '\0';
	snprintf(json, sizeof(json), "{\"abstract\":\"%s\"}", path);
	json_fails(AF_UNIX, 0, json, "abstract");
	snprintf(json, sizeof(json), "@%s", path);
	text_fails(AF_UNIX, 0, json, "abstract");
}
END_TEST

START_TEST(test_unix_text)
{
	struct sockaddr_storage ss;
	struct sb_error err = {.name = NULL};
	char buf[300];
	socklen_t len;

	text_round_trip(AF_UNIX, 0, "/run/x.sock", "/run/x.sock");
	text_round_trip(AF_UNIX, 0, "@name", "@name");
	text_round_trip(AF_UNIX, 0, "@", "@");
	text_round_trip(AF_UNIX, 0, "", "");
	text_round_trip(AF_UNIX, 0, "relative:with@signs", "relative:with@signs");

	/* A path that starts with '@' would read back as abstract. */
	encode_json(AF_UNIX, 0, "{\"path\":\"@notabstract\"}", &ss, &len);
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, sizeof(buf), &err), -EINVAL);
	ck_assert_str_eq(err.parameter, "path");
}
END_TEST

START_TEST(test_unix_decode)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sb_error err = {.name = NULL};
	json_object *obj;

	/* A path without NUL that stops at len. */
	memcpy(sun.sun_path, "/tmp/abcdef", 11);
	obj = sb_addr_to_json((struct sockaddr *)&sun, offsetof(struct sockaddr_un, sun_path) + 4,
			      0, &err);
	ck_assert_ptr_nonnull(obj);
	ck_assert_str_eq(plain(obj), "{\"path\":\"/tmp\"}");
	json_object_put(obj);

	/* An abstract name with a NUL inside has no JSON form. */
	memcpy(sun.sun_path, "\0ab\0cd", 6);
	obj = sb_addr_to_json((struct sockaddr *)&sun, offsetof(struct sockaddr_un, sun_path) + 6,
			      0, &err);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(err.parameter, "abstract");

	/* Shorter than the family itself. */
	obj = sb_addr_to_json((struct sockaddr *)&sun, 1, 0, &err);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(err.parameter, "address");
	obj = sb_addr_to_json(NULL, 16, 0, &err);
	ck_assert_ptr_null(obj);
	obj = sb_addr_to_json((struct sockaddr *)&sun, sizeof(struct sockaddr_storage) + 1, 0,
			      &err);
	ck_assert_ptr_null(obj);
}
END_TEST

START_TEST(test_inet_json)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len;

	json_round_trip(AF_INET, 0, "{\"host\":\"127.0.0.1\",\"port\":80}",
			"{\"host\":\"127.0.0.1\",\"port\":80}");
	encode_json(AF_INET, 0, "{\"port\":8080,\"host\":\"10.1.2.3\"}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_int_eq(sin->sin_port, htons(8080));
	ck_assert_int_eq(sin->sin_addr.s_addr, htonl(0x0a010203));

	json_round_trip(AF_INET, 0, "{\"host\":\"\",\"port\":0}",
			"{\"host\":\"0.0.0.0\",\"port\":0}");
	json_round_trip(AF_INET, 0, "{\"host\":\"<broadcast>\",\"port\":9}",
			"{\"host\":\"255.255.255.255\",\"port\":9}");
	json_round_trip(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":65535}",
			"{\"host\":\"1.2.3.4\",\"port\":65535}");
}
END_TEST

START_TEST(test_inet_errors)
{
	json_fails(AF_INET, 0, "{\"host\":\"localhost\",\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3\",\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.256\",\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4.5\",\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":\"::1\",\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":\" 1.2.3.4\",\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":16909060,\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"port\":80}", "host");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\"}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":-1}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":65536}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":99999999999999999999999}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":\"80\"}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":80.5}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":true}", "port");
	json_fails(AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":80,\"scope_id\":0}", "scope_id");
	json_fails(AF_INET, 0, "42", "address");
}
END_TEST

/* JSON null is a NULL object in json-c. */
START_TEST(test_null_address)
{
	struct sockaddr_storage ss;
	struct sb_error err = {.name = NULL};
	socklen_t len;

	check_error(sb_addr_from_json(NULL, AF_INET, 0, &ss, &len, &err), &err, "null",
		    SB_ERR_INVALID_PARAMETER, EINVAL, "address");
	ck_assert_int_eq(sb_addr_from_json(NULL, AF_INET, 0, NULL, &len, NULL), -EINVAL);
}
END_TEST

START_TEST(test_inet_text)
{
	text_round_trip(AF_INET, 0, "127.0.0.1:80", "127.0.0.1:80");
	text_round_trip(AF_INET, 0, ":80", "0.0.0.0:80");
	text_round_trip(AF_INET, 0, "<broadcast>:9", "255.255.255.255:9");
	text_round_trip(AF_INET, 0, "1.2.3.4:0x50", "1.2.3.4:80");

	text_fails(AF_INET, 0, "127.0.0.1", "port");
	text_fails(AF_INET, 0, "127.0.0.1:", "port");
	text_fails(AF_INET, 0, "127.0.0.1:80:1", "address");
	text_fails(AF_INET, 0, "localhost:80", "host");
	text_fails(AF_INET, 0, "1.2.3:80", "host");
	text_fails(AF_INET, 0, "1.2.3.4:http", "port");
	text_fails(AF_INET, 0, "1.2.3.4:99999", "port");
	text_fails(AF_INET, 0, "1.2.3.4:-1", "port");
	text_fails(AF_INET, 0, "1.2.3.4:080", "port");
	text_fails(AF_INET, 0, "1.2.3.4:18446744073709551616", "port");
	text_fails(AF_INET, 0, "[1.2.3.4]:80", "host");
}
END_TEST

START_TEST(test_rds)
{
	struct sockaddr_storage ss;
	socklen_t len;

	/* RDS binds a struct sockaddr_in with family AF_INET. */
	encode_json(AF_RDS, 0, "{\"host\":\"127.0.0.1\",\"port\":4000}", &ss, &len);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in));
	json_round_trip(AF_RDS, 0, "{\"host\":\"127.0.0.1\",\"port\":4000}",
			"{\"host\":\"127.0.0.1\",\"port\":4000}");
	text_round_trip(AF_RDS, 0, "127.0.0.1:4000", "127.0.0.1:4000");
	json_fails(AF_RDS, 0, "{\"host\":\"127.0.0.1\"}", "port");
	ck_assert(sb_addr_family_supported(AF_RDS));
}
END_TEST

START_TEST(test_inet6_json)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	json_round_trip(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80}",
			"{\"host\":\"::1\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}");
	json_round_trip(AF_INET6, 0,
			"{\"host\":\"fe80::1\",\"port\":546,\"flowinfo\":5,\"scope_id\":\"lo\"}",
			"{\"host\":\"fe80::1\",\"port\":546,\"flowinfo\":5,\"scope_id\":\"lo\"}");
	encode_json(AF_INET6, 0,
		    "{\"host\":\"fe80::1\",\"port\":546,\"flowinfo\":5,\"scope_id\":\"lo\"}", &ss,
		    &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_uint_eq(sin6->sin6_scope_id, lo_index());
	ck_assert_uint_eq(sin6->sin6_flowinfo, htonl(5));
	ck_assert_uint_eq(sin6->sin6_port, htons(546));

	/* An index that names an interface comes back as its name; one that
	 * does not stays a number. */
	json_round_trip(AF_INET6, 0, "{\"host\":\"fe80::1\",\"port\":1,\"scope_id\":1}",
			"{\"host\":\"fe80::1\",\"port\":1,\"flowinfo\":0,\"scope_id\":\"lo\"}");
	json_round_trip(AF_INET6, 0, "{\"host\":\"fe80::1\",\"port\":1,\"scope_id\":999999}",
			"{\"host\":\"fe80::1\",\"port\":1,\"flowinfo\":0,\"scope_id\":999999}");
	json_round_trip(AF_INET6, 0, "{\"host\":\"\",\"port\":1}",
			"{\"host\":\"::\",\"port\":1,\"flowinfo\":0,\"scope_id\":0}");
	json_round_trip(
		AF_INET6, 0, "{\"host\":\"::ffff:1.2.3.4\",\"port\":1,\"flowinfo\":4294967295}",
		"{\"host\":\"::ffff:1.2.3.4\",\"port\":1,\"flowinfo\":4294967295,\"scope_id\":0}");
}
END_TEST

START_TEST(test_inet6_errors)
{
	json_fails(AF_INET6, 0, "{\"host\":\"127.0.0.1\",\"port\":80}", "host");
	json_fails(AF_INET6, 0, "{\"host\":\"localhost\",\"port\":80}", "host");
	json_fails(AF_INET6, 0, "{\"host\":\"fe80::1%lo\",\"port\":80}", "host");
	json_fails(AF_INET6, 0, "{\"host\":\"[::1]\",\"port\":80}", "host");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"flowinfo\":-1}", "flowinfo");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"flowinfo\":4294967296}",
		   "flowinfo");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"scope_id\":-1}", "scope_id");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"scope_id\":4294967296}",
		   "scope_id");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"scope_id\":true}", "scope_id");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"scope_id\":\"abcdefghijklmnopq\"}",
		   "scope_id");
	json_fails_with(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"scope_id\":\"nosuchif0\"}",
			ENODEV, "scope_id");
	json_fails(AF_INET6, 0, "{\"host\":\"::1\",\"port\":80,\"zone\":\"lo\"}", "zone");
}
END_TEST

START_TEST(test_inet6_text)
{
	text_round_trip(AF_INET6, 0, "[::1]:80", "[::1]:80");
	text_round_trip(AF_INET6, 0, "[fe80::1%lo]:80", "[fe80::1%lo]:80");
	text_round_trip(AF_INET6, 0, "[fe80::1%1]:80", "[fe80::1%lo]:80");
	text_round_trip(AF_INET6, 0, "[fe80::1%999999]:80", "[fe80::1%999999]:80");
	text_round_trip(AF_INET6, 0, "[::1]:80:7", "[::1]:80:7");
	text_round_trip(AF_INET6, 0, "[::1]:80:0", "[::1]:80");
	text_round_trip(AF_INET6, 0, "[]:53", "[::]:53");
	text_round_trip(AF_INET6, 0, "[2001:DB8::1]:443", "[2001:db8::1]:443");

	text_fails(AF_INET6, 0, "::1:80", "address");
	text_fails(AF_INET6, 0, "[::1", "address");
	text_fails(AF_INET6, 0, "[::1]", "port");
	text_fails(AF_INET6, 0, "[::1]80", "port");
	text_fails(AF_INET6, 0, "[::1]:", "port");
	text_fails(AF_INET6, 0, "[::1]:80:1:2", "address");
	text_fails(AF_INET6, 0, "[fe80::1%]:80", "scope_id");
	text_fails(AF_INET6, 0, "[localhost]:80", "host");
	text_fails_with(AF_INET6, 0, "[fe80::1%nosuchif0]:80", ENODEV, "scope_id");
}
END_TEST

START_TEST(test_netlink)
{
	struct sockaddr_storage ss;
	struct sockaddr_nl *snl = (struct sockaddr_nl *)&ss;
	socklen_t len;

	json_round_trip(AF_NETLINK, 0, "{\"pid\":0,\"groups\":1}", "{\"pid\":0,\"groups\":1}");
	json_round_trip(AF_NETLINK, 0, "{\"pid\":4294967295,\"groups\":4294967295}",
			"{\"pid\":4294967295,\"groups\":4294967295}");
	encode_json(AF_NETLINK, 0, "{\"pid\":42,\"groups\":5}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_nl));
	ck_assert_uint_eq(snl->nl_pid, 42);
	ck_assert_uint_eq(snl->nl_groups, 5);
	text_round_trip(AF_NETLINK, 0, "0:1", "0:1");
	text_round_trip(AF_NETLINK, 0, "0x10:0xff", "16:255");

	json_fails(AF_NETLINK, 0, "{\"pid\":-1,\"groups\":0}", "pid");
	json_fails(AF_NETLINK, 0, "{\"pid\":0,\"groups\":4294967296}", "groups");
	json_fails(AF_NETLINK, 0, "{\"pid\":0}", "groups");
	json_fails(AF_NETLINK, 0, "{\"pid\":0,\"groups\":0,\"port\":1}", "port");
	text_fails(AF_NETLINK, 0, "0", "groups");
	text_fails(AF_NETLINK, 0, "a:1", "pid");
	text_fails(AF_NETLINK, 0, "1:2:3", "address");
}
END_TEST

START_TEST(test_tipc)
{
	struct sockaddr_storage ss;
	struct sockaddr_tipc *st = (struct sockaddr_tipc *)&ss;
	socklen_t len;

	json_round_trip(
		AF_TIPC, 0,
		"{\"addr_type\":\"TIPC_ADDR_NAME\",\"v1\":1000,\"v2\":1,\"v3\":0,\"scope\":\"TIPC_CLUSTER_SCOPE\"}",
		"{\"addr_type\":\"TIPC_ADDR_NAME\",\"v1\":1000,\"v2\":1,\"v3\":0,\"scope\":\"TIPC_CLUSTER_SCOPE\"}");
	encode_json(AF_TIPC, 0,
		    "{\"addr_type\":\"TIPC_ADDR_NAMESEQ\",\"v1\":18888,\"v2\":17,\"v3\":19}", &ss,
		    &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_tipc));
	ck_assert_int_eq(st->addrtype, TIPC_ADDR_NAMESEQ);
	ck_assert_uint_eq(st->addr.nameseq.type, 18888);
	ck_assert_uint_eq(st->addr.nameseq.lower, 17);
	ck_assert_uint_eq(st->addr.nameseq.upper, 19);
	ck_assert_int_eq(st->scope, 0);
	encode_json(AF_TIPC, 0, "{\"addr_type\":3,\"v1\":16781313,\"v2\":7,\"v3\":0,\"scope\":3}",
		    &ss, &len);
	ck_assert_uint_eq(st->addr.id.node, 16781313);
	ck_assert_uint_eq(st->addr.id.ref, 7);
	ck_assert_int_eq(st->scope, TIPC_NODE_SCOPE);

	/* Newer aliases come back under the classic names. */
	json_round_trip(
		AF_TIPC, 0,
		"{\"addr_type\":\"TIPC_SERVICE_ADDR\",\"v1\":1,\"v2\":2,\"v3\":3,\"scope\":-2}",
		"{\"addr_type\":\"TIPC_ADDR_NAME\",\"v1\":1,\"v2\":2,\"v3\":3,\"scope\":-2}");

	text_round_trip(AF_TIPC, 0, "TIPC_ADDR_NAME:1000:1:0:TIPC_CLUSTER_SCOPE",
			"TIPC_ADDR_NAME:1000:1:0:TIPC_CLUSTER_SCOPE");
	text_round_trip(AF_TIPC, 0, "TIPC_ADDR_NAMESEQ:1:2:3", "TIPC_ADDR_NAMESEQ:1:2:3");
	text_round_trip(AF_TIPC, 0, "3:1:2:0:3", "TIPC_ADDR_ID:1:2:0:TIPC_NODE_SCOPE");
	text_round_trip(AF_TIPC, 0, "TIPC_ADDR_ID:1:2:0:-3", "TIPC_ADDR_ID:1:2:0:-3");

	json_fails(AF_TIPC, 0, "{\"addr_type\":\"TIPC_ZONE_SCOPE\",\"v1\":1,\"v2\":2,\"v3\":0}",
		   "addr_type");
	json_fails(AF_TIPC, 0, "{\"addr_type\":4,\"v1\":1,\"v2\":2,\"v3\":0}", "addr_type");
	json_fails(AF_TIPC, 0, "{\"addr_type\":0,\"v1\":1,\"v2\":2,\"v3\":0}", "addr_type");
	json_fails(AF_TIPC, 0, "{\"addr_type\":\"TIPC_ADDR_ID\",\"v1\":1,\"v2\":2,\"v3\":1}", "v3");
	json_fails(AF_TIPC, 0, "{\"addr_type\":\"TIPC_ADDR_ID\",\"v1\":-1,\"v2\":2,\"v3\":0}",
		   "v1");
	json_fails(AF_TIPC, 0, "{\"addr_type\":\"TIPC_ADDR_ID\",\"v1\":1,\"v3\":0}", "v2");
	json_fails(AF_TIPC, 0,
		   "{\"addr_type\":\"TIPC_ADDR_ID\",\"v1\":1,\"v2\":2,\"v3\":0,\"scope\":200}",
		   "scope");
	json_fails(
		AF_TIPC, 0,
		"{\"addr_type\":\"TIPC_ADDR_ID\",\"v1\":1,\"v2\":2,\"v3\":0,\"scope\":\"TIPC_ADDR_ID\"}",
		"scope");
	text_fails(AF_TIPC, 0, "TIPC_ADDR_NAME:1:2", "v3");
	text_fails(AF_TIPC, 0, "TIPC_ADDR_NAME:1:2:0:TIPC_NODE_SCOPE:9", "address");
	text_fails(AF_TIPC, 0, "TIPC_NOPE:1:2:0", "addr_type");
}
END_TEST

START_TEST(test_can_raw)
{
	struct sockaddr_storage ss;
	struct sockaddr_can *scan = (struct sockaddr_can *)&ss;
	socklen_t len;

	json_round_trip(AF_CAN, CAN_RAW, "{\"ifname\":\"lo\"}", "{\"ifname\":\"lo\"}");
	encode_json(AF_CAN, CAN_RAW, "{\"ifname\":\"lo\"}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_can));
	ck_assert_int_eq(scan->can_family, AF_CAN);
	ck_assert_int_eq(scan->can_ifindex, (int)lo_index());
	/* "" is every CAN interface; an index names one too. */
	json_round_trip(AF_CAN, CAN_RAW, "{\"ifname\":\"\"}", "{\"ifname\":\"\"}");
	json_round_trip(AF_CAN, CAN_BCM, "{\"ifname\":1}", "{\"ifname\":\"lo\"}");
	json_round_trip(AF_CAN, CAN_RAW, "{\"ifname\":999999}", "{\"ifname\":999999}");
	text_round_trip(AF_CAN, CAN_RAW, "lo", "lo");
	text_round_trip(AF_CAN, CAN_RAW, "", "");
	text_round_trip(AF_CAN, CAN_RAW, "1", "lo");
	text_round_trip(AF_CAN, CAN_BCM, "999999", "999999");

	json_fails(AF_CAN, CAN_RAW, "{}", "ifname");
	json_fails(AF_CAN, CAN_RAW, "{\"ifname\":\"abcdefghijklmnop\"}", "ifname");
	json_fails(AF_CAN, CAN_RAW, "{\"ifname\":-1}", "ifname");
	json_fails(AF_CAN, CAN_RAW, "{\"ifname\":2147483648}", "ifname");
	json_fails(AF_CAN, CAN_RAW, "{\"ifname\":\"lo\",\"rx_id\":1}", "rx_id");
	json_fails_with(AF_CAN, CAN_RAW, "{\"ifname\":\"nosuchcan0\"}", ENODEV, "ifname");
	text_fails_with(AF_CAN, CAN_RAW, "vcan-nope", ENODEV, "ifname");
	text_fails(AF_CAN, CAN_RAW, "lo:1", "address");
}
END_TEST

START_TEST(test_unknown_interface_message)
{
	json_object *obj = parse_json("{\"ifname\":\"nosuchcan0\"}");
	struct sockaddr_storage ss;
	struct sb_error err = {.name = NULL};
	socklen_t len;

	ck_assert_int_eq(sb_addr_from_json(obj, AF_CAN, CAN_RAW, &ss, &len, &err), -ENODEV);
	ck_assert_str_eq(err.name, SB_ERR_INVALID_PARAMETER);
	ck_assert_ptr_nonnull(strstr(err.message, "nosuchcan0"));
	json_object_put(obj);
}
END_TEST

START_TEST(test_can_isotp)
{
	struct sockaddr_storage ss;
	struct sockaddr_can *scan = (struct sockaddr_can *)&ss;
	socklen_t len;

	json_round_trip(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":291,\"tx_id\":801}",
			"{\"ifname\":\"lo\",\"rx_id\":291,\"tx_id\":801}");
	encode_json(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":291,\"tx_id\":801}", &ss,
		    &len);
	ck_assert_uint_eq(scan->can_addr.tp.rx_id, 0x123);
	ck_assert_uint_eq(scan->can_addr.tp.tx_id, 0x321);
	text_round_trip(AF_CAN, CAN_ISOTP, "lo:0x123:0x321", "lo:0x123:0x321");
	text_round_trip(AF_CAN, CAN_ISOTP, "lo:291:801", "lo:0x123:0x321");
	/* 29-bit ids carry CAN_EFF_FLAG. */
	text_round_trip(AF_CAN, CAN_ISOTP, "lo:0x9fffffff:0x80000000", "lo:0x9fffffff:0x80000000");
	text_round_trip(AF_CAN, CAN_ISOTP, "lo:0x7ff:0x0", "lo:0x7ff:0x0");

	json_fails(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":2048,\"tx_id\":1}", "rx_id");
	json_fails(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":1,\"tx_id\":3221225472}",
		   "tx_id"); /* RTR flag */
	json_fails(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":2684354560,\"tx_id\":1}",
		   "rx_id"); /* error flag */
	json_fails(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":-1,\"tx_id\":1}", "rx_id");
	json_fails(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":1,\"tx_id\":4294967296}",
		   "tx_id");
	json_fails(AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":1}", "tx_id");
	text_fails(AF_CAN, CAN_ISOTP, "lo:0x123", "tx_id");
	text_fails(AF_CAN, CAN_ISOTP, "lo:0x800:0x1", "rx_id");
	text_fails(AF_CAN, CAN_ISOTP, "lo:0x12g:0x1", "rx_id");
}
END_TEST

START_TEST(test_can_j1939)
{
	struct sockaddr_storage ss;
	struct sockaddr_can *scan = (struct sockaddr_can *)&ss;
	socklen_t len;

	json_round_trip(AF_CAN, CAN_J1939,
			"{\"ifname\":\"lo\",\"name\":0,\"pgn\":61440,\"addr\":32}",
			"{\"ifname\":\"lo\",\"name\":0,\"pgn\":61440,\"addr\":32}");
	text_round_trip(AF_CAN, CAN_J1939, "lo:0x0:0xf000:0x20", "lo:0x0:0xf000:0x20");
	/* NAMEs use all 64 bits. */
	json_round_trip(
		AF_CAN, CAN_J1939,
		"{\"ifname\":\"lo\",\"name\":9223372036854775809,\"pgn\":262144,\"addr\":255}",
		"{\"ifname\":\"lo\",\"name\":9223372036854775809,\"pgn\":262144,\"addr\":255}");
	text_round_trip(AF_CAN, CAN_J1939, "lo:0xa00082001c00ffff:0x40000:0xff",
			"lo:0xa00082001c00ffff:0x40000:0xff");
	encode_json(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":5,\"pgn\":61440,\"addr\":32}",
		    &ss, &len);
	ck_assert_uint_eq(scan->can_addr.j1939.name, 5);
	ck_assert_uint_eq(scan->can_addr.j1939.pgn, 0xf000);
	ck_assert_uint_eq(scan->can_addr.j1939.addr, 0x20);

	json_fails(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":0,\"pgn\":262145,\"addr\":1}",
		   "pgn");
	json_fails(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":0,\"pgn\":0,\"addr\":256}",
		   "addr");
	json_fails(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":-1,\"pgn\":0,\"addr\":1}",
		   "name");
	json_fails(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":1.5,\"pgn\":0,\"addr\":1}",
		   "name");
	json_fails(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":\"0\",\"pgn\":0,\"addr\":1}",
		   "name");
	json_fails(AF_CAN, CAN_J1939,
		   "{\"ifname\":\"lo\",\"name\":99999999999999999999999,\"pgn\":0,\"addr\":1}",
		   "name");
	json_fails(AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"pgn\":0,\"addr\":1}", "name");
	text_fails(AF_CAN, CAN_J1939, "lo:0x0:0xf000", "addr");
	text_fails(AF_CAN, CAN_J1939, "lo:0x10000000000000000:0x0:0x1", "name");
}
END_TEST

START_TEST(test_packet_json)
{
	struct sockaddr_storage ss;
	struct sockaddr_ll *sll = (struct sockaddr_ll *)&ss;
	socklen_t len;

	json_round_trip(
		AF_PACKET, 0,
		"{\"ifname\":\"lo\",\"protocol\":\"ETH_P_ALL\",\"pkttype\":0,\"hatype\":0,\"addr\":\"00:11:22:33:44:55\"}",
		"{\"ifname\":\"lo\",\"protocol\":\"ETH_P_ALL\",\"pkttype\":0,\"hatype\":0,\"addr\":\"00:11:22:33:44:55\"}");
	encode_json(
		AF_PACKET, 0,
		"{\"ifname\":\"lo\",\"protocol\":\"ETH_P_IP\",\"pkttype\":\"PACKET_OUTGOING\",\"hatype\":772,\"addr\":\"AA:bb:cc:dd:ee:ff:00:01\"}",
		&ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_ll));
	ck_assert_int_eq(sll->sll_family, AF_PACKET);
	ck_assert_int_eq(sll->sll_ifindex, (int)lo_index());
	ck_assert_uint_eq(sll->sll_protocol, htons(ETH_P_IP));
	ck_assert_uint_eq(sll->sll_pkttype, PACKET_OUTGOING);
	ck_assert_uint_eq(sll->sll_hatype, 772);
	ck_assert_uint_eq(sll->sll_halen, 8);
	ck_assert_mem_eq(sll->sll_addr, "\xaa\xbb\xcc\xdd\xee\xff\x00\x01", 8);

	/* Only ifname is needed; numbers are network byte order. */
	json_round_trip(
		AF_PACKET, 0, "{\"ifname\":\"lo\"}",
		"{\"ifname\":\"lo\",\"protocol\":0,\"pkttype\":0,\"hatype\":0,\"addr\":\"\"}");
	json_round_trip(
		AF_PACKET, 0, "{\"ifname\":\"lo\",\"protocol\":768}",
		"{\"ifname\":\"lo\",\"protocol\":\"ETH_P_ALL\",\"pkttype\":0,\"hatype\":0,\"addr\":\"\"}");
	json_round_trip(
		AF_PACKET, 0, "{\"ifname\":\"lo\",\"protocol\":4660}",
		"{\"ifname\":\"lo\",\"protocol\":4660,\"pkttype\":0,\"hatype\":0,\"addr\":\"\"}");
	json_round_trip(
		AF_PACKET, 0, "{\"ifname\":\"\",\"protocol\":\"ETH_P_ARP\"}",
		"{\"ifname\":\"\",\"protocol\":\"ETH_P_ARP\",\"pkttype\":0,\"hatype\":0,\"addr\":\"\"}");
}
END_TEST

START_TEST(test_packet_errors)
{
	json_fails(AF_PACKET, 0, "{}", "ifname");
	json_fails(AF_PACKET, 0, "{\"protocol\":\"ETH_P_ALL\"}", "ifname");
	json_fails_with(AF_PACKET, 0, "{\"ifname\":\"nosuchif0\"}", ENODEV, "ifname");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"protocol\":\"ETH_P_NOPE\"}", "protocol");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"protocol\":\"IPPROTO_TCP\"}", "protocol");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"protocol\":65536}", "protocol");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"protocol\":-3}", "protocol");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"pkttype\":256}", "pkttype");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"pkttype\":\"PACKET_RX_RING\"}", "pkttype");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"hatype\":-1}", "hatype");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"hatype\":65536}", "hatype");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"00:11:22:33:44:55:66:77:88\"}",
		   "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"00:11:2\"}", "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"0:11\"}", "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"00-11\"}", "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"00:11:\"}", "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"zz\"}", "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\" 0:11\"}", "addr");
	json_fails(AF_PACKET, 0, "{\"ifname\":\"lo\",\"proto\":3}", "proto");
}
END_TEST

START_TEST(test_packet_text)
{
	text_round_trip(AF_PACKET, 0, "lo", "lo");
	text_round_trip(AF_PACKET, 0, "lo:ETH_P_IP", "lo:ETH_P_IP");
	text_round_trip(AF_PACKET, 0, "lo:ETH_P_ALL:0:0:00:11:22:33:44:55",
			"lo:ETH_P_ALL:0:0:00:11:22:33:44:55");
	text_round_trip(AF_PACKET, 0, "lo:768", "lo:ETH_P_ALL");
	text_round_trip(AF_PACKET, 0, "lo:ETH_P_ALL:0:0", "lo:ETH_P_ALL");
	text_round_trip(AF_PACKET, 0, "lo:ETH_P_ALL:PACKET_OUTGOING", "lo:ETH_P_ALL:4");
	text_round_trip(AF_PACKET, 0, "lo:0:0:0:AA:BB", "lo:0:0:0:aa:bb");
	text_round_trip(AF_PACKET, 0, "1:0x1234", "lo:4660");

	text_fails(AF_PACKET, 0, "lo:", "protocol");
	text_fails(AF_PACKET, 0, "lo:ETH_P_NOPE", "protocol");
	text_fails(AF_PACKET, 0, "lo:ETH_P_ALL:0:0:zz", "addr");
	text_fails(AF_PACKET, 0, "lo:ETH_P_ALL:0:x", "hatype");
	text_fails_with(AF_PACKET, 0, "nosuchif0:ETH_P_ALL", ENODEV, "ifname");
}
END_TEST

START_TEST(test_alg)
{
	struct sockaddr_storage ss;
	struct sockaddr_alg *salg = (struct sockaddr_alg *)&ss;
	char json[300];
	socklen_t len;

	json_round_trip(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha256\"}",
			"{\"type\":\"hash\",\"name\":\"sha256\",\"feat\":0,\"mask\":0}");
	encode_json(AF_ALG, 0,
		    "{\"type\":\"skcipher\",\"name\":\"cbc(aes)\",\"feat\":1,\"mask\":2}", &ss,
		    &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_alg));
	ck_assert_str_eq((char *)salg->salg_type, "skcipher");
	ck_assert_str_eq((char *)salg->salg_name, "cbc(aes)");
	ck_assert_uint_eq(salg->salg_feat, 1);
	ck_assert_uint_eq(salg->salg_mask, 2);

	text_round_trip(AF_ALG, 0, "hash:sha256", "hash:sha256");
	text_round_trip(AF_ALG, 0, "skcipher:cbc(aes):0:0", "skcipher:cbc(aes)");
	text_round_trip(AF_ALG, 0, "aead:gcm(aes):1:4294967295", "aead:gcm(aes):1:4294967295");
	text_round_trip(AF_ALG, 0, "aead:authenc(hmac(sha256),cbc(aes)):5",
			"aead:authenc(hmac(sha256),cbc(aes)):5");

	/* Type: 13 bytes fit (the kernel forces a NUL into the 14th);
	 * name: 63 bytes fit. */
	json_round_trip(AF_ALG, 0, "{\"type\":\"abcdefghijklm\",\"name\":\"x\"}",
			"{\"type\":\"abcdefghijklm\",\"name\":\"x\",\"feat\":0,\"mask\":0}");
	json_fails(AF_ALG, 0, "{\"type\":\"abcdefghijklmn\",\"name\":\"x\"}", "type");
	snprintf(json, sizeof(json), "{\"type\":\"hash\",\"name\":\"%.63s\"}",
		 "0123456789012345678901234567890123456789012345678901234567890123456789");
	encode_json(AF_ALG, 0, json, &ss, &len);
	snprintf(json, sizeof(json), "{\"type\":\"hash\",\"name\":\"%.64s\"}",
		 "0123456789012345678901234567890123456789012345678901234567890123456789");
	json_fails(AF_ALG, 0, json, "name");

	json_fails(AF_ALG, 0, "{\"type\":\"\",\"name\":\"sha256\"}", "type");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"\"}", "name");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha:256\"}", "name");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha 256\"}", "name");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha256\",\"feat\":-1}", "feat");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha256\",\"mask\":4294967296}",
		   "mask");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\"}", "name");
	json_fails(AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha256\",\"flags\":0}", "flags");
	text_fails(AF_ALG, 0, "hash", "name");
	text_fails(AF_ALG, 0, "hash:sha256:0:0:0", "address");
	text_fails(AF_ALG, 0, "hash:sha256:x", "feat");
}
END_TEST

START_TEST(test_alg_decode)
{
	struct sockaddr_alg salg = {.salg_family = AF_ALG};
	struct sb_error err = {.name = NULL};
	json_object *obj;

	memcpy(salg.salg_type, "hash", 4);
	memset(salg.salg_name, 'a', sizeof(salg.salg_name));
	obj = sb_addr_to_json((struct sockaddr *)&salg, sizeof(salg), 0, &err);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(err.parameter, "name");
	memset(salg.salg_type, 'b', sizeof(salg.salg_type));
	obj = sb_addr_to_json((struct sockaddr *)&salg, sizeof(salg), 0, &err);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(err.parameter, "type");
}
END_TEST

START_TEST(test_vsock)
{
	struct sockaddr_storage ss;
	struct sockaddr_vm *svm = (struct sockaddr_vm *)&ss;
	socklen_t len;

	json_round_trip(AF_VSOCK, 0, "{\"cid\":2,\"port\":1234}", "{\"cid\":2,\"port\":1234}");
	encode_json(AF_VSOCK, 0, "{\"cid\":4294967295,\"port\":4294967295}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_vm));
	ck_assert_uint_eq(svm->svm_cid, VMADDR_CID_ANY);
	ck_assert_uint_eq(svm->svm_port, VMADDR_PORT_ANY);
	text_round_trip(AF_VSOCK, 0, "2:1234", "2:1234");
	text_round_trip(AF_VSOCK, 0, "4294967295:1023", "4294967295:1023");
#ifdef VMADDR_FLAG_TO_HOST
	json_round_trip(AF_VSOCK, 0, "{\"cid\":3,\"port\":5,\"flags\":1}",
			"{\"cid\":3,\"port\":5,\"flags\":1}");
	text_round_trip(AF_VSOCK, 0, "3:5:1", "3:5:1");
	text_round_trip(AF_VSOCK, 0, "3:5:0", "3:5");
	json_fails(AF_VSOCK, 0, "{\"cid\":3,\"port\":5,\"flags\":256}", "flags");
#endif
	json_fails(AF_VSOCK, 0, "{\"cid\":-1,\"port\":5}", "cid");
	json_fails(AF_VSOCK, 0, "{\"cid\":4294967296,\"port\":5}", "cid");
	json_fails(AF_VSOCK, 0, "{\"cid\":2,\"port\":4294967296}", "port");
	json_fails(AF_VSOCK, 0, "{\"cid\":2}", "port");
	text_fails(AF_VSOCK, 0, "2", "port");
	text_fails(AF_VSOCK, 0, "host:1", "cid");
}
END_TEST

/* The special context ids and port by name, in both syntaxes; written
 * back as numbers. A name of the other key's kind is refused. */
START_TEST(test_vsock_names)
{
	struct sockaddr_storage ss;
	struct sockaddr_vm *svm = (struct sockaddr_vm *)&ss;
	socklen_t len;

	encode_json(AF_VSOCK, 0, "{\"cid\":\"VMADDR_CID_ANY\",\"port\":\"VMADDR_PORT_ANY\"}", &ss,
		    &len);
	ck_assert_uint_eq(svm->svm_cid, VMADDR_CID_ANY);
	ck_assert_uint_eq(svm->svm_port, VMADDR_PORT_ANY);
	json_round_trip(AF_VSOCK, 0, "{\"cid\":\"VMADDR_CID_LOCAL\",\"port\":1001}",
			"{\"cid\":1,\"port\":1001}");
	json_round_trip(AF_VSOCK, 0, "{\"cid\":\"VMADDR_CID_HOST\",\"port\":22}",
			"{\"cid\":2,\"port\":22}");
	json_round_trip(AF_VSOCK, 0, "{\"cid\":\"VMADDR_CID_HYPERVISOR\",\"port\":22}",
			"{\"cid\":0,\"port\":22}");
	text_round_trip(AF_VSOCK, 0, "VMADDR_CID_ANY:1001", "4294967295:1001");
	text_round_trip(AF_VSOCK, 0, "VMADDR_CID_LOCAL:VMADDR_PORT_ANY", "1:4294967295");
	json_fails(AF_VSOCK, 0, "{\"cid\":\"VMADDR_PORT_ANY\",\"port\":1}", "cid");
	json_fails(AF_VSOCK, 0, "{\"cid\":1,\"port\":\"VMADDR_CID_ANY\"}", "port");
	text_fails(AF_VSOCK, 0, "VMADDR_CID_NONE:1", "cid");
	text_fails(AF_VSOCK, 0, "AF_INET:1", "cid");
}
END_TEST

#ifdef HAVE_LINUX_QRTR_H
START_TEST(test_qrtr)
{
	struct sockaddr_storage ss;
	struct sockaddr_qrtr *sq = (struct sockaddr_qrtr *)&ss;
	struct sockaddr_qrtr in = {.sq_family = AF_QIPCRTR, .sq_node = 7, .sq_port = 1000};
	char text[64];
	socklen_t len;

	encode_json(AF_QIPCRTR, 0, "{\"node\":1,\"port\":1000}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_qrtr));
	ck_assert_int_eq(sq->sq_family, AF_QIPCRTR);
	ck_assert_uint_eq(sq->sq_node, 1);
	ck_assert_uint_eq(sq->sq_port, 1000);
	json_round_trip(AF_QIPCRTR, 0, "{\"node\":1,\"port\":1000}", "{\"node\":1,\"port\":1000}");
	json_round_trip(AF_QIPCRTR, 0, "{\"node\":\"QRTR_NODE_BCAST\",\"port\":\"QRTR_PORT_CTRL\"}",
			"{\"node\":4294967295,\"port\":4294967294}");
	text_round_trip(AF_QIPCRTR, 0, "1:1000", "1:1000");
	text_round_trip(AF_QIPCRTR, 0, "QRTR_NODE_BCAST:QRTR_PORT_CTRL", "4294967295:4294967294");
	ck_assert_int_eq(sb_addr_to_text(SA(&in), sizeof(in), 0, text, sizeof(text), NULL), 0);
	ck_assert_str_eq(text, "7:1000");
	json_fails(AF_QIPCRTR, 0, "{\"node\":1}", "port");
	json_fails(AF_QIPCRTR, 0, "{\"node\":1,\"port\":4294967296}", "port");
	json_fails(AF_QIPCRTR, 0, "{\"node\":-1,\"port\":1}", "node");
	json_fails(AF_QIPCRTR, 0, "{\"node\":\"QRTR_PORT_CTRL\",\"port\":1}", "node");
	json_fails(AF_QIPCRTR, 0, "{\"node\":1,\"port\":1,\"cid\":1}", "cid");
	text_fails(AF_QIPCRTR, 0, "1", "port");
	text_fails(AF_QIPCRTR, 0, "1:2:3", "address");
	ck_assert(sb_addr_family_supported(AF_QIPCRTR));
	/* Truncated: the port is missing. */
	ck_assert_ptr_null(
		sb_addr_to_json(SA(&in), offsetof(struct sockaddr_qrtr, sq_port), 0, NULL));
}
END_TEST
#endif

START_TEST(test_bluetooth)
{
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	struct sockaddr_storage ss;
	struct sockaddr_l2 *sl2 = (struct sockaddr_l2 *)&ss;
	struct sockaddr_rc *src = (struct sockaddr_rc *)&ss;
	struct sockaddr_hci *shci = (struct sockaddr_hci *)&ss;
	socklen_t len;

	json_round_trip(AF_BLUETOOTH, BTPROTO_L2CAP, "{\"bdaddr\":\"00:11:22:33:44:55\",\"psm\":1}",
			"{\"bdaddr\":\"00:11:22:33:44:55\",\"psm\":1}");
	encode_json(AF_BLUETOOTH, BTPROTO_L2CAP, "{\"bdaddr\":\"00:11:22:33:44:55\",\"psm\":4097}",
		    &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_l2));
	/* bdaddr_t holds the least significant byte first. */
	ck_assert_uint_eq(sl2->l2_bdaddr.b[0], 0x55);
	ck_assert_uint_eq(sl2->l2_bdaddr.b[5], 0x00);
	ck_assert_uint_eq(sl2->l2_psm, htole16(4097));
	json_round_trip(AF_BLUETOOTH, BTPROTO_L2CAP,
			"{\"bdaddr\":\"aa:bb:cc:dd:ee:ff\",\"psm\":0,\"cid\":4,\"bdaddr_type\":1}",
			"{\"bdaddr\":\"AA:BB:CC:DD:EE:FF\",\"psm\":0,\"cid\":4,\"bdaddr_type\":1}");
	text_round_trip(AF_BLUETOOTH, BTPROTO_L2CAP, "00:11:22:33:44:55:1", "00:11:22:33:44:55:1");
	text_round_trip(AF_BLUETOOTH, BTPROTO_L2CAP, "aa:bb:cc:dd:ee:ff:0:4:1",
			"AA:BB:CC:DD:EE:FF:0:4:1");

	json_round_trip(AF_BLUETOOTH, BTPROTO_RFCOMM,
			"{\"bdaddr\":\"00:11:22:33:44:55\",\"channel\":1}",
			"{\"bdaddr\":\"00:11:22:33:44:55\",\"channel\":1}");
	encode_json(AF_BLUETOOTH, BTPROTO_RFCOMM,
		    "{\"bdaddr\":\"00:11:22:33:44:55\",\"channel\":30}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_rc));
	ck_assert_uint_eq(src->rc_channel, 30);
	text_round_trip(AF_BLUETOOTH, BTPROTO_RFCOMM, "00:11:22:33:44:55:1", "00:11:22:33:44:55:1");

	json_round_trip(AF_BLUETOOTH, BTPROTO_HCI, "{\"dev\":0}", "{\"dev\":0}");
	encode_json(AF_BLUETOOTH, BTPROTO_HCI, "{\"dev\":65535,\"channel\":3}", &ss, &len);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_hci));
	ck_assert_uint_eq(shci->hci_dev, HCI_DEV_NONE);
	ck_assert_uint_eq(shci->hci_channel, HCI_CHANNEL_CONTROL);
	text_round_trip(AF_BLUETOOTH, BTPROTO_HCI, "0", "0");
	text_round_trip(AF_BLUETOOTH, BTPROTO_HCI, "65535:3", "65535:3");

	json_round_trip(AF_BLUETOOTH, BTPROTO_SCO, "{\"bdaddr\":\"00:11:22:33:44:55\"}",
			"{\"bdaddr\":\"00:11:22:33:44:55\"}");
	text_round_trip(AF_BLUETOOTH, BTPROTO_SCO, "12:23:34:45:56:67", "12:23:34:45:56:67");

	json_fails(AF_BLUETOOTH, BTPROTO_L2CAP, "{\"bdaddr\":\"00:11:22:33:44\",\"psm\":1}",
		   "bdaddr");
	json_fails(AF_BLUETOOTH, BTPROTO_L2CAP, "{\"bdaddr\":\"00:11:22:33:44:5g\",\"psm\":1}",
		   "bdaddr");
	json_fails(AF_BLUETOOTH, BTPROTO_L2CAP, "{\"bdaddr\":\"00:11:22:33:44:55\",\"psm\":65536}",
		   "psm");
	json_fails(AF_BLUETOOTH, BTPROTO_L2CAP, "{\"bdaddr\":\"00:11:22:33:44:55\"}", "psm");
	json_fails(AF_BLUETOOTH, BTPROTO_RFCOMM,
		   "{\"bdaddr\":\"00:11:22:33:44:55\",\"channel\":256}", "channel");
	json_fails(AF_BLUETOOTH, BTPROTO_RFCOMM, "{\"bdaddr\":\"00:11:22:33:44:55\",\"psm\":1}",
		   "psm");
	json_fails(AF_BLUETOOTH, BTPROTO_HCI, "{\"dev\":-1}", "dev");
	json_fails(AF_BLUETOOTH, BTPROTO_SCO, "{\"bdaddr\":\"001122334455\"}", "bdaddr");
	text_fails(AF_BLUETOOTH, BTPROTO_L2CAP, "00:11:22:33:44:55", "psm");
	text_fails(AF_BLUETOOTH, BTPROTO_SCO, "00:11:22:33:44:55:1", "address");
#else
	SB_SKIP("built without bluetooth/bluetooth.h (install libbluetooth-dev)");
#endif
}
END_TEST

START_TEST(test_truncated_sockaddrs)
{
	static const struct {
		int family, protocol;
		const char *json;
	} cases[] = {
		{AF_INET, 0, "{\"host\":\"1.2.3.4\",\"port\":1}"},
		{AF_INET6, 0, "{\"host\":\"::1\",\"port\":1}"},
		{AF_NETLINK, 0, "{\"pid\":1,\"groups\":1}"},
		{AF_TIPC, 0, "{\"addr_type\":2,\"v1\":1,\"v2\":1,\"v3\":0}"},
		{AF_CAN, CAN_RAW, "{\"ifname\":\"lo\"}"},
		{AF_CAN, CAN_ISOTP, "{\"ifname\":\"lo\",\"rx_id\":1,\"tx_id\":2}"},
		{AF_CAN, CAN_J1939, "{\"ifname\":\"lo\",\"name\":1,\"pgn\":1,\"addr\":1}"},
		{AF_PACKET, 0, "{\"ifname\":\"lo\",\"addr\":\"00:11:22:33:44:55\"}"},
		{AF_ALG, 0, "{\"type\":\"hash\",\"name\":\"sha1\"}"},
		{AF_VSOCK, 0, "{\"cid\":1,\"port\":1}"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct sockaddr_storage ss;
		struct sb_error err = {.name = NULL};
		socklen_t len, need;
		json_object *obj;

		encode_json(cases[i].family, cases[i].protocol, cases[i].json, &ss, &len);
		need = len;
		/* What the kernel reports for these families is shorter than
		 * what bind() takes. */
		if (cases[i].family == AF_PACKET)
			need = offsetof(struct sockaddr_ll, sll_addr) + 6;
		else if (cases[i].family == AF_CAN && cases[i].protocol == CAN_RAW)
			need = offsetof(struct sockaddr_can, can_addr);
		else if (cases[i].family == AF_CAN && cases[i].protocol == CAN_ISOTP)
			need = offsetof(struct sockaddr_can, can_addr) + 8;
		obj = sb_addr_to_json(SA(&ss), need, cases[i].protocol, &err);
		ck_assert_msg(obj, "%s at %u bytes: %s", cases[i].json, (unsigned)need,
			      err.message);
		json_object_put(obj);
		decode_fails(&ss, need - 1, cases[i].protocol, "address");
		decode_fails(&ss, sizeof(sa_family_t) + 1, cases[i].protocol, "address");
	}
}
END_TEST

START_TEST(test_packet_decode_halen)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = 1, .sll_halen = 9};
	struct sb_error err = {.name = NULL};

	ck_assert_ptr_null(sb_addr_to_json((struct sockaddr *)&sll, sizeof(sll), 0, &err));
	ck_assert_str_eq(err.parameter, "addr");
	sll.sll_halen = 2;
	sll.sll_ifindex = -4;
	ck_assert_ptr_null(sb_addr_to_json((struct sockaddr *)&sll, sizeof(sll), 0, &err));
	ck_assert_str_eq(err.parameter, "ifname");
}
END_TEST

START_TEST(test_unsupported_families)
{
	struct sockaddr_storage ss = {.ss_family = AF_APPLETALK};
	struct sb_error err = {.name = NULL};
	json_object *obj = parse_json("{}");
	socklen_t len;
	char buf[64];

	ck_assert_int_eq(sb_addr_from_json(obj, AF_IPX, 0, &ss, &len, &err), -EAFNOSUPPORT);
	ck_assert_str_eq(err.name, SB_ERR_NOT_SUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.message, "AF_IPX"));
	ck_assert_int_eq(sb_addr_from_text("x", 4242, 0, &ss, &len, &err), -EAFNOSUPPORT);
	ck_assert_ptr_null(sb_addr_to_json(SA(&ss), sizeof(ss), 0, &err));
	ck_assert_int_eq(err.errnum, EAFNOSUPPORT);
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), sizeof(ss), 0, buf, sizeof(buf), NULL),
			 -EAFNOSUPPORT);
	json_object_put(obj);

	ck_assert(sb_addr_family_supported(AF_UNIX));
	ck_assert(sb_addr_family_supported(AF_INET6));
	ck_assert(sb_addr_family_supported(AF_PACKET));
	ck_assert(sb_addr_family_supported(AF_CAN));
	ck_assert(sb_addr_family_supported(AF_ALG));
	ck_assert(sb_addr_family_supported(AF_TIPC));
	ck_assert(!sb_addr_family_supported(AF_IPX));
	ck_assert(!sb_addr_family_supported(AF_UNSPEC));
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	ck_assert(sb_addr_family_supported(AF_BLUETOOTH));
	obj = parse_json("{}");
	ck_assert_int_eq(sb_addr_from_json(obj, AF_BLUETOOTH, BTPROTO_BNEP, &ss, &len, &err),
			 -EAFNOSUPPORT);
	json_object_put(obj);
#endif
}
END_TEST

START_TEST(test_to_text_buffer)
{
	struct sockaddr_storage ss;
	char buf[64];
	socklen_t len;

	encode_json(AF_INET, 0, "{\"host\":\"127.0.0.1\",\"port\":80}", &ss, &len);
	/* "127.0.0.1:80" is 12 bytes and its NUL. */
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, 13, NULL), 0);
	ck_assert_str_eq(buf, "127.0.0.1:80");
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, 12, NULL), -ENOSPC);
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, 1, NULL), -ENOSPC);
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, 0, NULL), -ENOSPC);
	encode_json(AF_INET6, 0, "{\"host\":\"fe80::1\",\"port\":80,\"scope_id\":\"lo\"}", &ss,
		    &len);
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, 16, NULL), 0);
	ck_assert_str_eq(buf, "[fe80::1%lo]:80");
	ck_assert_int_eq(sb_addr_to_text(SA(&ss), len, 0, buf, 15, NULL), -ENOSPC);
}
END_TEST

/* AF_INET is written without the JSON detour the other families take;
 * AF_RDS, whose address is the same sockaddr_in, still takes it: both
 * must give inet_ntop()'s host and the port, and read back the same. */
START_TEST(test_inet_text_as_the_general_form)
{
	static const char *const hosts[] = {"0.0.0.0",	 "1.2.3.4",	  "10.0.0.255",
					    "127.0.0.1", "192.168.100.7", "255.255.255.255"};
	static const unsigned ports[] = {0, 1, 80, 1023, 65535};

	for (size_t h = 0; h < ELEMENTSOF(hosts); h++)
		for (size_t p = 0; p < ELEMENTSOF(ports); p++) {
			struct sockaddr_in sin = {.sin_family = AF_INET,
						  .sin_port = htons(ports[p])};
			struct sockaddr_storage back;
			char want[64], text[64], rds[64];
			socklen_t len;

			ck_assert_int_eq(inet_pton(AF_INET, hosts[h], &sin.sin_addr), 1);
			snprintf(want, sizeof(want), "%s:%u", hosts[h], ports[p]);
			ck_assert_int_eq(
				sb_addr_to_text(SA(&sin), sizeof(sin), 0, text, sizeof(text), NULL),
				0);
			ck_assert_str_eq(text, want);
			sin.sin_family = AF_RDS;
			ck_assert_int_eq(
				sb_addr_to_text(SA(&sin), sizeof(sin), 0, rds, sizeof(rds), NULL),
				0);
			ck_assert_str_eq(rds, want);
			ck_assert_int_eq(sb_addr_from_text(text, AF_INET, 0, &back, &len, NULL), 0);
			sin.sin_family = AF_INET;
			ck_assert_uint_eq(len, sizeof(sin));
			ck_assert_mem_eq(&back, &sin, sizeof(sin));
		}
}
END_TEST

START_TEST(test_text_limits)
{
	char text[400];
	struct sockaddr_storage ss;
	socklen_t len;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	text_fails(AF_UNIX, 0, text, "address");
	/* sun_path holds 108 bytes. */
	text[109] = '\0';
	text_fails(AF_UNIX, 0, text, "path");
	text[108] = '\0';
	text_round_trip(AF_UNIX, 0, text, text);
	ck_assert_int_eq(sb_addr_from_text(NULL, AF_INET, 0, &ss, &len, NULL), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("addr");

	SB_TEST(s, test_unix_json);
	SB_TEST(s, test_unix_errors);
	SB_TEST(s, test_unix_text);
	SB_TEST(s, test_unix_decode);
	SB_TEST(s, test_inet_json);
	SB_TEST(s, test_inet_errors);
	SB_TEST(s, test_null_address);
	SB_TEST(s, test_inet_text);
	SB_TEST(s, test_rds);
	SB_TEST(s, test_inet6_json);
	SB_TEST(s, test_inet6_errors);
	SB_TEST(s, test_inet6_text);
	SB_TEST(s, test_netlink);
	SB_TEST(s, test_tipc);
	SB_TEST(s, test_can_raw);
	SB_TEST(s, test_unknown_interface_message);
	SB_TEST(s, test_can_isotp);
	SB_TEST(s, test_can_j1939);
	SB_TEST(s, test_packet_json);
	SB_TEST(s, test_packet_errors);
	SB_TEST(s, test_packet_text);
	SB_TEST(s, test_alg);
	SB_TEST(s, test_alg_decode);
	SB_TEST(s, test_vsock);
	SB_TEST(s, test_vsock_names);
#ifdef HAVE_LINUX_QRTR_H
	SB_TEST(s, test_qrtr);
#endif
	SB_TEST(s, test_bluetooth);
	SB_TEST(s, test_truncated_sockaddrs);
	SB_TEST(s, test_packet_decode_halen);
	SB_TEST(s, test_unsupported_families);
	SB_TEST(s, test_to_text_buffer);
	SB_TEST(s, test_inet_text_as_the_general_form);
	SB_TEST(s, test_text_limits);
	return sb_test_run(s);
}
