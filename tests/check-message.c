/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink message schema: parsing, builders, typed getters, errors. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/json-cost.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/testlib.h"

/* Parse text as a call and expect failure with error name, errno and,
 * when given, the offending parameter. */
static void expect_call_error(const char *text, size_t len, const char *name, int errnum,
			      const char *parameter)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	int r = sb_call_parse(text, len, &call, &err);

	ck_assert_msg(r == -errnum, "'%.*s': got %d, expected %d", (int)len, text, r, -errnum);
	ck_assert_ptr_null(call.root);
	ck_assert_str_eq(err.name, name);
	ck_assert_int_eq(err.errnum, errnum);
	ck_assert_str_ne(err.message, "");
	if (parameter)
		ck_assert_str_eq(err.parameter, parameter);
}

static void expect_bad_call(const char *text, const char *parameter)
{
	expect_call_error(text, strlen(text), SB_ERR_INVALID_PARAMETER, EINVAL, parameter);
}

static void expect_broken_len(const char *text, size_t len)
{
	expect_call_error(text, len, SB_ERR_PROTOCOL, EBADMSG, "");
}

static void expect_broken(const char *text)
{
	expect_broken_len(text, strlen(text));
}

/* The parameters of a call carrying params_json, owned by *call. */
static json_object *params(struct sb_call *call, const char *params_json)
{
	char text[1024];
	struct sb_error err = {.name = NULL};
	int n;

	n = snprintf(text, sizeof(text), "{\"method\":\"org.sockbroker.Test\",\"parameters\":%s}",
		     params_json);
	ck_assert_int_lt(n, (int)sizeof(text));
	ck_assert_msg(sb_call_parse(text, (size_t)n, call, &err) == 0, "%s: %s", text, err.message);
	return call->parameters;
}

static void expect_param_error(const struct sb_error *err, int r, const char *key,
			       const char *message)
{
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_str_eq(err->name, SB_ERR_INVALID_PARAMETER);
	ck_assert_int_eq(err->errnum, EINVAL);
	ck_assert_str_eq(err->parameter, key);
	if (message)
		ck_assert_str_eq(err->message, message);
}

/* A JSON object nested depth levels deep in total, innermost empty. */
static size_t nested_call(char *buf, size_t size, int depth)
{
	size_t n = (size_t)snprintf(buf, size, "{\"method\":\"org.x.Y\",\"parameters\":{\"a\":");

	/* Two levels so far: the message and its parameters. */
	for (int i = 2; i < depth; i++)
		buf[n++] = '[';
	for (int i = 2; i < depth; i++)
		buf[n++] = ']';
	n += (size_t)snprintf(buf + n, size - n, "}}");
	ck_assert_uint_lt(n, size);
	return n;
}

START_TEST(test_call_valid)
{
	const char *text = "{\"method\":\"org.sockbroker.Socket\",\"parameters\":"
			   "{\"family\":\"AF_INET\",\"type\":3}}";
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	int64_t type = 0;

	ck_assert_int_eq(sb_call_parse(text, strlen(text), &call, &err), 0);
	ck_assert_str_eq(call.method, SB_METHOD_SOCKET);
	ck_assert(!call.oneway);
	ck_assert(!call.more);
	ck_assert_int_eq(sb_param_int(call.parameters, "type", true, 0, 10, &type, &err), 1);
	ck_assert_int_eq(type, 3);
	sb_call_done(&call);
	ck_assert_ptr_null(call.root);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_call_parameters_default_empty)
{
	const char *texts[] = {
		"{\"method\":\"org.sockbroker.Info\"}",
		"{\"method\":\"org.sockbroker.Info\",\"parameters\":null}",
		" {\"method\" : \"org.sockbroker.Info\"}\n",
	};
	struct sb_error err = {.name = NULL};

	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		struct sb_call call;

		ck_assert_int_eq(sb_call_parse(texts[i], strlen(texts[i]), &call, &err), 0);
		ck_assert_ptr_nonnull(call.parameters);
		ck_assert(json_object_is_type(call.parameters, json_type_object));
		ck_assert_int_eq(json_object_object_length(call.parameters), 0);
		sb_call_done(&call);
	}
}
END_TEST

START_TEST(test_call_oneway_more)
{
	const char *oneway = "{\"method\":\"a.b.C\",\"oneway\":true,\"more\":false}";
	const char *more = "{\"method\":\"a.b.C\",\"more\":true}";
	struct sb_call call;
	struct sb_error err = {.name = NULL};

	ck_assert_int_eq(sb_call_parse(oneway, strlen(oneway), &call, &err), 0);
	ck_assert(call.oneway);
	ck_assert(!call.more);
	sb_call_done(&call);
	ck_assert_int_eq(sb_call_parse(more, strlen(more), &call, &err), 0);
	ck_assert(!call.oneway);
	ck_assert(call.more);
	sb_call_done(&call);
	expect_bad_call("{\"method\":\"a.b.C\",\"oneway\":true,\"more\":true}", "more");
}
END_TEST

