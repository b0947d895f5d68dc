/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address codec, text side (proto/addr-text.c), and the socket spec
 * FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS] built on it (proto/spec.c), which
 * sockbrokerctl and libsockbroker read from users and configuration.
 *
 * Input: a family selector, a protocol selector, a mode byte, then text.
 * Mode even: an address for that family. Mode odd: a whole spec.
 *
 * Oracles: an accepted address formats back to text that parses to the
 * same bytes, and to JSON that does too; an accepted spec formats to text
 * that parses to the same spec (spec.h: parse(format(x)) == x), and its
 * Socket parameters carry the same address; every refusal fills a
 * complete error. */
#include <sys/socket.h>

#include "proto/addr.h"
#include "proto/message.h"
#include "proto/spec.h"
#include "tests/fuzz/addr-protocols.h"
#include "tests/fuzz/fuzz.h"

static const int families[] = {
	AF_UNIX, AF_INET,  AF_INET6, AF_NETLINK,   AF_TIPC,    AF_CAN,	  AF_PACKET,
	AF_ALG,	 AF_VSOCK, AF_RDS,   AF_BLUETOOTH, AF_QIPCRTR, AF_UNSPEC, AF_MAX,
};

static const int protocols[] = {
	0,	     CAN_RAW,	  CAN_BCM,	  CAN_ISOTP, CAN_J1939, BTPROTO_L2CAP,
	BTPROTO_HCI, BTPROTO_SCO, BTPROTO_RFCOMM,
};

static void check_error(int r, const struct sb_error *err)
{
	FUZZ_ASSERT(r < 0 && err->name && err->errnum > 0 && r == -err->errnum);
	FUZZ_ASSERT(memchr(err->message, 0, sizeof(err->message)));
	FUZZ_ASSERT(memchr(err->parameter, 0, sizeof(err->parameter)));
}

static void same_address(const struct sockaddr_storage *a, socklen_t alen,
			 const struct sockaddr_storage *b, socklen_t blen)
{
	FUZZ_ASSERT(alen == blen);
	FUZZ_ASSERT(memcmp(a, b, alen) == 0);
}

static void fuzz_address(const char *text, int family, int protocol)
{
	struct sockaddr_storage ss, ss2;
	struct sb_error err = {0};
	socklen_t len = 0, len2 = 0;
	json_object *obj;
	char buf[512];
	int r;

	r = sb_addr_from_text(text, family, protocol, &ss, &len, &err);
	if (r < 0) {
		check_error(r, &err);
		return;
	}
	FUZZ_ASSERT(len >= sizeof(sa_family_t) && len <= sizeof(ss));
	r = sb_addr_to_text((struct sockaddr *)&ss, len, protocol, buf, sizeof(buf), &err);
	if (r < 0)
		fprintf(FUZZ_ERR, "'%s' parsed but does not format: %s\n", text, err.message);
	FUZZ_ASSERT(r == 0);
	r = sb_addr_from_text(buf, family, protocol, &ss2, &len2, &err);
	if (r < 0)
		fprintf(FUZZ_ERR, "'%s' formats as '%s', which is refused: %s\n", text, buf,
			err.message);
	FUZZ_ASSERT(r == 0);
	same_address(&ss, len, &ss2, len2);

	obj = sb_addr_to_json((struct sockaddr *)&ss, len, protocol, &err);
	FUZZ_ASSERT(obj);
	FUZZ_ASSERT(sb_addr_from_json(obj, family, protocol, &ss2, &len2, &err) == 0);
	same_address(&ss, len, &ss2, len2);
	json_object_put(obj);
}

static void fuzz_spec(const char *text)
{
	struct sb_spec spec, again;
	struct sb_error err = {0};
	struct sockaddr_storage ss;
	socklen_t len;
	json_object *params, *bind;
	char buf[2048];
	int r;

	r = sb_spec_parse(text, &spec, &err);
	if (r < 0) {
		check_error(r, &err);
		return;
	}
	r = sb_spec_format(&spec, buf, sizeof(buf));
	if (r < 0)
		fprintf(FUZZ_ERR, "spec '%s' does not format: %d\n", text, r);
	FUZZ_ASSERT(r == 0);
	r = sb_spec_parse(buf, &again, &err);
	if (r < 0)
		fprintf(FUZZ_ERR, "'%s' formats as '%s', which is refused: %s\n", text, buf,
			err.message);
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(again.family == spec.family && again.type == spec.type &&
		    again.protocol == spec.protocol && again.has_address == spec.has_address);
	FUZZ_ASSERT(again.n_options == spec.n_options && again.backlog == spec.backlog &&
		    strcmp(again.netns, spec.netns) == 0);
	for (size_t i = 0; i < spec.n_options; i++)
		FUZZ_ASSERT(again.options[i].def == spec.options[i].def &&
			    again.options[i].value == spec.options[i].value &&
			    strcmp(again.options[i].text, spec.options[i].text) == 0);
	if (spec.has_address)
		same_address(&spec.address, spec.address_len, &again.address, again.address_len);

	/* The Socket call made from it carries the same address. */
	params = sb_spec_to_params(&spec, &err);
	FUZZ_ASSERT(params);
	if (spec.has_address) {
		FUZZ_ASSERT(json_object_object_get_ex(params, "bind", &bind));
		FUZZ_ASSERT(sb_addr_from_json(bind, spec.family, spec.protocol, &ss, &len, &err) ==
			    0);
		same_address(&spec.address, spec.address_len, &ss, len);
	}
	json_object_put(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	int family = families[fuzz_u8(&in) % ELEMENTSOF(families)];
	int protocol = protocols[fuzz_u8(&in) % ELEMENTSOF(protocols)];
	uint8_t mode = fuzz_u8(&in);
	char *text = fuzz_rest_string(&in, NULL);

	if (mode & 1)
		fuzz_spec(text);
	else
		fuzz_address(text, family, protocol);
	free(text);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}
