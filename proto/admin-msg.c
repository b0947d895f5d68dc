/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdint.h>

#include "proto/admin-msg.h"
#include "proto/json-util.h"
#include "proto/params.h"
#include "proto/protocol.h"

#define STATUS(member) SB_FIELD_AT(struct sb_admin_status_reply, member)
#define LIST_CALL(member) SB_FIELD_AT(struct sb_admin_list_call, member)
#define LIST_REPLY(member) SB_FIELD_AT(struct sb_admin_list_reply, member)
#define CHECK_CALL(member) SB_FIELD_AT(struct sb_admin_check_call, member)
#define CHECK_REPLY(member) SB_FIELD_AT(struct sb_admin_check_reply, member)
#define RELOAD(member) SB_FIELD_AT(struct sb_admin_reload_reply, member)

/* No list has more elements than its message has bytes. */
#define FILES_MAX SB_MESSAGE_MAX
/* Longest user name or uid, and method name, a Check takes. */
#define USER_MAX 64
#define METHOD_MAX 16
/* A rule is named file:line. */
#define RULE_MAX 4096

/* Counters and times: never negative. */
#define COUNT(name, member)                                                                      \
	{                                                                                        \
		name, "int", SB_FIELD_INT64, SB_FIELD_REQUIRED, STATUS(member), .min = 0,        \
										.max = INT64_MAX \
	}

static void status_reply_done(void *msg)
{
	struct sb_admin_status_reply *m = msg;

	json_object_put(m->policy_files);
	m->policy_files = NULL;
}

const struct sb_message_def sb_admin_status_call_def = {
	.size = 0, /* no parameters */
	.method = SB_METHOD_ADMIN_STATUS,
};

static const struct sb_field status_reply_fields[] = {
	{"version", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, STATUS(version), .max = 64},
	COUNT("uptime_usec", uptime_usec),
	COUNT("connections", connections),
	COUNT("grants", grants),
	COUNT("denials", denials),
	COUNT("errors", errors),
	COUNT("rules", rules),
	{"policy_files", "[]string", SB_FIELD_ARRAY, SB_FIELD_REQUIRED, STATUS(policy_files),
	 .max = FILES_MAX},
};

const struct sb_message_def sb_admin_status_reply_def = {
	.size = sizeof(struct sb_admin_status_reply),
	.method = SB_METHOD_ADMIN_STATUS,
	.reply = true,
	.fields = status_reply_fields,
	.n_fields = ELEMENTSOF(status_reply_fields),
	.done = status_reply_done,
};

static const struct sb_field list_call_fields[] = {
	{"offset", "?int", SB_FIELD_INT, 0, LIST_CALL(offset), .min = 0, .max = INT32_MAX,
	 .absent = 0},
	{"limit", "?int", SB_FIELD_INT, 0, LIST_CALL(limit), .min = 1, .max = SB_LIST_PAGE_MAX,
	 .absent = SB_LIST_PAGE_MAX},
};

const struct sb_message_def sb_admin_list_call_def = {
	.size = sizeof(struct sb_admin_list_call),
	.method = SB_METHOD_ADMIN_LIST,
	.fields = list_call_fields,
	.n_fields = ELEMENTSOF(list_call_fields),
};

static void list_reply_done(void *msg)
{
	struct sb_admin_list_reply *m = msg;

	json_object_put(m->grants);
	m->grants = NULL;
}

static const struct sb_field list_reply_fields[] = {
	{"grants", "[]Grant", SB_FIELD_ARRAY, SB_FIELD_REQUIRED, LIST_REPLY(grants),
	 .max = SB_LIST_PAGE_MAX},
	{"total", "int", SB_FIELD_INT, SB_FIELD_REQUIRED, LIST_REPLY(total), .min = 0,
	 .max = INT32_MAX},
};

const struct sb_message_def sb_admin_list_reply_def = {
	.size = sizeof(struct sb_admin_list_reply),
	.method = SB_METHOD_ADMIN_LIST,
	.reply = true,
	.fields = list_reply_fields,
	.n_fields = ELEMENTSOF(list_reply_fields),
	.done = list_reply_done,
};

/* The interface file has keys required, but the broker has always read
 * a Check without them as one with none: kept so. Their values are the
 * handler's to check, once it knows who asks (daemon/method-admin.c). */
static int read_keys(const struct sb_field *f, json_object *params, void *msg, struct sb_error *err)
{
	struct sb_admin_check_call *m = msg;

	m->keys = NULL;
	return sb_param_object(params, f->name, false, &m->keys, err);
}

static const struct sb_field check_call_fields[] = {
	{"user", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, CHECK_CALL(user), .max = USER_MAX},
	{"method", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, CHECK_CALL(method),
	 .max = METHOD_MAX},
	{"keys", "[string]string", SB_FIELD_OBJECT, SB_FIELD_REQUIRED, CHECK_CALL(keys),
	 .read = read_keys},
};

const struct sb_message_def sb_admin_check_call_def = {
	.size = sizeof(struct sb_admin_check_call),
	.method = SB_METHOD_ADMIN_CHECK,
	.fields = check_call_fields,
	.n_fields = ELEMENTSOF(check_call_fields),
};

static const struct sb_field check_reply_fields[] = {
	{"decision", "string", SB_FIELD_STRING, SB_FIELD_REQUIRED, CHECK_REPLY(decision), .max = 8},
	{"rule", "?string", SB_FIELD_STRING, 0, CHECK_REPLY(rule), .max = RULE_MAX},
};

const struct sb_message_def sb_admin_check_reply_def = {
	.size = sizeof(struct sb_admin_check_reply),
	.method = SB_METHOD_ADMIN_CHECK,
	.reply = true,
	.fields = check_reply_fields,
	.n_fields = ELEMENTSOF(check_reply_fields),
};

static void reload_reply_done(void *msg)
{
	struct sb_admin_reload_reply *m = msg;

	json_object_put(m->policy_files);
	m->policy_files = NULL;
}

const struct sb_message_def sb_admin_reload_call_def = {
	.size = 0, /* no parameters */
	.method = SB_METHOD_ADMIN_RELOAD,
};

static const struct sb_field reload_reply_fields[] = {
	{"rules", "int", SB_FIELD_INT64, SB_FIELD_REQUIRED, RELOAD(rules), .min = 0,
	 .max = INT64_MAX},
	{"policy_files", "[]string", SB_FIELD_ARRAY, SB_FIELD_REQUIRED, RELOAD(policy_files),
	 .max = FILES_MAX},
};

const struct sb_message_def sb_admin_reload_reply_def = {
	.size = sizeof(struct sb_admin_reload_reply),
	.method = SB_METHOD_ADMIN_RELOAD,
	.reply = true,
	.fields = reload_reply_fields,
	.n_fields = ELEMENTSOF(reload_reply_fields),
	.done = reload_reply_done,
};