START_TEST(test_call_not_json)
{
	expect_broken("");
	expect_broken("hello");
	expect_broken("{\"method\":");
	expect_broken("{\"method\":\"a.b.C\",}");
	expect_broken("{method:\"a.b.C\"}");
	/* Invalid UTF-8 inside a string. */
	expect_broken("{\"method\":\"a.b.C\xff\"}");
}
END_TEST

START_TEST(test_call_not_an_object)
{
	expect_broken("[]");
	expect_broken("[{\"method\":\"a.b.C\"}]");
	expect_broken("\"a.b.C\"");
	expect_broken("null");
	expect_broken("1 ");
	expect_broken("true ");
}
END_TEST

START_TEST(test_call_trailing_garbage)
{
	expect_broken("{\"method\":\"a.b.C\"} x");
	expect_broken("{\"method\":\"a.b.C\"}{}");
	expect_broken("{\"method\":\"a.b.C\"}]");
	expect_broken("{\"method\":\"a.b.C\"}\n\n,");
}
END_TEST

START_TEST(test_call_embedded_nul)
{
	static const char text[] = "{\"method\":\"a.b.C\"}\0{}";

	/* The NUL ends a frame; len claims more, so the data is broken. */
	expect_broken_len(text, sizeof(text) - 1);
	expect_broken_len("{\"method\":\"a.b\0C\"}", 18);
}
END_TEST

START_TEST(test_call_depth)
{
	char buf[256];
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	size_t n;

	n = nested_call(buf, sizeof(buf), SB_JSON_DEPTH_MAX);
	ck_assert_msg(sb_call_parse(buf, n, &call, &err) == 0, "%s: %s", buf, err.message);
	sb_call_done(&call);
	n = nested_call(buf, sizeof(buf), SB_JSON_DEPTH_MAX + 1);
	expect_broken_len(buf, n);
	ck_assert_int_eq(sb_call_parse(buf, n, &call, &err), -EBADMSG);
	ck_assert_str_eq(err.message, "JSON nested deeper than 16 levels");
	n = nested_call(buf, sizeof(buf), 100);
	expect_broken_len(buf, n);
}
END_TEST

START_TEST(test_json_values)
{
	static const char escaped[] = "{\"a\\\",{[\":[1,2],\"b\\\\\":{}}";

	ck_assert_uint_eq(sb_json_values("", 0, 10), 0);
	ck_assert_uint_eq(sb_json_values("1", 1, 10), 0);
	/* Braces and commas in strings do not count, escaped quotes end no
	 * string, an escaped backslash does not escape the quote after it. */
	ck_assert_uint_eq(sb_json_values(escaped, strlen(escaped), 10), 5);
	ck_assert_uint_eq(sb_json_values("[1,2,3]", 7, 10), 3);
	/* Counting stops one past max. */
	ck_assert_uint_eq(sb_json_values("[1,2,3,4,5]", 11, 2), 3);
	/* An unterminated string hides the rest. */
	ck_assert_uint_eq(sb_json_values("[\"{{{", 5, 10), 1);
}
END_TEST

/* {"method":"org.sockbroker.Info","parameters":{"a":[1,1,...]}} with n
 * ones: n + 3 values by sb_json_values(). */
static size_t ones_call(char *buf, size_t size, size_t n)
{
	size_t len = (size_t)snprintf(buf, size,
				      "{\"method\":\"org.sockbroker.Info\","
				      "\"parameters\":{\"a\":[");

	for (size_t i = 0; i < n && len + 8 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, i ? ",1" : "1");
	len += (size_t)snprintf(buf + len, size - len, "]}}");
	return len;
}

START_TEST(test_call_values)
{
	/* The largest call the daemon takes: Socket with every option and an
	 * address, well below the limit. */
	static const char option[] = "{\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\","
				     "\"value\":256}";
	char buf[8192];
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	size_t len;

	len = (size_t)snprintf(buf, sizeof(buf),
			       "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":"
			       "\"AF_INET6\",\"type\":\"SOCK_DGRAM\",\"flags\":[\"SOCK_NONBLOCK\","
			       "\"SOCK_CLOEXEC\"],\"protocol\":\"IPPROTO_UDP\",\"listen\":0,"
			       "\"netns\":\"lab\",\"bind\":{\"host\":\"fe80::1\",\"port\":80,"
			       "\"flowinfo\":0,\"scope_id\":\"lo\"},\"options\":[");
	for (unsigned i = 0; i < SB_OPTIONS_MAX; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "", option);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "]}}");
	ck_assert_uint_lt(len, sizeof(buf));
	ck_assert_uint_le(sb_json_values(buf, len, SIZE_MAX), SB_CALL_VALUES_MAX / 2);
	ck_assert_msg(sb_call_parse(buf, len, &call, &err) == 0, "%s", err.message);
	sb_call_done(&call);

	len = ones_call(buf, sizeof(buf), SB_CALL_VALUES_MAX - 3);
	ck_assert_uint_eq(sb_json_values(buf, len, SIZE_MAX), SB_CALL_VALUES_MAX);
	ck_assert_msg(sb_call_parse(buf, len, &call, &err) == 0, "%s", err.message);
	sb_call_done(&call);
	len = ones_call(buf, sizeof(buf), SB_CALL_VALUES_MAX - 2);
	expect_call_error(buf, len, SB_ERR_PROTOCOL, E2BIG, NULL);
}
END_TEST

