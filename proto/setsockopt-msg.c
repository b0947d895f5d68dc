/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proto/json-util.h"
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

/* All four, as the option's object has them. */
static int write_option(const struct sb_field *f, const void *msg, json_object *obj)
{
	_cleanup_json_ json_object *o =
		sb_sockopt_json(&((const struct sb_setsockopt_call *)msg)->opt);
	struct json_object_iterator it, end;

	if (!o)
		return -ENOMEM;
	end = json_object_iter_end(o);
	for (it = json_object_iter_begin(o); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it))
		if (sb_json_add(obj, json_object_iter_peek_name(&it),
				json_object_get(json_object_iter_peek_value(&it))) < 0)
			return -ENOMEM;
	return 0;
}

static const struct sb_field setsockopt_call_fields[] = {
	{"fd", "int", SB_FIELD_INT, SB_FIELD_REQUIRED, CALL(fd), .min = 0, .max = 0},
	{"level", "string", SB_FIELD_CUSTOM, SB_FIELD_REQUIRED, CALL(opt), .read = read_option,
	 .write = write_option},
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
