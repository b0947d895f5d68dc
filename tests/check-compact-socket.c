/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Socket call and reply (proto/compact-socket.c): each reader
 * accepts exactly its writer's output, and whatever it accepts means to
 * the general parser (message.c) what it means to the compact one. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/consts.h"
#include "proto/compact-socket.h"
#include "proto/json-util.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/testlib.h"

static const int numbers[] = {0, 1, 2, 3, 9, 10, 17, 255, 256, 0xffff, 0x10000, INT_MAX};
static const int flag_sets[] = {0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC};

/* What the general parser reads from a call: the same four fields. */
static void general_parse(const char *text, size_t len, struct sb_compact_socket *s)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *flags = NULL;
	int64_t v;

	ck_assert_msg(sb_call_parse(text, len, &call, &err) == 0, "%.*s: %s", (int)len, text,
		      err.message);
	ck_assert_str_eq(call.method, SB_METHOD_SOCKET);
	ck_assert(!call.oneway && !call.more);
	ck_assert_int_eq(sb_param_int(call.parameters, "family", true, 0, INT_MAX, &v, &err), 1);
	s->family = (int)v;
	ck_assert_int_eq(sb_param_int(call.parameters, "type", true, 0, INT_MAX, &v, &err), 1);
	s->type = (int)v;
	ck_assert_int_eq(sb_param_int(call.parameters, "protocol", true, 0, INT_MAX, &v, &err), 1);
	s->protocol = (int)v;
	s->flags = 0;
	ck_assert_int_ge(sb_param_array(call.parameters, "flags", false, 2, &flags, &err), 0);
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(flags, i));

		ck_assert_int_eq(sb_const_value(SB_C_SOCK_FLAG, name, &v), 0);
		s->flags |= (int)v;
	}
	ck_assert_int_eq(json_object_object_length(call.parameters), flags ? 4 : 3);
	sb_call_done(&call);
}

START_TEST(test_call_round_trip)
{
	char text[SB_COMPACT_SOCKET_MAX];

	for (size_t f = 0; f < ELEMENTSOF(numbers); f++)
		for (size_t p = 0; p < ELEMENTSOF(numbers); p++)
			for (size_t fl = 0; fl < ELEMENTSOF(flag_sets); fl++) {
				struct sb_compact_socket in = {numbers[f], SOCK_RAW, flag_sets[fl],
							       numbers[p]};
				struct sb_compact_socket out, gen;
				int n = sb_compact_socket_call_format(text, sizeof(text), &in);

				ck_assert_int_gt(n, 0);
				ck_assert_msg(sb_compact_socket_call_parse(text, (size_t)n, &out),
					      "%s", text);
				ck_assert_mem_eq(&in, &out, sizeof(in));
				general_parse(text, (size_t)n, &gen);
				ck_assert_mem_eq(&in, &gen, sizeof(in));
			}
}
END_TEST

START_TEST(test_call_what_libsockbroker_always_sent)
{
	static const char text[] =
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":"
		"{\"family\":2,\"type\":3,\"flags\":[\"SOCK_CLOEXEC\"],\"protocol\":1}}";
	struct sb_compact_socket s;

	ck_assert(sb_compact_socket_call_parse(text, strlen(text), &s));
	ck_assert_int_eq(s.family, AF_INET);
	ck_assert_int_eq(s.type, SOCK_RAW);
	ck_assert_int_eq(s.flags, SOCK_CLOEXEC);
	ck_assert_int_eq(s.protocol, 1);
}
END_TEST

START_TEST(test_call_format_refuses)
{
	char text[SB_COMPACT_SOCKET_MAX];
	struct sb_compact_socket flagged_type = {AF_INET, SOCK_RAW | SOCK_CLOEXEC, 0, 1};
	struct sb_compact_socket bad_flag = {AF_INET, SOCK_RAW, 0x1, 1};

	ck_assert_int_eq(sb_compact_socket_call_format(text, sizeof(text), &flagged_type), -1);
	ck_assert_int_eq(sb_compact_socket_call_format(text, sizeof(text), &bad_flag), -1);
	ck_assert_int_eq(
		sb_compact_socket_call_format(text, 20, &(struct sb_compact_socket){2, 3, 0, 1}),
		-1);
}
END_TEST

/* Valid calls, mostly, that are not the compact spelling: the general reader's. */
START_TEST(test_call_declines_other_forms)
{
	static const char *const texts[] = {
		/* negative numbers, which the writer writes and the daemon refuses */
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":-1,\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":-1}}",
		/* other spellings of the same call */
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":02,\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2.0,\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\",\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"type\":3,\"family\":2,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\", \"parameters\":{\"family\":2,\"type\":3,\"protocol\":1}}",
		"{\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1},\"method\":\"org.sockbroker.Socket\"}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"flags\":[\"SOCK_CLOEXEC\",\"SOCK_NONBLOCK\"],\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"flags\":[],\"protocol\":1}}",
		/* more than the compact call */
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1},\"oneway\":true}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1,\"listen\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1}} ",
		"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1}}",
		/* numbers beyond int, and broken text */
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2147483648,\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":99999999999999999999,\"type\":3,\"protocol\":1}}",
		/* ... and beyond 32 bits, where a wrapping reader would see 2 and 1 */
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":4294967298,\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":4294967297}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":,\"type\":3,\"protocol\":1}}",
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1}",
		"",
	};
	struct sb_compact_socket s;

	for (size_t i = 0; i < ELEMENTSOF(texts); i++)
		ck_assert_msg(!sb_compact_socket_call_parse(texts[i], strlen(texts[i]), &s),
			      "accepted %s", texts[i]);
}
END_TEST

