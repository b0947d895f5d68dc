/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Varlink message parsers (proto/message.c): calls as the daemon
 * reads them, replies as the library reads them, and the typed getters
 * every method uses on its parameters.
 *
 * Input: a selector byte (bounds for the getters), then one message.
 * Oracles: a parse either succeeds with the promised shape or fails with
 * a filled error whose reply is itself a well-formed Varlink error; a
 * parsed call survives a round trip through sb_call_new(); getters never
 * return values outside the bounds they were given. */
#include <limits.h>

#include "proto/consts.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/fuzz/fuzz.h"

/* A failed parse must explain itself, and the error reply built from it
 * must parse as an error reply with the same name and errno (every error
 * the daemon sends goes through sb_error_reply_new()). */
static void check_error(int r, const struct sb_error *err)
{
	struct sb_error err2 = {0};
	struct sb_reply reply;
	json_object *msg;
	const char *text;
	size_t len;

	FUZZ_ASSERT(r < 0);
	FUZZ_ASSERT(err->name);
	FUZZ_ASSERT(err->errnum > 0 && r == -err->errnum);
	FUZZ_ASSERT(memchr(err->message, 0, sizeof(err->message)));
	msg = sb_error_reply_new(err);
	FUZZ_ASSERT(msg);
	text = sb_message_string(msg, &len);
	FUZZ_ASSERT(text && len > 0 && len < SB_MESSAGE_MAX);
	r = sb_reply_parse(text, len, &reply, &err2);
	if (r < 0)
		fprintf(FUZZ_ERR, "unparseable error reply (%s): %s\n", err2.message, text);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(reply.error && strcmp(reply.error, err->name) == 0);
	FUZZ_ASSERT(reply.errnum == err->errnum);
	sb_reply_done(&reply);
	json_object_put(msg);
}

/* Every getter on every key of obj, with bounds from sel. */
static void exercise_getters(json_object *obj, uint8_t sel)
{
	static const int64_t bounds[][2] = {
		{0, 0},
		{0, 1},
		{-1, 1},
		{0, 65535},
		{1, INT_MAX},
		{INT_MIN, INT_MAX},
		{INT64_MIN + 1, INT64_MAX - 1},
		{0, 4095},
	};
	const int64_t *b = bounds[sel % ELEMENTSOF(bounds)];
	size_t max_len = (size_t)(sel >> 3) * 8;
	enum sb_const_group group = (enum sb_const_group)((sel >> 3) % SB_C_MAX_GROUP);

	json_object_object_foreach(obj, key, val) {
		struct sb_error err = {0};
		const char *s;
		json_object *o;
		int64_t i;
		bool flag;
		int r;

		(void)val;
		r = sb_param_string(obj, key, sel & 1, max_len, &s, &err);
		FUZZ_ASSERT(r >= -EINVAL && r <= 1);
		if (r == 1)
			FUZZ_ASSERT(strlen(s) <= max_len);
		else if (r < 0)
			check_error(r, &err);
		r = sb_param_int(obj, key, sel & 1, b[0], b[1], &i, &err);
		if (r == 1)
			FUZZ_ASSERT(i >= b[0] && i <= b[1]);
		else if (r < 0)
			check_error(r, &err);
		r = sb_param_const(obj, key, group, sel & 1, b[0], b[1], &i, &err);
		if (r == 1)
			FUZZ_ASSERT(i >= b[0] && i <= b[1]);
		else if (r < 0)
			check_error(r, &err);
		r = sb_param_bool(obj, key, false, &flag, &err);
		if (r < 0)
			check_error(r, &err);
		r = sb_param_object(obj, key, false, &o, &err);
		if (r == 1)
			FUZZ_ASSERT(json_object_is_type(o, json_type_object));
		else if (r < 0)
			check_error(r, &err);
		r = sb_param_array(obj, key, false, max_len, &o, &err);
		if (r == 1)
			FUZZ_ASSERT(json_object_is_type(o, json_type_array) &&
				    json_object_array_length(o) <= max_len);
		else if (r < 0)
			check_error(r, &err);
	}
}

static void fuzz_call(const char *text, size_t len, uint8_t sel)
{
	static const char *const allowed[] = {"family", "type", "protocol", "fd", "address", NULL};
	struct sb_error err = {0};
	struct sb_call call, again;
	json_object *msg;
	const char *out;
	size_t out_len;
	int r;

	r = sb_call_parse(text, len, &call, &err);
	if (r < 0) {
		check_error(r, &err);
		FUZZ_ASSERT(!call.root);
		return;
	}
	FUZZ_ASSERT(call.method && strlen(call.method) > 2);
	FUZZ_ASSERT(json_object_is_type(call.parameters, json_type_object));
	FUZZ_ASSERT(!(call.oneway && call.more));
	r = sb_params_only(call.parameters, allowed, &err);
	if (r < 0)
		check_error(r, &err);
	exercise_getters(call.parameters, sel);

	/* What the library would send for this call parses back the same. */
	msg = sb_call_new(call.method, json_object_get(call.parameters), call.oneway, call.more);
	FUZZ_ASSERT(msg);
	out = sb_message_string(msg, &out_len);
	r = sb_call_parse(out, out_len, &again, &err);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(strcmp(again.method, call.method) == 0);
	FUZZ_ASSERT(again.oneway == call.oneway && again.more == call.more);
	FUZZ_ASSERT(json_object_equal(again.parameters, call.parameters));
	sb_call_done(&again);
	json_object_put(msg);
	sb_call_done(&call);
}

static void fuzz_reply(const char *text, size_t len, uint8_t sel)
{
	struct sb_error err = {0};
	struct sb_reply reply;
	int r;

	r = sb_reply_parse(text, len, &reply, &err);
	if (r < 0) {
		check_error(r, &err);
		return;
	}
	FUZZ_ASSERT(json_object_is_type(reply.parameters, json_type_object));
	if (reply.error)
		FUZZ_ASSERT(reply.errnum >= 0 && reply.errnum <= 4095);
	else
		FUZZ_ASSERT(reply.errnum == 0 && !reply.message);
	exercise_getters(reply.parameters, sel);
	sb_reply_done(&reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	uint8_t sel = fuzz_u8(&in);
	size_t len;
	char *text = fuzz_rest_string(&in, &len);

	fuzz_call(text, len, sel);
	fuzz_reply(text, len, sel);
	free(text);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}