START_TEST(test_call_unknown_key)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	const char *text = "{\"method\":\"a.b.C\",\"extra\":1}";

	expect_bad_call(text, "extra");
	ck_assert_int_eq(sb_call_parse(text, strlen(text), &call, &err), -EINVAL);
	ck_assert_str_eq(err.message, "unknown top-level key 'extra'");
	/* Keys from the wire are printed tamed. */
	expect_bad_call("{\"method\":\"a.b.C\",\"x\\ny\":1}", "x?y");
	/* Reply keys are not call keys. */
	expect_bad_call("{\"method\":\"a.b.C\",\"error\":\"a.b.C\"}", "error");
}
END_TEST

START_TEST(test_call_method_missing_or_not_string)
{
	expect_bad_call("{}", "method");
	expect_bad_call("{\"parameters\":{}}", "method");
	expect_bad_call("{\"method\":null}", "method");
	expect_bad_call("{\"method\":42}", "method");
	expect_bad_call("{\"method\":[\"a.b.C\"]}", "method");
	expect_bad_call("{\"method\":\"a.b\\u0000.C\"}", "method");
}
END_TEST

START_TEST(test_call_method_malformed)
{
	static const char *const bad[] = {
		"",	     "Socket",	 "sockbroker.Socket", "org.sockbroker.socket",
		"org..x.Y",  ".org.x.Y", "org.x.Y.",	      "org.x-.Y",
		"org.-x.Y",  "1org.x.Y", "org.x.Y-z",	      "org.x.Y_z",
		"org.x.Y z", "org.x.",	 "org.x._Y",	      "org.x.\xc3\x84",
		"org x.y.Z", "org.x..Y",
	};
	static const char *const good[] = {
		"org.sockbroker.Socket",
		"org.varlink.service.GetInfo",
		"io.systemd-x.Foo2",
		"a.b.C",
		"org.a--b.Y",
		"io.systemd.UserDatabase.GetUserRecord",
	};
	char text[512];
	struct sb_error err = {.name = NULL};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		snprintf(text, sizeof(text), "{\"method\":\"%s\"}", bad[i]);
		expect_bad_call(text, "method");
	}
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		struct sb_call call;
		int n = snprintf(text, sizeof(text), "{\"method\":\"%s\"}", good[i]);

		ck_assert_msg(sb_call_parse(text, (size_t)n, &call, &err) == 0, "%s: %s", good[i],
			      err.message);
		ck_assert_str_eq(call.method, good[i]);
		sb_call_done(&call);
	}
}
END_TEST

START_TEST(test_call_method_length)
{
	char name[300], text[400];
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	int n;

	/* 255 characters is the longest name. */
	memset(name, 'a', sizeof(name));
	memcpy(name, "org.", 4);
	memcpy(name + 250, ".Ab", 3);
	name[253] = '\0';
	ck_assert_uint_eq(strlen(name), 253);
	strcat(name, "cd");
	n = snprintf(text, sizeof(text), "{\"method\":\"%s\"}", name);
	ck_assert_int_eq(sb_call_parse(text, (size_t)n, &call, &err), 0);
	sb_call_done(&call);
	strcat(name, "e");
	snprintf(text, sizeof(text), "{\"method\":\"%s\"}", name);
	expect_bad_call(text, "method");
}
END_TEST

START_TEST(test_call_field_types)
{
	expect_bad_call("{\"method\":\"a.b.C\",\"parameters\":[]}", "parameters");
	expect_bad_call("{\"method\":\"a.b.C\",\"parameters\":\"x\"}", "parameters");
	expect_bad_call("{\"method\":\"a.b.C\",\"parameters\":1}", "parameters");
	expect_bad_call("{\"method\":\"a.b.C\",\"oneway\":\"yes\"}", "oneway");
	expect_bad_call("{\"method\":\"a.b.C\",\"oneway\":1}", "oneway");
	expect_bad_call("{\"method\":\"a.b.C\",\"more\":{}}", "more");
}
END_TEST

