/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proto/info-msg.h"
#include "proto/json-util.h"
#include "proto/params.h"
#include "proto/protocol.h"

#define REPLY(member) SB_FIELD_AT(struct sb_info_reply, member)

/* Room to spare: fewer than 64 families exist (AF_MAX), and a handful
 * of features. */
#define FAMILIES_MAX 256
#define FEATURES_MAX 64

/* The broker always sends features; a client still reads the reply of
 * a broker older than the field, which has none to tell. */
static int read_features(const struct sb_field *f, json_object *params, void *msg,
			 struct sb_error *err)
{
	struct sb_info_reply *m = msg;

	m->features = NULL;
	return sb_param_array(params, f->name, false, (size_t)f->max, &m->features, err);
}

static void reply_done(void *msg)
{
	struct sb_info_reply *m = msg;

	json_object_put(m->limits);
	json_object_put(m->families);
	json_object_put(m->features);
	json_object_put(m->caller);
	*m = (struct sb_info_reply){.version = NULL};
}

const struct sb_message_def sb_info_call_def = {
	.size = 0, /* no parameters */
	.method = SB_METHOD_INFO,
};

static const struct sb_field info_reply_fields[] = {
	{"version", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, REPLY(version), .max = 64},
	{"limits", "Limits", SB_FIELD_OBJECT, SB_FIELD_REQUIRED, REPLY(limits)},
	{"families", "[]string", SB_FIELD_ARRAY, SB_FIELD_REQUIRED, REPLY(families),
	 .max = FAMILIES_MAX},
	{"features", "[]string", SB_FIELD_ARRAY, SB_FIELD_REQUIRED, REPLY(features),
	 .max = FEATURES_MAX, .read = read_features},
	{"caller", "Caller", SB_FIELD_OBJECT, SB_FIELD_REQUIRED, REPLY(caller)},
};

const struct sb_message_def sb_info_reply_def = {
	.size = sizeof(struct sb_info_reply),
	.method = SB_METHOD_INFO,
	.reply = true,
	.fields = info_reply_fields,
	.n_fields = ELEMENTSOF(info_reply_fields),
	.done = reply_done,
};
