/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The messages' one definition (proto/fields.h, proto/messages.h) and
 * the codec (proto/codec.h): every method of the interface files has
 * its call and reply defined, and every table agrees with its interface
 * file on each parameter's and reply field's name and type; a call or
 * reply in the compact spelling reads as the same struct as the same
 * message in general JSON; writers choose the compact
 * spelling when the message fits it; a reply read compact still has its
 * parameters object for whoever asks. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/codec.h"
#include "proto/compact-bind.h"
#include "proto/compact-socket.h"
#include "proto/idl.h"
#include "proto/protocol.h"
#include "tests/testlib.h"

#define IDL_FIELDS_MAX 16

struct idl_field {
	char name[32];
	char type[48];
};

/* The fields of "name: type, ..." between p and end, blanks and
 * newlines between them ignored. Their number. */
static size_t idl_fields(const char *p, const char *end, struct idl_field *f)
{
	size_t n = 0;

	while (p < end && n < IDL_FIELDS_MAX) {
		const char *colon, *comma;
		size_t len;

		while (p < end && strchr(" \t\n", *p))
			p++;
		if (p == end)
			break;
		colon = memchr(p, ':', (size_t)(end - p));
		ck_assert_ptr_nonnull(colon);
		len = (size_t)(colon - p);
		ck_assert_uint_lt(len, sizeof(f[n].name));
		memcpy(f[n].name, p, len);
		f[n].name[len] = 0;
		p = colon + 1;
		while (p < end && *p == ' ')
			p++;
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		len = (size_t)(comma - p);
		while (len > 0 && strchr(" \t\n", p[len - 1]))
			len--;
		ck_assert_uint_lt(len, sizeof(f[n].type));
		memcpy(f[n].type, p, len);
		f[n].type[len] = 0;
		n++;
		p = comma + 1;
	}
	return n;
}

/* The parameters (or, with reply, the reply's fields) of method in the
 * interface description text. Their number. */
static size_t idl_method(const char *text, const char *method, bool reply, struct idl_field *f)
{
	char head[96];
	const char *p, *open, *close;

	snprintf(head, sizeof(head), "\nmethod %s(", method);
	p = strstr(text, head);
	ck_assert_msg(p != NULL, "the interface file has no method %s", method);
	open = p + strlen(head);
	close = strchr(open, ')');
	ck_assert_ptr_nonnull(close);
	if (reply) {
		ck_assert_msg(strncmp(close, ") -> (", 6) == 0, "%s: no reply", method);
		open = close + 6;
		close = strchr(open, ')');
		ck_assert_ptr_nonnull(close);
	}
	return idl_fields(open, close, f);
}

/* The interface file of method ("org.sockbroker.admin.Status"), and
 * in *name the method's own name ("Status"). */
static const char *idl_of(const char *method, const char **name)
{
	const char *dot = strrchr(method, '.');
	char interface[64];
	const char *text;

	ck_assert_ptr_nonnull(dot);
	ck_assert_uint_lt((size_t)(dot - method), sizeof(interface));
	snprintf(interface, sizeof(interface), "%.*s", (int)(dot - method), method);
	text = sb_idl_lookup(interface);
	ck_assert_msg(text != NULL, "%s: no interface file for %s", method, interface);
	*name = dot + 1;
	return text;
}

START_TEST(test_tables_agree_with_the_interface_files)
{
	for (const struct sb_message_def *const *d = sb_message_defs; *d; d++) {
		const struct sb_message_def *def = *d;
		const char *method;
		const char *text = idl_of(def->method, &method);
		struct idl_field f[IDL_FIELDS_MAX];
		size_t n = idl_method(text, method, def->reply, f);

		ck_assert_msg(n == def->n_fields,
			      "%s%s: %zu fields in the interface file, %zu in the table", method,
			      def->reply ? " reply" : "", n, def->n_fields);
		for (size_t i = 0; i < n; i++) {
			ck_assert_msg(strcmp(f[i].name, def->fields[i].name) == 0,
				      "%s%s: field %zu is %s, the table's %s", method,
				      def->reply ? " reply" : "", i, f[i].name,
				      def->fields[i].name);
			ck_assert_msg(strcmp(f[i].type, def->fields[i].idl) == 0,
				      "%s%s: %s is %s, the table says %s", method,
				      def->reply ? " reply" : "", f[i].name, f[i].type,
				      def->fields[i].idl);
			ck_assert_int_eq((f[i].type[0] != '?'),
					 (def->fields[i].flags & SB_FIELD_REQUIRED) != 0);
		}
	}
}
END_TEST

