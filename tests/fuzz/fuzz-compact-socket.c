/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Socket call and reply (proto/compact-socket.c) against the
 * general parsers they stand in for.
 *
 * Input: one message. Oracles: a call the compact reader accepts is a
 * Socket call to the general parser too, with the same four fields and
 * nothing else, and is byte for byte what the writer writes for them; a
 * reply the compact reader accepts is a successful, final reply carrying
 * descriptor 0 to the general parser. */
#include <limits.h>

#include "proto/consts.h"
#include "proto/compact-socket.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/fuzz/fuzz.h"

static void check_call(const char *text, size_t len)
{
	struct sb_compact_socket compact;
	struct sb_call call;
	struct sb_error err = {0};
	json_object *flags = NULL;
	char again[SB_COMPACT_SOCKET_MAX];
	int64_t family, type, protocol, flag;
	int n, mask = 0;

	if (!sb_compact_socket_call_parse(text, len, &compact))
		return;
	n = sb_compact_socket_call_format(again, sizeof(again), &compact);
	FUZZ_ASSERT(n >= 0 && (size_t)n == len && memcmp(again, text, len) == 0);

	FUZZ_ASSERT(sb_call_parse(text, len, &call, &err) == 0);
	FUZZ_ASSERT(strcmp(call.method, SB_METHOD_SOCKET) == 0 && !call.oneway && !call.more);
	FUZZ_ASSERT(sb_param_int(call.parameters, "family", true, 0, INT_MAX, &family, &err) == 1);
	FUZZ_ASSERT(sb_param_int(call.parameters, "type", true, 0, INT_MAX, &type, &err) == 1);
	FUZZ_ASSERT(sb_param_int(call.parameters, "protocol", true, 0, INT_MAX, &protocol, &err) ==
		    1);
	FUZZ_ASSERT(sb_param_array(call.parameters, "flags", false, 2, &flags, &err) >= 0);
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		json_object *v = json_object_array_get_idx(flags, i);

		FUZZ_ASSERT(json_object_is_type(v, json_type_string));
		FUZZ_ASSERT(sb_const_value(SB_C_SOCK_FLAG, json_object_get_string(v), &flag) == 0);
		mask |= (int)flag;
	}
	FUZZ_ASSERT(json_object_object_length(call.parameters) == (flags ? 4 : 3));
	FUZZ_ASSERT(family == compact.family && type == compact.type &&
		    protocol == compact.protocol && mask == compact.flags);
	sb_call_done(&call);
}

static void check_reply(const char *text, size_t len)
{
	struct sb_reply reply;
	struct sb_error err = {0};
	int64_t fd;

	if (!sb_compact_socket_reply_parse(text, len))
		return;
	FUZZ_ASSERT(sb_reply_parse(text, len, &reply, &err) == 0);
	FUZZ_ASSERT(!reply.error && !reply.continues);
	FUZZ_ASSERT(sb_param_int(reply.parameters, "fd", true, 0, 0, &fd, &err) == 1);
	sb_reply_done(&reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	size_t len;
	char *text = fuzz_rest_string(&in, &len);

	check_call(text, len);
	check_reply(text, len);
	free(text);
	return 0;
}