START_TEST(test_reply_valid)
{
	const char *text = "{\"parameters\":{\"fd\":0},\"continues\":true}";
	struct sb_reply reply;
	struct sb_error err = {.name = NULL};
	int64_t fd = -1;

	ck_assert_int_eq(sb_reply_parse(text, strlen(text), &reply, &err), 0);
	ck_assert_ptr_null(reply.error);
	ck_assert(reply.continues);
	ck_assert_int_eq(reply.errnum, 0);
	ck_assert_ptr_null(reply.message);
	ck_assert_int_eq(sb_param_int(reply.parameters, "fd", true, 0, 0, &fd, &err), 1);
	ck_assert_int_eq(fd, 0);
	sb_reply_done(&reply);

	ck_assert_int_eq(sb_reply_parse("{}", 2, &reply, &err), 0);
	ck_assert_ptr_nonnull(reply.parameters);
	ck_assert(!reply.continues);
	sb_reply_done(&reply);
}
END_TEST

START_TEST(test_reply_error)
{
	const char *text = "{\"error\":\"org.sockbroker.PermissionDenied\",\"parameters\":"
			   "{\"errno\":13,\"errno_name\":\"EACCES\",\"message\":\"denied\"}}";
	const char *bare = "{\"error\":\"org.varlink.service.MethodNotFound\"}";
	struct sb_reply reply;
	struct sb_error err = {.name = NULL};

	ck_assert_int_eq(sb_reply_parse(text, strlen(text), &reply, &err), 0);
	ck_assert_str_eq(reply.error, SB_ERR_PERMISSION_DENIED);
	ck_assert_int_eq(reply.errnum, EACCES);
	ck_assert_str_eq(reply.message, "denied");
	sb_reply_done(&reply);

	ck_assert_int_eq(sb_reply_parse(bare, strlen(bare), &reply, &err), 0);
	ck_assert_str_eq(reply.error, SB_ERR_METHOD_NOT_FOUND);
	ck_assert_int_eq(reply.errnum, 0);
	ck_assert_ptr_null(reply.message);
	sb_reply_done(&reply);
}
END_TEST

START_TEST(test_reply_malformed)
{
	static const struct {
		const char *text;
		const char *parameter;
	} bad[] = {
		{"{\"method\":\"a.b.C\"}", "method"},
		{"{\"error\":1}", "error"},
		{"{\"error\":\"nodots\"}", "error"},
		{"{\"error\":\"a.b.C\",\"parameters\":{\"errno\":\"EACCES\"}}", "errno"},
		{"{\"error\":\"a.b.C\",\"parameters\":{\"errno\":0}}", "errno"},
		{"{\"error\":\"a.b.C\",\"parameters\":{\"errno\":4096}}", "errno"},
		{"{\"error\":\"a.b.C\",\"parameters\":{\"message\":7}}", "message"},
		{"{\"continues\":\"no\"}", "continues"},
		{"{\"parameters\":[]}", "parameters"},
	};
	struct sb_reply reply;
	struct sb_error err = {.name = NULL};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ck_assert_int_eq(sb_reply_parse(bad[i].text, strlen(bad[i].text), &reply, &err),
				 -EINVAL);
		ck_assert_ptr_null(reply.root);
		ck_assert_str_eq(err.parameter, bad[i].parameter);
	}
	ck_assert_int_eq(sb_reply_parse("[]", 2, &reply, &err), -EBADMSG);
	ck_assert_str_eq(err.name, SB_ERR_PROTOCOL);
}
END_TEST

START_TEST(test_call_new_round_trip)
{
	json_object *p = json_object_new_object();
	json_object *msg;
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	const char *text;
	size_t len;

	json_object_object_add(p, "path", json_object_new_string("/run/x"));
	msg = sb_call_new(SB_METHOD_BIND, p, true, false);
	ck_assert_ptr_nonnull(msg);
	text = sb_message_string(msg, &len);
	ck_assert_uint_eq(len, strlen(text));
	/* Compact, and slashes are not escaped. */
	ck_assert_str_eq(text, "{\"method\":\"org.sockbroker.Bind\",\"parameters\":"
			       "{\"path\":\"/run/x\"},\"oneway\":true}");
	ck_assert_int_eq(sb_call_parse(text, len, &call, &err), 0);
	ck_assert_str_eq(call.method, SB_METHOD_BIND);
	ck_assert(call.oneway);
	ck_assert(!call.more);
	sb_call_done(&call);
	json_object_put(msg);

	msg = sb_call_new(SB_METHOD_INFO, NULL, false, true);
	text = sb_message_string(msg, &len);
	ck_assert_str_eq(text,
			 "{\"method\":\"org.sockbroker.Info\",\"parameters\":{},\"more\":true}");
	json_object_put(msg);
}
END_TEST

