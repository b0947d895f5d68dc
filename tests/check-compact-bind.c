/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Bind call and reply (proto/compact-bind.c): each is byte for
 * byte what the general writers (message.c, addr.c) make of the same
 * address, the general parser and the compact readers read back the
 * address it was made from, and the readers decline every other form. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "proto/addr.h"
#include "proto/compact-bind.h"
#include "proto/json-util.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/testlib.h"

static const char *const hosts4[] = {"0.0.0.0", "127.0.0.1", "10.1.2.3", "255.255.255.255"};
static const char *const hosts6[] = {"::",
				     "::1",
				     "fe80::1",
				     "2001:db8::ff00:42:8329",
				     "::ffff:192.0.2.1",
				     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
static const unsigned ports[] = {0, 1, 80, 1023, 65535};

/* Every address the forms cover, one at a time: i from 0 until false. */
static bool address(size_t i, struct sockaddr_storage *ss, socklen_t *len)
{
	size_t n4 = ELEMENTSOF(hosts4) * ELEMENTSOF(ports);
	size_t n6 = ELEMENTSOF(hosts6) * ELEMENTSOF(ports) * 2;

	memset(ss, 0, sizeof(*ss));
	if (i < n4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, hosts4[i / ELEMENTSOF(ports)], &sin->sin_addr),
				 1);
		sin->sin_port = htons(ports[i % ELEMENTSOF(ports)]);
		*len = sizeof(*sin);
		return true;
	}
	i -= n4;
	if (i < n6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(
			inet_pton(AF_INET6, hosts6[i / 2 / ELEMENTSOF(ports)], &sin6->sin6_addr),
			1);
		sin6->sin6_port = htons(ports[i / 2 % ELEMENTSOF(ports)]);
		sin6->sin6_flowinfo = htonl(i % 2 ? 0xfffff : 0);
		*len = sizeof(*sin6);
		return true;
	}
	return false;
}

/* What the general writers make of the call and the reply. */
static void general_texts(const struct sockaddr *sa, socklen_t len, char *call_text,
			  char *reply_text, size_t size)
{
	json_object *params = json_object_new_object(), *msg;
	struct sb_error err;
	const char *t;
	size_t n;

	json_object_object_add(params, "fd", json_object_new_int(0));
	json_object_object_add(params, "address", sb_addr_to_json(sa, len, 0, &err));
	msg = sb_call_new(SB_METHOD_BIND, json_object_get(params), false, false);
	t = sb_message_string(msg, &n);
	ck_assert_uint_lt(n, size);
	memcpy(call_text, t, n + 1);
	json_object_put(msg);

	json_object_object_del(params, "fd");
	msg = sb_reply_new(params, false);
	t = sb_message_string(msg, &n);
	ck_assert_uint_lt(n, size);
	memcpy(reply_text, t, n + 1);
	json_object_put(msg);
}

/* The general parser reads back sa from the message's address. */
static void check_address(json_object *parameters, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_storage back;
	socklen_t back_len;
	struct sb_error err;
	json_object *address;

	ck_assert(json_object_object_get_ex(parameters, "address", &address));
	ck_assert_int_eq(sb_addr_from_json(address, sa->sa_family, 0, &back, &back_len, &err), 0);
	ck_assert_uint_eq(back_len, len);
	ck_assert_mem_eq(&back, sa, len);
}

START_TEST(test_call_is_the_general_call)
{
	struct sockaddr_storage ss;
	socklen_t len;

	for (size_t i = 0; address(i, &ss, &len); i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&ss;
		char text[SB_COMPACT_BIND_MAX], call_text[512], reply_text[512];
		struct sockaddr_storage back;
		socklen_t back_len = 0;
		struct sb_call call;
		struct sb_error err = {.name = NULL};
		int64_t fd;
		int n = sb_compact_bind_call_format(text, sizeof(text), sa, len);

		ck_assert_int_gt(n, 0);
		general_texts(sa, len, call_text, reply_text, sizeof(call_text));
		ck_assert_str_eq(text, call_text);
		ck_assert_msg(sb_compact_bind_call_parse(text, (size_t)n, &back, &back_len), "%s",
			      text);
		ck_assert_uint_eq(back_len, len);
		ck_assert_mem_eq(&back, sa, len);
		ck_assert_int_eq(sb_call_parse(text, (size_t)n, &call, &err), 0);
		ck_assert_str_eq(call.method, SB_METHOD_BIND);
		ck_assert(!call.oneway && !call.more);
		ck_assert_int_eq(json_object_object_length(call.parameters), 2);
		ck_assert_int_eq(sb_param_int(call.parameters, "fd", true, 0, 0, &fd, &err), 1);
		check_address(call.parameters, sa, len);
		sb_call_done(&call);
	}
}
END_TEST