/* Whether sb_message_defs holds method's call (or reply) definition. */
static bool defined(const char *method, bool reply)
{
	for (const struct sb_message_def *const *d = sb_message_defs; *d; d++)
		if (strcmp((*d)->method, method) == 0 && (*d)->reply == reply)
			return true;
	return false;
}

/* Every method of every interface file the broker serves has its call
 * and its reply defined. */
START_TEST(test_every_method_is_defined)
{
	for (const struct sb_idl *idl = sb_idl_table; idl->interface; idl++) {
		const char *p = idl->description;
		size_t n_methods = 0;

		while ((p = strstr(p, "\nmethod "))) {
			char name[128];
			size_t n;

			p += strlen("\nmethod ");
			n = strcspn(p, "(");
			ck_assert_uint_lt(strlen(idl->interface) + 1 + n, sizeof(name));
			snprintf(name, sizeof(name), "%s.%.*s", idl->interface, (int)n, p);
			ck_assert_msg(defined(name, false),
				      "%s has no call definition (proto/messages.h)", name);
			ck_assert_msg(defined(name, true),
				      "%s has no reply definition (proto/messages.h)", name);
			n_methods++;
		}
		/* None found would be a reader that missed them all. */
		ck_assert_msg(n_methods > 0, "%s: no methods found", idl->interface);
	}
}
END_TEST

/* Every definition has its counterpart: a call's reply and the reverse. */
START_TEST(test_every_definition_has_its_counterpart)
{
	for (const struct sb_message_def *const *d = sb_message_defs; *d; d++) {
		bool found = false;

		for (const struct sb_message_def *const *e = sb_message_defs; *e; e++)
			found |= strcmp((*e)->method, (*d)->method) == 0 &&
				 (*e)->reply != (*d)->reply;
		ck_assert_msg(found, "%s: no %s definition", (*d)->method,
			      (*d)->reply ? "call" : "reply");
	}
}
END_TEST

/* text read as a call: whether compact, with its struct in *call. */
static bool read_call(const char *text, const struct sb_message_def *def, struct sb_call *call)
{
	struct sb_error err = {.name = NULL};

	ck_assert_msg(sb_call_read(text, strlen(text), call, &err) == 0, "%s: %s", text,
		      err.message);
	ck_assert_msg(sb_call_args(call, def, &err) == 0, "%s: %s", text, err.message);
	ck_assert_str_eq(call->method, def->method);
	return !call->root;
}

START_TEST(test_compact_and_general_socket_calls_are_the_same_struct)
{
	static const struct sb_socket_call calls[] = {
		SB_SOCKET_CALL_INIT(AF_INET, SOCK_RAW, 0, IPPROTO_ICMP),
		SB_SOCKET_CALL_INIT(AF_INET6, SOCK_DGRAM, SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
		SB_SOCKET_CALL_INIT(AF_PACKET, SOCK_DGRAM, SOCK_CLOEXEC, 0x300),
		SB_SOCKET_CALL_INIT(AF_NETLINK, SOCK_RAW, 0, 0),
	};

	for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
		struct sb_wire w;
		struct sb_call compact, general;
		char spaced[SB_COMPACT_MAX + 1];
		json_object *params, *msg;
		const char *text;
		size_t len;

		/* The writer chooses the compact spelling... */
		ck_assert_int_eq(sb_call_write(&sb_socket_call_def, &calls[i], &w), 0);
		ck_assert_ptr_null(w.msg);
		ck_assert(read_call(w.text, &sb_socket_call_def, &compact));
		/* ...which reads as the general spelling of the same call does. */
		params = sb_fields_write(&sb_socket_call_def, &calls[i]);
		ck_assert_ptr_nonnull(params);
		msg = sb_call_new(SB_METHOD_SOCKET, params, false, false);
		text = sb_message_string(msg, &len);
		ck_assert_ptr_nonnull(text);
		ck_assert(!read_call(text, &sb_socket_call_def, &general));
		ck_assert_int_eq(compact.args.socket.family, general.args.socket.family);
		ck_assert_int_eq(compact.args.socket.type, general.args.socket.type);
		ck_assert_int_eq(compact.args.socket.flags, general.args.socket.flags);
		ck_assert_int_eq(compact.args.socket.protocol, general.args.socket.protocol);
		ck_assert_int_eq(compact.args.socket.backlog, general.args.socket.backlog);
		ck_assert_uint_eq(compact.args.socket.n_options, general.args.socket.n_options);
		ck_assert_ptr_null(compact.args.socket.bind);
		ck_assert_ptr_null(general.args.socket.bind);
		ck_assert_ptr_null(compact.args.socket.netns);
		ck_assert_ptr_null(general.args.socket.netns);
		/* The compact text with a blank is read as general JSON. */
		ck_assert_int_eq(snprintf(spaced, sizeof(spaced), "%.10s %s", w.text, w.text + 10),
				 (int)w.len + 1);
		sb_call_done(&general);
		ck_assert(!read_call(spaced, &sb_socket_call_def, &general));
		ck_assert_int_eq(general.args.socket.family, calls[i].family);
		sb_call_done(&general);
		sb_call_done(&compact);
		json_object_put(msg);
		sb_wire_done(&w);
	}
}
END_TEST