START_TEST(test_reply_new_round_trip)
{
	json_object *p = json_object_new_object();
	json_object *msg;
	struct sb_reply reply;
	struct sb_error err = {.name = NULL};
	const char *text;
	size_t len;

	json_object_object_add(p, "fd", json_object_new_int(0));
	msg = sb_reply_new(p, true);
	text = sb_message_string(msg, &len);
	ck_assert_str_eq(text, "{\"parameters\":{\"fd\":0},\"continues\":true}");
	ck_assert_int_eq(sb_reply_parse(text, len, &reply, &err), 0);
	ck_assert(reply.continues);
	ck_assert_ptr_null(reply.error);
	sb_reply_done(&reply);
	json_object_put(msg);

	msg = sb_reply_new(NULL, false);
	ck_assert_str_eq(sb_message_string(msg, NULL), "{\"parameters\":{}}");
	json_object_put(msg);
}
END_TEST

START_TEST(test_error_reply_new)
{
	struct sb_error e = {.name = NULL}, err = {.name = NULL};
	struct sb_reply reply;
	json_object *msg, *v;
	const char *text;
	size_t len;

	sb_error_param(&e, "port", "port: expected an integer in 0..65535, got %d", 70000);
	msg = sb_error_reply_new(&e);
	ck_assert_ptr_nonnull(msg);
	text = sb_message_string(msg, &len);
	ck_assert_int_eq(sb_reply_parse(text, len, &reply, &err), 0);
	ck_assert_str_eq(reply.error, SB_ERR_INVALID_PARAMETER);
	ck_assert_int_eq(reply.errnum, EINVAL);
	ck_assert_str_eq(reply.message, "port: expected an integer in 0..65535, got 70000");
	ck_assert(json_object_object_get_ex(reply.parameters, "errno_name", &v));
	ck_assert_str_eq(json_object_get_string(v), "EINVAL");
	ck_assert(json_object_object_get_ex(reply.parameters, "parameter", &v));
	ck_assert_str_eq(json_object_get_string(v), "port");
	sb_reply_done(&reply);
	json_object_put(msg);

	/* No parameter: no "parameter" key. */
	sb_error_set(&e, SB_ERR_PERMISSION_DENIED, EACCES, NULL, "denied");
	msg = sb_error_reply_new(&e);
	ck_assert_str_eq(
		sb_message_string(msg, NULL),
		"{\"error\":\"org.sockbroker.PermissionDenied\",\"parameters\":{\"errno\":13,"
		"\"errno_name\":\"EACCES\",\"message\":\"denied\"}}");
	json_object_put(msg);
	ck_assert_ptr_null(sb_error_reply_new(NULL));
}
END_TEST

