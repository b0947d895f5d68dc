/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address codec, JSON side (proto/addr.c): the "bind" and "address"
 * objects of Socket and Bind calls, for every family and protocol, and the
 * decoder that turns kernel addresses into reply objects.
 *
 * Input: a family selector, a protocol selector, a mode byte, then either
 * a JSON text (mode even) or raw sockaddr bytes (mode odd).
 *
 * Oracles, JSON: an accepted object yields an address of the family asked
 * for that fits sockaddr_storage and that survives the round trips
 * JSON -> sockaddr -> JSON -> sockaddr and, where a text form exists,
 * sockaddr -> text -> sockaddr unchanged; a refusal fills a complete
 * error. Raw: whatever the bytes, the decoder either refuses with a
 * complete error or builds an object that serialises to JSON a strict
 * parser accepts. */
#include <linux/netlink.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "proto/addr.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/fuzz/addr-protocols.h"
#include "tests/fuzz/fuzz.h"

static const int families[] = {
	AF_UNIX,  AF_INET, AF_INET6,	 AF_NETLINK, AF_TIPC,	AF_CAN,	      AF_PACKET, AF_ALG,
	AF_VSOCK, AF_RDS,  AF_BLUETOOTH, AF_QIPCRTR, AF_UNSPEC, AF_APPLETALK, AF_MAX,	 -1,
};

static const int protocols[] = {
	0,	     CAN_RAW,	  CAN_BCM,	  CAN_ISOTP,   CAN_J1939, BTPROTO_L2CAP,
	BTPROTO_HCI, BTPROTO_SCO, BTPROTO_RFCOMM, IPPROTO_UDP, -1,
};

/* Errors must be complete: a name, an errno, a terminated message, and a
 * reply built from them that parses. */
static void check_error(int r, const struct sb_error *err)
{
	struct sb_error err2;
	struct sb_reply reply;
	json_object *msg;
	const char *text;
	size_t len;

	FUZZ_ASSERT(r < 0 && err->name && err->errnum > 0 && r == -err->errnum);
	FUZZ_ASSERT(memchr(err->message, 0, sizeof(err->message)));
	FUZZ_ASSERT(memchr(err->parameter, 0, sizeof(err->parameter)));
	msg = sb_error_reply_new(err);
	FUZZ_ASSERT(msg);
	text = sb_message_string(msg, &len);
	if (sb_reply_parse(text, len, &reply, &err2) < 0) {
		fprintf(FUZZ_ERR, "error reply rejected (%s): %s\n", err2.message, text);
		abort();
	}
	sb_reply_done(&reply);
	json_object_put(msg);
}

/* Serialised, obj must be JSON a strict, UTF-8 validating parser takes
 * (what every client of the daemon runs). */
static void check_serialises(json_object *obj, int family)
{
	struct json_tokener *tok = json_tokener_new_ex(SB_JSON_DEPTH_MAX);
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	json_object *back;

	FUZZ_ASSERT(tok && text);
	/* AF_UNIX names are bytes, not text; the daemon never reports one. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    (family == AF_UNIX ? 0 : JSON_TOKENER_VALIDATE_UTF8));
	back = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (!back)
		fprintf(FUZZ_ERR, "address object does not parse back: %s\n", text);
	FUZZ_ASSERT(back);
	json_object_put(back);
	json_tokener_free(tok);
}

static void same_address(const struct sockaddr_storage *a, socklen_t alen,
			 const struct sockaddr_storage *b, socklen_t blen)
{
	FUZZ_ASSERT(alen == blen);
	FUZZ_ASSERT(memcmp(a, b, alen) == 0);
}

static void fuzz_json(const char *text, size_t len, int family, int protocol)
{
	struct json_tokener *tok = json_tokener_new_ex(SB_JSON_DEPTH_MAX);
	struct sockaddr_storage ss, ss2;
	struct sb_error err = {0};
	socklen_t ss_len = 0, ss2_len = 0;
	json_object *obj, *back;
	char buf[512];
	int r;

	FUZZ_ASSERT(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);

	r = sb_addr_from_json(obj, family, protocol, &ss, &ss_len, &err);
	if (r < 0) {
		check_error(r, &err);
		json_object_put(obj);
		return;
	}
	FUZZ_ASSERT(ss_len >= sizeof(sa_family_t) && ss_len <= sizeof(ss));
	FUZZ_ASSERT(ss.ss_family == family || (family == AF_RDS && ss.ss_family == AF_INET));

	/* Back to JSON and in again: the same bytes. */
	back = sb_addr_to_json((struct sockaddr *)&ss, ss_len, protocol, &err);
	if (!back)
		fprintf(FUZZ_ERR, "accepted address cannot be described: %s\n", err.message);
	FUZZ_ASSERT(back);
	check_serialises(back, family);
	r = sb_addr_from_json(back, family, protocol, &ss2, &ss2_len, &err);
	if (r < 0)
		fprintf(FUZZ_ERR, "described address is refused: %s: %s\n",
			json_object_to_json_string(back), err.message);
	FUZZ_ASSERT(r == 0);
	same_address(&ss, ss_len, &ss2, ss2_len);
	json_object_put(back);

	/* And through the text form, which cannot spell everything (an
	 * AF_UNIX path starting with '@' would read back as abstract): a
	 * refusal must be a complete error, a text must read back. */
	r = sb_addr_to_text((struct sockaddr *)&ss, ss_len, protocol, buf, sizeof(buf), &err);
	if (r < 0) {
		check_error(r, &err);
		json_object_put(obj);
		return;
	}
	r = sb_addr_from_text(buf, family, protocol, &ss2, &ss2_len, &err);
	if (r < 0)
		fprintf(FUZZ_ERR, "text form '%s' is refused: %s\n", buf, err.message);
	FUZZ_ASSERT(r == 0);
	same_address(&ss, ss_len, &ss2, ss2_len);
	json_object_put(obj);
}

static void fuzz_raw(const uint8_t *bytes, size_t len, int family, int protocol)
{
	struct sockaddr_storage ss;
	struct sb_error err = {0};
	socklen_t ss_len = (socklen_t)(len < sizeof(ss) + 8 ? len : sizeof(ss) + 8);
	json_object *obj;
	char buf[512];
	int r;

	/* The family in the bytes is the one asked for, mostly. */
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, bytes, ss_len < sizeof(ss) ? ss_len : sizeof(ss));
	if (family >= 0 && ss_len >= sizeof(sa_family_t))
		ss.ss_family = (sa_family_t)family;
	obj = sb_addr_to_json((struct sockaddr *)&ss, ss_len, protocol, &err);
	if (!obj) {
		check_error(-err.errnum, &err);
	} else {
		check_serialises(obj, ss.ss_family);
		json_object_put(obj);
	}
	r = sb_addr_to_text((struct sockaddr *)&ss, ss_len, protocol, buf, sizeof(buf), &err);
	if (r < 0)
		check_error(r, &err);
	else
		FUZZ_ASSERT(memchr(buf, 0, sizeof(buf)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	int family = families[fuzz_u8(&in) % ELEMENTSOF(families)];
	int protocol = protocols[fuzz_u8(&in) % ELEMENTSOF(protocols)];
	uint8_t mode = fuzz_u8(&in);

	if (mode & 1) {
		fuzz_raw(in.p, in.left, family, protocol);
	} else {
		size_t len;
		char *text = fuzz_rest_string(&in, &len);

		fuzz_json(text, len, family, protocol);
		free(text);
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}