/* Outside the table's ranges the compact reader leaves the call to the
 * general reader, whose error says what is wrong. */
START_TEST(test_compact_calls_out_of_range_are_read_as_json)
{
	static const struct sb_compact_socket bad[] = {
		{0, SOCK_DGRAM, 0, 0},
		{AF_MAX, SOCK_DGRAM, 0, 0},
		{AF_INET, SOCK_PACKET + 1, 0, 0},
		{AF_INET, SOCK_PACKET, 0, 0},
		{AF_PACKET, SOCK_DGRAM, 0, 0x10000},
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char text[SB_COMPACT_SOCKET_MAX];
		struct sb_error err = {.name = NULL};
		struct sb_call call;

		ck_assert_int_gt(sb_compact_socket_call_format(text, sizeof(text), &bad[i]), 0);
		ck_assert_int_eq(sb_call_read(text, strlen(text), &call, &err), 0);
		ck_assert_ptr_nonnull(call.root);
		ck_assert_int_lt(sb_call_args(&call, &sb_socket_call_def, &err), 0);
		ck_assert_str_eq(err.name, SB_ERR_INVALID_PARAMETER);
		sb_call_done(&call);
	}
}
END_TEST

START_TEST(test_compact_and_general_bind_calls_are_the_same_address)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(80)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
	struct sb_bind_call in[2] = {{.fd = 0}, {.fd = 0}};

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	memcpy(&in[0].sa, &sin, sizeof(sin));
	in[0].sa_len = sizeof(sin);
	memcpy(&in[1].sa, &sin6, sizeof(sin6));
	in[1].sa_len = sizeof(sin6);
	for (size_t i = 0; i < ELEMENTSOF(in); i++) {
		struct sb_call compact, general;
		char spaced[SB_COMPACT_MAX + 1];
		struct sb_wire w;
		json_object *params, *msg;
		const char *text;
		size_t len;

		ck_assert_int_eq(sb_call_write(&sb_bind_call_def, &in[i], &w), 0);
		ck_assert_ptr_null(w.msg);
		ck_assert(read_call(w.text, &sb_bind_call_def, &compact));
		ck_assert_uint_eq(compact.args.bind.sa_len, in[i].sa_len);
		ck_assert_mem_eq(&compact.args.bind.sa, &in[i].sa, in[i].sa_len);
		/* The general writer's text is the compact spelling (what
		 * makes it one): with a blank, only the general reader
		 * reads it. */
		params = sb_fields_write(&sb_bind_call_def, &in[i]);
		ck_assert_ptr_nonnull(params);
		msg = sb_call_new(SB_METHOD_BIND, params, false, false);
		text = sb_message_string(msg, &len);
		ck_assert_str_eq(text, w.text);
		ck_assert_int_eq(snprintf(spaced, sizeof(spaced), "%.10s %s", text, text + 10),
				 (int)len + 1);
		ck_assert(!read_call(spaced, &sb_bind_call_def, &general));
		/* The object made of the compact call's address is the one the
		 * general spelling carries. */
		ck_assert_str_eq(
			json_object_to_json_string(sb_bind_call_address(&compact.args.bind)),
			json_object_to_json_string(general.args.bind.address));
		sb_call_done(&general);
		sb_call_done(&compact);
		json_object_put(msg);
		sb_wire_done(&w);
	}
}
END_TEST