/* Every proper prefix of a compact call is declined. */
START_TEST(test_call_declines_prefixes)
{
	char text[SB_COMPACT_SOCKET_MAX];
	struct sb_compact_socket s = {AF_PACKET, SOCK_DGRAM, SOCK_NONBLOCK | SOCK_CLOEXEC, 768};
	int n = sb_compact_socket_call_format(text, sizeof(text), &s);

	ck_assert_int_gt(n, 0);
	for (int len = 0; len < n; len++)
		ck_assert_msg(!sb_compact_socket_call_parse(text, (size_t)len, &s), "accepted %.*s",
			      len, text);
}
END_TEST

/* The general path's reply to the same socket, as json-c writes it. */
static const char *general_reply(int family, int type, int protocol)
{
	static char text[SB_COMPACT_SOCKET_MAX * 2];
	json_object *params = json_object_new_object(), *msg;
	const char *s;
	size_t len;

	json_object_object_add(params, "fd", json_object_new_int(0));
	json_object_object_add(params, "family", sb_const_json(SB_C_AF, family));
	json_object_object_add(params, "type", sb_const_json(SB_C_SOCK, type));
	json_object_object_add(params, "protocol", json_object_new_int(protocol));
	msg = sb_reply_new(params, false);
	s = sb_message_string(msg, &len);
	ck_assert_uint_lt(len, sizeof(text));
	memcpy(text, s, len + 1);
	json_object_put(msg);
	return text;
}

START_TEST(test_reply_matches_the_general_writer)
{
	static const int families[] = {AF_INET, AF_INET6,   AF_PACKET, AF_NETLINK, AF_CAN,
				       AF_ALG,	AF_MAX - 1, 0,	       200};
	static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET,
				    SOCK_PACKET, 0,	     14};
	char text[SB_COMPACT_SOCKET_MAX];

	for (size_t f = 0; f < ELEMENTSOF(families); f++)
		for (size_t t = 0; t < ELEMENTSOF(types); t++)
			for (size_t p = 0; p < ELEMENTSOF(numbers); p++) {
				int n = sb_compact_socket_reply_format(
					text, sizeof(text), families[f], types[t], numbers[p]);
				struct sb_reply reply;
				struct sb_error err = {.name = NULL};
				int64_t fd;

				ck_assert_int_gt(n, 0);
				ck_assert_str_eq(text,
						 general_reply(families[f], types[t], numbers[p]));
				ck_assert_msg(sb_compact_socket_reply_parse(text, (size_t)n), "%s",
					      text);
				/* ... and means what the general reader reads. */
				ck_assert_int_eq(sb_reply_parse(text, (size_t)n, &reply, &err), 0);
				ck_assert_ptr_null(reply.error);
				ck_assert(!reply.continues);
				ck_assert_int_eq(
					sb_param_int(reply.parameters, "fd", true, 0, 0, &fd, &err),
					1);
				sb_reply_done(&reply);
			}
}
END_TEST

START_TEST(test_reply_declines_others)
{
	static const char *const texts[] = {
		"{\"error\":\"org.sockbroker.PermissionDenied\",\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{\"fd\":1,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1},\"continues\":true}",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1,\"address\":{}}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"af\\u0022\",\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"\",\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET,\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{\"fd\":0,\"family\":-2,\"type\":\"SOCK_RAW\",\"protocol\":1}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":01}}",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}}x",
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}",
	};

	for (size_t i = 0; i < ELEMENTSOF(texts); i++)
		ck_assert_msg(!sb_compact_socket_reply_parse(texts[i], strlen(texts[i])),
			      "accepted %s", texts[i]);
	ck_assert_int_eq(sb_compact_socket_reply_format((char[SB_COMPACT_SOCKET_MAX]){0},
							SB_COMPACT_SOCKET_MAX, -1, 3, 1),
			 -1);
	ck_assert_int_eq(sb_compact_socket_reply_format((char[40]){0}, 40, AF_INET, SOCK_RAW, 1),
			 -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compact-socket");

	SB_TEST(s, test_call_round_trip);
	SB_TEST(s, test_call_what_libsockbroker_always_sent);
	SB_TEST(s, test_call_format_refuses);
	SB_TEST(s, test_call_declines_other_forms);
	SB_TEST(s, test_call_declines_prefixes);
	SB_TEST(s, test_reply_matches_the_general_writer);
	SB_TEST(s, test_reply_declines_others);
	return sb_test_run(s);
}