START_TEST(test_reply_is_the_general_reply)
{
	struct sockaddr_storage ss;
	socklen_t len;

	for (size_t i = 0; address(i, &ss, &len); i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&ss;
		char text[SB_COMPACT_BIND_MAX], call_text[512], reply_text[512];
		struct sb_reply reply;
		struct sb_error err = {.name = NULL};
		int n = sb_compact_bind_reply_format(text, sizeof(text), sa, len);

		ck_assert_int_gt(n, 0);
		general_texts(sa, len, call_text, reply_text, sizeof(call_text));
		ck_assert_str_eq(text, reply_text);
		ck_assert_msg(sb_compact_bind_reply_parse(text, (size_t)n), "%s", text);
		ck_assert_int_eq(sb_reply_parse(text, (size_t)n, &reply, &err), 0);
		ck_assert_ptr_null(reply.error);
		ck_assert(!reply.continues);
		ck_assert_int_eq(json_object_object_length(reply.parameters), 1);
		check_address(reply.parameters, sa, len);
		sb_reply_done(&reply);
	}
}
END_TEST

/* Addresses the general form writes differently, or not at all. */
START_TEST(test_format_declines_other_addresses)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(80)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_scope_id = 1};
	struct sockaddr_un sun = {.sun_family = AF_UNIX, .sun_path = "x"};
	char text[SB_COMPACT_BIND_MAX];

	ck_assert_int_eq(sb_compact_bind_call_format(text, sizeof(text), (struct sockaddr *)&sin6,
						     sizeof(sin6)),
			 -1);
	ck_assert_int_eq(sb_compact_bind_reply_format(text, sizeof(text), (struct sockaddr *)&sin6,
						      sizeof(sin6)),
			 -1);
	ck_assert_int_eq(sb_compact_bind_call_format(text, sizeof(text), (struct sockaddr *)&sun,
						     sizeof(sun)),
			 -1);
	ck_assert_int_eq(sb_compact_bind_call_format(text, sizeof(text), (struct sockaddr *)&sin,
						     sizeof(sin) - 1),
			 -1);
	ck_assert_int_eq(sb_compact_bind_call_format(text, sizeof(text), NULL, 0), -1);
	/* Too small a buffer is no message at all. */
	ck_assert_int_eq(
		sb_compact_bind_call_format(text, 40, (struct sockaddr *)&sin, sizeof(sin)), -1);
	ck_assert_int_eq(
		sb_compact_bind_reply_format(text, 0, (struct sockaddr *)&sin, sizeof(sin)), -1);
}
END_TEST