START_TEST(test_compact_replies_read_as_their_general_spelling)
{
	struct sb_socket_reply out = {.family = AF_INET, .type = SOCK_DGRAM, .protocol = 17};
	struct sb_socket_reply back, general;
	struct sb_error err = {.name = NULL};
	struct sb_reply reply, json;
	json_object *msg;
	struct sb_wire w;
	const char *text;
	size_t len;

	ck_assert_int_eq(sb_reply_write(&sb_socket_reply_def, &out, &w), 0);
	ck_assert_ptr_null(w.msg);
	ck_assert_int_eq(sb_reply_read(w.text, w.len, &reply, &err), 0);
	ck_assert_ptr_null(reply.error);
	ck_assert_int_eq(sb_reply_args(&reply, &sb_socket_reply_def, &back, &err), 0);
	msg = sb_reply_new(sb_fields_write(&sb_socket_reply_def, &out), false);
	text = sb_message_string(msg, &len);
	ck_assert_int_eq(sb_reply_parse(text, len, &json, &err), 0);
	ck_assert_int_eq(sb_reply_args(&json, &sb_socket_reply_def, &general, &err), 0);
	ck_assert_int_eq(back.fd, general.fd);
	ck_assert_int_eq(back.family, general.family);
	ck_assert_int_eq(back.type, general.type);
	ck_assert_int_eq(back.protocol, general.protocol);
	/* The parameters object, built when asked, is the general one. */
	ck_assert_ptr_nonnull(sb_reply_parameters(&reply));
	ck_assert_str_eq(json_object_to_json_string(sb_reply_parameters(&reply)),
			 json_object_to_json_string(json.parameters));
	sb_reply_done(&json);
	sb_reply_done(&reply);
	json_object_put(msg);
	sb_wire_done(&w);
}
END_TEST

/* A reply's members the table does not know are a newer broker's: read
 * past; a call's are refused. */
START_TEST(test_unknown_members)
{
	static const char reply_text[] =
		"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\","
		"\"protocol\":17,\"later\":true}}";
	static const char call_text[] =
		"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":2,"
		"\"type\":2,\"later\":true}}";
	struct sb_error err = {.name = NULL};
	struct sb_socket_reply back;
	struct sb_reply reply;
	struct sb_call call;

	ck_assert_int_eq(sb_reply_read(reply_text, strlen(reply_text), &reply, &err), 0);
	ck_assert_int_eq(sb_reply_args(&reply, &sb_socket_reply_def, &back, &err), 0);
	ck_assert_int_eq(back.protocol, 17);
	sb_reply_done(&reply);
	ck_assert_int_eq(sb_call_read(call_text, strlen(call_text), &call, &err), 0);
	ck_assert_int_lt(sb_call_args(&call, &sb_socket_call_def, &err), 0);
	ck_assert_str_eq(err.parameter, "later");
	sb_call_done(&call);
}
END_TEST

/* What the compact spelling cannot carry is written as general JSON. */
START_TEST(test_writers_fall_back_to_json)
{
	struct sb_socket_call call = SB_SOCKET_CALL_INIT(AF_INET, SOCK_STREAM, 0, 0);
	struct sb_error err = {.name = NULL};
	struct sb_call back;
	struct sb_wire w;

	call.backlog = 16;
	call.netns = "blue";
	ck_assert_int_eq(sb_call_write(&sb_socket_call_def, &call, &w), 0);
	ck_assert_ptr_nonnull(w.msg);
	ck_assert_int_eq(sb_call_read(w.text, w.len, &back, &err), 0);
	ck_assert_int_eq(sb_call_args(&back, &sb_socket_call_def, &err), 0);
	ck_assert_int_eq(back.args.socket.backlog, 16);
	ck_assert_str_eq(back.args.socket.netns, "blue");
	sb_call_done(&back);
	sb_wire_done(&w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("codec");

	SB_TEST(s, test_tables_agree_with_the_interface_files);
	SB_TEST(s, test_every_method_is_defined);
	SB_TEST(s, test_every_definition_has_its_counterpart);
	SB_TEST(s, test_compact_and_general_socket_calls_are_the_same_struct);
	SB_TEST(s, test_compact_calls_out_of_range_are_read_as_json);
	SB_TEST(s, test_compact_and_general_bind_calls_are_the_same_address);
	SB_TEST(s, test_compact_replies_read_as_their_general_spelling);
	SB_TEST(s, test_unknown_members);
	SB_TEST(s, test_writers_fall_back_to_json);
	return sb_test_run(s);
}
