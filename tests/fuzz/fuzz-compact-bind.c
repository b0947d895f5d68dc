/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Bind call and reply (proto/compact-bind.c) against the general
 * parser they stand in for, the call in the daemon and the reply in
 * libsockbroker.
 *
 * Input: one message, read as a call and as a reply. Oracle: a call the
 * compact reader accepts is, to the general parser, a Bind call with the
 * parameters fd 0 and an address, which the general address parser
 * reads as the very address the compact reader found; a reply it accepts
 * is a successful, final reply whose only parameter is an AF_INET or
 * AF_INET6 address. Either message is byte for byte what the writer
 * writes for that address. */
#include <netinet/in.h>

#include "proto/addr.h"
#include "proto/compact-bind.h"
#include "proto/json-util.h"
#include "proto/message.h"
#include "tests/fuzz/fuzz.h"

static void check_call(const char *text, size_t len)
{
	struct sb_call call;
	struct sb_error err = {0};
	struct sockaddr_storage ss, back;
	socklen_t sslen, back_len;
	json_object *address;
	char again[SB_COMPACT_BIND_MAX];
	int64_t fd;
	int n;

	if (!sb_compact_bind_call_parse(text, len, &ss, &sslen))
		return;
	FUZZ_ASSERT(sb_call_parse(text, len, &call, &err) == 0);
	FUZZ_ASSERT(strcmp(call.method, "org.sockbroker.Bind") == 0);
	FUZZ_ASSERT(!call.oneway && !call.more);
	FUZZ_ASSERT(json_object_object_length(call.parameters) == 2);
	FUZZ_ASSERT(sb_param_int(call.parameters, "fd", true, 0, 0, &fd, &err) == 1);
	FUZZ_ASSERT(json_object_object_get_ex(call.parameters, "address", &address));
	FUZZ_ASSERT(sb_addr_from_json(address, ss.ss_family, 0, &back, &back_len, &err) == 0);
	FUZZ_ASSERT(back_len == sslen && memcmp(&back, &ss, sslen) == 0);
	n = sb_compact_bind_call_format(again, sizeof(again), (struct sockaddr *)&ss, sslen);
	FUZZ_ASSERT(n >= 0 && (size_t)n == len && memcmp(again, text, len) == 0);
	sb_call_done(&call);
}

static void check_reply(const char *text, size_t len)
{
	struct sb_reply reply;
	struct sb_error err = {0};
	struct sockaddr_storage ss;
	socklen_t sslen;
	json_object *address;
	char again[SB_COMPACT_BIND_MAX];
	int family, n;

	if (!sb_compact_bind_reply_parse(text, len))
		return;
	FUZZ_ASSERT(sb_reply_parse(text, len, &reply, &err) == 0);
	FUZZ_ASSERT(!reply.error && !reply.continues);
	FUZZ_ASSERT(json_object_object_length(reply.parameters) == 1);
	FUZZ_ASSERT(json_object_object_get_ex(reply.parameters, "address", &address));
	/* Two members are an IPv4 address, four an IPv6 one; the writer
	 * makes these very bytes of it. */
	family = json_object_object_length(address) == 2 ? AF_INET : AF_INET6;
	FUZZ_ASSERT(sb_addr_from_json(address, family, 0, &ss, &sslen, &err) == 0);
	n = sb_compact_bind_reply_format(again, sizeof(again), (struct sockaddr *)&ss, sslen);
	FUZZ_ASSERT(n >= 0 && (size_t)n == len && memcmp(again, text, len) == 0);
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