START_TEST(test_param_string)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"s\":\"abc\",\"n\":null,\"i\":1,\"z\":\"a\\u0000b\"}");
	const char *s = "unchanged";

	ck_assert_int_eq(sb_param_string(p, "s", true, 3, &s, &err), 1);
	ck_assert_str_eq(s, "abc");
	s = "unchanged";
	ck_assert_int_eq(sb_param_string(p, "missing", false, 3, &s, &err), 0);
	ck_assert_str_eq(s, "unchanged");
	ck_assert_int_eq(sb_param_string(p, "n", false, 3, &s, &err), 0);
	ck_assert_str_eq(s, "unchanged");
	expect_param_error(&err, sb_param_string(p, "n", true, 3, &s, &err), "n",
			   "n: missing required parameter");
	expect_param_error(&err, sb_param_string(p, "s", true, 2, &s, &err), "s",
			   "s: string longer than 2 bytes (3)");
	expect_param_error(&err, sb_param_string(p, "i", true, 3, &s, &err), "i",
			   "i: expected a string, got an integer");
	expect_param_error(&err, sb_param_string(p, "z", true, 3, &s, &err), "z",
			   "z: string contains a NUL character");
	ck_assert_str_eq(s, "unchanged");
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_int)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"port\":65535,\"low\":0,\"neg\":-5,\"big\":70000,"
				       "\"minus\":-1,\"s\":\"5\",\"b\":true,\"n\":null}");
	int64_t v = 42;

	ck_assert_int_eq(sb_param_int(p, "port", true, 0, 65535, &v, &err), 1);
	ck_assert_int_eq(v, 65535);
	ck_assert_int_eq(sb_param_int(p, "low", true, 0, 65535, &v, &err), 1);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(sb_param_int(p, "neg", true, -10, 10, &v, &err), 1);
	ck_assert_int_eq(v, -5);
	v = 42;
	ck_assert_int_eq(sb_param_int(p, "absent", false, 0, 1, &v, &err), 0);
	ck_assert_int_eq(sb_param_int(p, "n", false, 0, 1, &v, &err), 0);
	ck_assert_int_eq(v, 42);
	expect_param_error(&err, sb_param_int(p, "absent", true, 0, 1, &v, &err), "absent",
			   "absent: missing required parameter");
	expect_param_error(&err, sb_param_int(p, "big", true, 0, 65535, &v, &err), "big",
			   "big: expected an integer in 0..65535, got 70000");
	expect_param_error(&err, sb_param_int(p, "minus", true, 0, 65535, &v, &err), "minus",
			   "minus: expected an integer in 0..65535, got -1");
	expect_param_error(&err, sb_param_int(p, "port", true, 0, 65534, &v, &err), "port",
			   "port: expected an integer in 0..65534, got 65535");
	expect_param_error(&err, sb_param_int(p, "s", true, 0, 9, &v, &err), "s",
			   "s: expected an integer in 0..9, got a string");
	expect_param_error(&err, sb_param_int(p, "b", true, 0, 9, &v, &err), "b",
			   "b: expected an integer in 0..9, got a boolean");
	ck_assert_int_eq(v, 42);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_int_doubles)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"half\":1.5,\"whole\":1.0,\"exp\":1e30,\"e2\":1E2}");
	int64_t v = 42;

	expect_param_error(&err, sb_param_int(p, "half", true, 0, 9, &v, &err), "half",
			   "half: expected an integer in 0..9, got 1.5");
	expect_param_error(&err, sb_param_int(p, "whole", true, 0, 9, &v, &err), "whole",
			   "whole: expected an integer in 0..9, got 1.0");
	expect_param_error(&err, sb_param_int(p, "exp", true, INT64_MIN + 1, INT64_MAX, &v, &err),
			   "exp", NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "got 1e30"));
	expect_param_error(&err, sb_param_int(p, "e2", true, 0, 1000, &v, &err), "e2", NULL);
	ck_assert_int_eq(v, 42);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_int_huge)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"over\":18446744073709551616,"
				       "\"umax\":18446744073709551615,"
				       "\"u63\":9223372036854775808,"
				       "\"imax\":9223372036854775807,"
				       "\"under\":-9223372036854775809,"
				       "\"way\":-99999999999999999999999}");
	int64_t v = 42;

	expect_param_error(&err, sb_param_int(p, "over", true, 0, INT64_MAX, &v, &err), "over",
			   NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "beyond 64 bits"));
	expect_param_error(&err, sb_param_int(p, "umax", true, 0, INT64_MAX, &v, &err), "umax",
			   NULL);
	expect_param_error(&err, sb_param_int(p, "u63", true, 0, INT64_MAX, &v, &err), "u63",
			   "u63: expected an integer in 0..9223372036854775807, "
			   "got 9223372036854775808");
	expect_param_error(&err, sb_param_int(p, "under", true, INT64_MIN, 0, &v, &err), "under",
			   NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "beyond 64 bits"));
	expect_param_error(&err, sb_param_int(p, "way", true, INT64_MIN, 0, &v, &err), "way", NULL);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(sb_param_int(p, "imax", true, 0, INT64_MAX, &v, &err), 1);
	ck_assert_int_eq(v, INT64_MAX);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_bool)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p =
		params(&call, "{\"t\":true,\"f\":false,\"one\":1,\"s\":\"true\",\"n\":null}");
	bool b = false;

	ck_assert_int_eq(sb_param_bool(p, "t", true, &b, &err), 1);
	ck_assert(b);
	ck_assert_int_eq(sb_param_bool(p, "f", true, &b, &err), 1);
	ck_assert(!b);
	b = true;
	ck_assert_int_eq(sb_param_bool(p, "n", false, &b, &err), 0);
	ck_assert(b);
	expect_param_error(&err, sb_param_bool(p, "n", true, &b, &err), "n", NULL);
	expect_param_error(&err, sb_param_bool(p, "one", true, &b, &err), "one",
			   "one: expected a boolean, got an integer");
	expect_param_error(&err, sb_param_bool(p, "s", true, &b, &err), "s",
			   "s: expected a boolean, got a string");
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_object_array)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"o\":{\"x\":1},\"a\":[1,2,3],\"n\":null,\"s\":\"x\"}");
	json_object *v = NULL;

	ck_assert_int_eq(sb_param_object(p, "o", true, &v, &err), 1);
	ck_assert(json_object_is_type(v, json_type_object));
	ck_assert_int_eq(sb_param_array(p, "a", true, 3, &v, &err), 1);
	ck_assert_uint_eq(json_object_array_length(v), 3);
	v = NULL;
	ck_assert_int_eq(sb_param_object(p, "n", false, &v, &err), 0);
	ck_assert_int_eq(sb_param_array(p, "n", false, 3, &v, &err), 0);
	ck_assert_ptr_null(v);
	expect_param_error(&err, sb_param_array(p, "a", true, 2, &v, &err), "a",
			   "a: more than 2 elements (3)");
	expect_param_error(&err, sb_param_object(p, "a", true, &v, &err), "a",
			   "a: expected an object, got an array");
	expect_param_error(&err, sb_param_array(p, "o", true, 5, &v, &err), "o",
			   "o: expected an array, got an object");
	expect_param_error(&err, sb_param_array(p, "s", true, 5, &v, &err), "s", NULL);
	expect_param_error(&err, sb_param_object(p, "gone", true, &v, &err), "gone", NULL);
	ck_assert_ptr_null(v);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_const)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"name\":\"AF_PACKET\",\"num\":17,\"lower\":\"af_packet\","
				       "\"unknown\":\"AF_NOPE\",\"wrong_group\":\"SOCK_RAW\","
				       "\"neg\":-1,\"dbl\":17.0,\"b\":false,\"n\":null}");
	int64_t v = 42;

	ck_assert_int_eq(sb_param_const(p, "name", SB_C_AF, true, 0, 255, &v, &err), 1);
	ck_assert_int_eq(v, AF_PACKET);
	v = 0;
	ck_assert_int_eq(sb_param_const(p, "num", SB_C_AF, true, 0, 255, &v, &err), 1);
	ck_assert_int_eq(v, 17);
	v = 42;
	ck_assert_int_eq(sb_param_const(p, "n", SB_C_AF, false, 0, 255, &v, &err), 0);
	ck_assert_int_eq(sb_param_const(p, "absent", SB_C_AF, false, 0, 255, &v, &err), 0);
	ck_assert_int_eq(v, 42);
	expect_param_error(&err, sb_param_const(p, "absent", SB_C_AF, true, 0, 255, &v, &err),
			   "absent", NULL);
	/* Names are exact and per group. */
	expect_param_error(&err, sb_param_const(p, "lower", SB_C_AF, true, 0, 255, &v, &err),
			   "lower", NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "'af_packet'"));
	expect_param_error(&err, sb_param_const(p, "unknown", SB_C_AF, true, 0, 255, &v, &err),
			   "unknown", NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "'AF_NOPE'"));
	expect_param_error(&err, sb_param_const(p, "wrong_group", SB_C_AF, true, 0, 255, &v, &err),
			   "wrong_group", NULL);
	/* A known name outside the range the caller allows. */
	expect_param_error(&err, sb_param_const(p, "name", SB_C_AF, true, 0, 10, &v, &err), "name",
			   NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "AF_PACKET (17)"));
	expect_param_error(&err, sb_param_const(p, "num", SB_C_AF, true, 0, 10, &v, &err), "num",
			   "num: expected an integer in 0..10, got 17");
	expect_param_error(&err, sb_param_const(p, "neg", SB_C_AF, true, 0, 255, &v, &err), "neg",
			   NULL);
	expect_param_error(&err, sb_param_const(p, "dbl", SB_C_AF, true, 0, 255, &v, &err), "dbl",
			   NULL);
	expect_param_error(&err, sb_param_const(p, "b", SB_C_AF, true, 0, 255, &v, &err), "b",
			   NULL);
	ck_assert_int_eq(v, 42);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_param_const_malformed_names)
{
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(
		&call, "{\"nul\":\"AF_INET\\u0000x\",\"space\":\"AF INET\",\"empty\":\"\","
		       "\"ctl\":\"AF_\\u001b[2J\",\"long\":\"AF_"
		       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		       "\",\"digit\":\"2AF\"}");
	static const char *const keys[] = {"nul", "space", "empty", "ctl", "long", "digit"};
	int64_t v = 42;

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		expect_param_error(&err,
				   sb_param_const(p, keys[i], SB_C_AF, true, 0, 255, &v, &err),
				   keys[i], NULL);
		/* Not looked up, and not echoed into logs. */
		ck_assert_ptr_nonnull(strstr(err.message, "malformed"));
		ck_assert_ptr_null(strchr(err.message, '\x1b'));
	}
	ck_assert_int_eq(v, 42);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_params_only)
{
	static const char *const allowed[] = {"family", "type", NULL};
	struct sb_call call;
	struct sb_error err = {.name = NULL};
	json_object *p = params(&call, "{\"family\":1,\"type\":2}");

	ck_assert_int_eq(sb_params_only(p, allowed, &err), 0);
	sb_call_done(&call);
	p = params(&call, "{\"family\":1,\"typo\":2}");
	expect_param_error(&err, sb_params_only(p, allowed, &err), "typo",
			   "unknown parameter 'typo'");
	sb_call_done(&call);
	p = params(&call, "{}");
	ck_assert_int_eq(sb_params_only(p, allowed, &err), 0);
	sb_call_done(&call);
}
END_TEST