START_TEST(test_reply_declines_others)
{
	static const char *const texts[] = {
		"{\"error\":\"org.sockbroker.PermissionDenied\",\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80}},\"continues\":true}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80}},\"error\":\"x\"}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80},\"fd\":0}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80,\"x\":1}}}",
		"{\"parameters\":{\"address\":{\"host\":\"\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\\\"\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"FE80::1\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":080}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":65536}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":-1}}}",
		"{\"parameters\":{\"address\":{\"host\":\"::1\",\"port\":80,\"flowinfo\":0}}}",
		"{\"parameters\":{\"address\":{\"host\":\"::1\",\"port\":80,\"flowinfo\":0,\"scope_id\":1}}}",
		"{\"parameters\":{\"address\":{\"host\":\"::1\",\"port\":80,\"flowinfo\":0,\"scope_id\":\"lo\"}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}x",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{}}",
		/* Hosts inet_ntop() spells otherwise. */
		"{\"parameters\":{\"address\":{\"host\":\"fe80::0\",\"port\":443,\"flowinfo\":0,\"scope_id\":0}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.000.0.1\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"1.2.3\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"::ffff:1.2.3.4\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"1.2.3.4\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}}}",
	};

	for (size_t i = 0; i < ELEMENTSOF(texts); i++)
		ck_assert_msg(!sb_compact_bind_reply_parse(texts[i], strlen(texts[i])),
			      "accepted %s", texts[i]);
	/* Each prefix of a good reply is declined too. */
	{
		static const char good[] =
			"{\"parameters\":{\"address\":{\"host\":\"::1\",\"port\":80,"
			"\"flowinfo\":0,\"scope_id\":0}}}";

		ck_assert(sb_compact_bind_reply_parse(good, strlen(good)));
		for (size_t n = 0; n < strlen(good); n++)
			ck_assert_msg(!sb_compact_bind_reply_parse(good, n), "accepted %.*s",
				      (int)n, good);
	}
}
END_TEST

#define CALL "{\"method\":\"org.sockbroker.Bind\",\"parameters\":"

START_TEST(test_call_declines_others)
{
	static const char *const texts[] = {
		CALL "{\"fd\":1,\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}",
		CALL "{\"address\":{\"host\":\"127.0.0.1\",\"port\":80},\"fd\":0}}",
		CALL "{\"fd\":0,\"address\":{\"port\":80,\"host\":\"127.0.0.1\"}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80},\"x\":1}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80}},\"oneway\":true}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80}},\"more\":true}",
		CALL " {\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80,\"x\":1}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":080}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":65536}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":\"80\"}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"\",\"port\":80}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\\u0000\",\"port\":80}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"FE80::1\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"fe80::0\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"::1\",\"port\":80,\"flowinfo\":0,\"scope_id\":1}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"::1\",\"port\":80,\"flowinfo\":0,\"scope_id\":\"lo\"}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"::1\",\"port\":80}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"::1\",\"port\":80,\"flowinfo\":2147483648,\"scope_id\":0}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"1.2.3.4\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.000.0.1\",\"port\":80}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"1.2.3\",\"port\":80}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"0000:0000:0000:0000:0000:0000:0000:0000:1\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}}}",
		CALL
		"{\"fd\":0,\"address\":{\"host\":\"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255\",\"port\":80,\"flowinfo\":0,\"scope_id\":0}}}",
		CALL "{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}x",
		"{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0,\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}",
		"{\"parameters\":{\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}",
	};
	struct sockaddr_storage ss;
	socklen_t len;

	for (size_t i = 0; i < ELEMENTSOF(texts); i++)
		ck_assert_msg(!sb_compact_bind_call_parse(texts[i], strlen(texts[i]), &ss, &len),
			      "accepted %s", texts[i]);
	/* Each prefix of a good call is declined too, so are the call with
	 * its terminating NUL counted in and the call read as a reply. */
	{
		static const char *const good[] = {
			CALL "{\"fd\":0,\"address\":{\"host\":\"::1\",\"port\":80,"
			     "\"flowinfo\":0,\"scope_id\":0}}}",
			CALL "{\"fd\":0,\"address\":{\"host\":\"10.1.2.3\",\"port\":1023}}}",
		};

		for (size_t i = 0; i < ELEMENTSOF(good); i++) {
			size_t n = strlen(good[i]);

			ck_assert(sb_compact_bind_call_parse(good[i], n, &ss, &len));
			ck_assert(!sb_compact_bind_call_parse(good[i], n + 1, &ss, &len));
			ck_assert(!sb_compact_bind_reply_parse(good[i], n));
			for (size_t k = 0; k < n; k++)
				ck_assert_msg(!sb_compact_bind_call_parse(good[i], k, &ss, &len),
					      "accepted %.*s", (int)k, good[i]);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compact-bind");

	SB_TEST(s, test_call_is_the_general_call);
	SB_TEST(s, test_reply_is_the_general_reply);
	SB_TEST(s, test_format_declines_other_addresses);
	SB_TEST(s, test_reply_declines_others);
	SB_TEST(s, test_call_declines_others);
	return sb_test_run(s);
}
