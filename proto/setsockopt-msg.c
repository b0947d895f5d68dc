/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proto/protocol.h"
#include "proto/setsockopt-msg.h"

#define CALL(member) SB_FIELD_AT(struct sb_setsockopt_call, member)

/* level, name, value and text are read together: which names and values
 * there are depends on the level and the option (option-msg.h). Only the
 * options that need privilege are brokered this way. */
static int read_option(const struct sb_field *f, json_object *params, void *msg,
		       struct sb_error *err)
{
	return sb_sockopt_parse(params, "", true, &((struct sb_setsockopt_call *)msg)->opt, err);
}

static const struct sb_field setsockopt_call_fields[] = {
	{"fd", "int", SB_FIELD_INT, SB_FIELD_REQUIRED, CALL(fd), .min = 0, .max = 0},
	{"level", "string", SB_FIELD_CUSTOM, SB_FIELD_REQUIRED, CALL(opt), .read = read_option},
	{"name", "string", SB_FIELD_CUSTOM, SB_FIELD_REQUIRED, CALL(opt)},
	{"value", "?int", SB_FIELD_CUSTOM, 0, CALL(opt)},
	{"text", "?string", SB_FIELD_CUSTOM, 0, CALL(opt)},
};

const struct sb_message_def sb_setsockopt_call_def = {
	.size = sizeof(struct sb_setsockopt_call),
	.method = SB_METHOD_SETSOCKOPT,
	.fields = setsockopt_call_fields,
	.n_fields = ELEMENTSOF(setsockopt_call_fields),
};

const struct sb_message_def sb_setsockopt_reply_def = {
	.size = 0, /* no parameters */
	.method = SB_METHOD_SETSOCKOPT,
	.reply = true,
};