START_TEST(test_getters_on_missing_object)
{
	struct sb_error err = {.name = NULL};
	int64_t v = 42;

	ck_assert_int_eq(sb_param_int(NULL, "x", false, 0, 1, &v, &err), 0);
	expect_param_error(&err, sb_param_int(NULL, "x", true, 0, 1, &v, &err), "x", NULL);
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_error_set)
{
	struct sb_error e = {.name = NULL};
	char long_text[400];

	ck_assert_int_eq(sb_error_set(NULL, SB_ERR_SYSTEM, EPERM, "x", "y"), -EPERM);
	ck_assert_int_eq(sb_error_set(&e, SB_ERR_SYSTEM, EMFILE, NULL, "open %s: %d", "a", 3),
			 -EMFILE);
	ck_assert_str_eq(e.name, SB_ERR_SYSTEM);
	ck_assert_int_eq(e.errnum, EMFILE);
	ck_assert_str_eq(e.parameter, "");
	ck_assert_str_eq(e.message, "open a: 3");
	/* A negative errno works too; zero must not read as success. */
	ck_assert_int_eq(sb_error_set(&e, SB_ERR_SYSTEM, -ENOENT, NULL, "x"), -ENOENT);
	ck_assert_int_eq(e.errnum, ENOENT);
	ck_assert_int_lt(sb_error_set(&e, SB_ERR_SYSTEM, 0, NULL, "x"), 0);
	ck_assert_int_gt(e.errnum, 0);
	/* %m sees the errno of the failure being reported. */
	errno = EACCES;
	sb_error_set(&e, SB_ERR_PERMISSION_DENIED, errno, "path", "open: %m");
	ck_assert_str_eq(e.message, "open: Permission denied");
	ck_assert_str_eq(e.parameter, "path");
	/* Long texts are cut, never overflow. */
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	sb_error_set(&e, SB_ERR_SYSTEM, EIO, long_text, "%s", long_text);
	ck_assert_uint_eq(strlen(e.message), sizeof(e.message) - 1);
	ck_assert_uint_eq(strlen(e.parameter), sizeof(e.parameter) - 1);
	/* ... and never inside a UTF-8 character: "é" (2 bytes) across the
	 * parameter's last byte, "€" (3 bytes) across the message's. */
	memset(long_text, 'x', sizeof(e.parameter) - 2);
	strcpy(long_text + sizeof(e.parameter) - 2, "\xc3\xa9");
	sb_error_set(&e, SB_ERR_SYSTEM, EIO, long_text, "x");
	ck_assert_uint_eq(strlen(e.parameter), sizeof(e.parameter) - 2);
	memset(long_text, 'x', sizeof(e.message) - 2);
	strcpy(long_text + sizeof(e.message) - 2, "\xe2\x82\xac");
	sb_error_set(&e, SB_ERR_SYSTEM, EIO, NULL, "%s", long_text);
	ck_assert_uint_eq(strlen(e.message), sizeof(e.message) - 2);
	/* Whole characters at the end stay. */
	memset(long_text, 'x', sizeof(e.parameter) - 3);
	strcpy(long_text + sizeof(e.parameter) - 3, "\xc3\xa9");
	sb_error_set(&e, SB_ERR_SYSTEM, EIO, long_text, "x");
	ck_assert_uint_eq(strlen(e.parameter), sizeof(e.parameter) - 1);
	ck_assert_int_eq(sb_error_param(&e, "k", "k: bad"), -EINVAL);
	ck_assert_str_eq(e.name, SB_ERR_INVALID_PARAMETER);
}
END_TEST

