/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proto/json-util.h"
#include "proto/protocol.h"
#include "proto/service-msg.h"

#define INFO(member) SB_FIELD_AT(struct sb_get_info_reply, member)
#define DESC_CALL(member) SB_FIELD_AT(struct sb_get_interface_description_call, member)
#define DESC_REPLY(member) SB_FIELD_AT(struct sb_get_interface_description_reply, member)

/* Interface names are reverse domain names, which DNS keeps under 256
 * bytes. */
#define INTERFACE_NAME_MAX 255
/* What fits a message, for what only the broker writes. */
#define TEXT_MAX SB_MESSAGE_MAX

static void get_info_reply_done(void *msg)
{
	struct sb_get_info_reply *m = msg;

	json_object_put(m->interfaces);
	m->interfaces = NULL;
}

const struct sb_message_def sb_get_info_call_def = {
	.size = 0, /* no parameters */
	.method = SB_METHOD_GET_INFO,
};

static const struct sb_field get_info_reply_fields[] = {
	{"vendor", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, INFO(vendor), .max = TEXT_MAX},
	{"product", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, INFO(product), .max = TEXT_MAX},
	{"version", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, INFO(version), .max = TEXT_MAX},
	{"url", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, INFO(url), .max = TEXT_MAX},
	{"interfaces", "[]string", SB_FIELD_ARRAY, SB_FIELD_REQUIRED, INFO(interfaces),
	 .max = TEXT_MAX},
};

const struct sb_message_def sb_get_info_reply_def = {
	.size = sizeof(struct sb_get_info_reply),
	.method = SB_METHOD_GET_INFO,
	.reply = true,
	.fields = get_info_reply_fields,
	.n_fields = ELEMENTSOF(get_info_reply_fields),
	.done = get_info_reply_done,
};

static const struct sb_field get_interface_description_call_fields[] = {
	{"interface", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, DESC_CALL(interface),
	 .max = INTERFACE_NAME_MAX},
};

const struct sb_message_def sb_get_interface_description_call_def = {
	.size = sizeof(struct sb_get_interface_description_call),
	.method = SB_METHOD_GET_INTERFACE_DESCRIPTION,
	.fields = get_interface_description_call_fields,
	.n_fields = ELEMENTSOF(get_interface_description_call_fields),
};

static const struct sb_field get_interface_description_reply_fields[] = {
	{"description", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, DESC_REPLY(description),
	 .max = TEXT_MAX},
};

const struct sb_message_def sb_get_interface_description_reply_def = {
	.size = sizeof(struct sb_get_interface_description_reply),
	.method = SB_METHOD_GET_INTERFACE_DESCRIPTION,
	.reply = true,
	.fields = get_interface_description_reply_fields,
	.n_fields = ELEMENTSOF(get_interface_description_reply_fields),
};