START_TEST(test_errno_name)
{
	ck_assert_str_eq(sb_errno_name(EACCES), "EACCES");
	ck_assert_str_eq(sb_errno_name(EINVAL), "EINVAL");
	ck_assert_ptr_null(sb_errno_name(0));
	ck_assert_ptr_null(sb_errno_name(-EINVAL));
	ck_assert_ptr_null(sb_errno_name(99999));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("message");

	SB_TEST(s, test_call_valid);
	SB_TEST(s, test_call_parameters_default_empty);
	SB_TEST(s, test_call_oneway_more);
	SB_TEST(s, test_call_not_json);
	SB_TEST(s, test_call_not_an_object);
	SB_TEST(s, test_call_trailing_garbage);
	SB_TEST(s, test_call_embedded_nul);
	SB_TEST(s, test_call_depth);
	SB_TEST(s, test_json_values);
	SB_TEST(s, test_call_values);
	SB_TEST(s, test_call_unknown_key);
	SB_TEST(s, test_call_method_missing_or_not_string);
	SB_TEST(s, test_call_method_malformed);
	SB_TEST(s, test_call_method_length);
	SB_TEST(s, test_call_field_types);
	SB_TEST(s, test_reply_valid);
	SB_TEST(s, test_reply_error);
	SB_TEST(s, test_reply_malformed);
	SB_TEST(s, test_call_new_round_trip);
	SB_TEST(s, test_reply_new_round_trip);
	SB_TEST(s, test_error_reply_new);
	SB_TEST(s, test_param_string);
	SB_TEST(s, test_param_int);
	SB_TEST(s, test_param_int_doubles);
	SB_TEST(s, test_param_int_huge);
	SB_TEST(s, test_param_bool);
	SB_TEST(s, test_param_object_array);
	SB_TEST(s, test_param_const);
	SB_TEST(s, test_param_const_malformed_names);
	SB_TEST(s, test_params_only);
	SB_TEST(s, test_getters_on_missing_object);
	SB_TEST(s, test_error_set);
	SB_TEST(s, test_errno_name);
	return sb_test_run(s);
}
