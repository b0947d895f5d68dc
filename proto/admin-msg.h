/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.admin: Status, List, Check and Reload, their calls and
 * replies as structs, and their field tables (fields.h). The lists
 * (Grant objects, policy files) and Check's keys stay JSON: only their
 * readers look inside, each for what it needs. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "proto/fields.h"

/* Grants in one List reply. A page must fit a message: an escaped task
 * name, an IPv6 address with an interface name and the rest stay well
 * under 400 bytes. */
#define SB_LIST_PAGE_MAX 128

struct sb_admin_status_reply {
	const char *version;
	int64_t uptime_usec;
	int64_t connections, grants, denials, errors, rules;
	json_object *policy_files; /* their paths */
};

struct sb_admin_list_call {
	int offset; /* absent: 0 */
	int limit;  /* absent: SB_LIST_PAGE_MAX */
};

struct sb_admin_list_reply {
	json_object *grants; /* Grant objects */
	int total;	     /* grants on all pages */
};

struct sb_admin_check_call {
	const char *user;   /* a name or a uid */
	const char *method; /* "socket", "bind", "setsockopt", "admin" */
	json_object *keys;  /* policy keys to strings; NULL: none */
};

struct sb_admin_check_reply {
	const char *decision; /* "allow" or "deny" */
	const char *rule;     /* the deciding rule; NULL: none named */
};

struct sb_admin_reload_reply {
	int64_t rules;
	json_object *policy_files;
};

extern const struct sb_message_def sb_admin_status_call_def;
extern const struct sb_message_def sb_admin_status_reply_def;
extern const struct sb_message_def sb_admin_list_call_def;
extern const struct sb_message_def sb_admin_list_reply_def;
extern const struct sb_message_def sb_admin_check_call_def;
extern const struct sb_message_def sb_admin_check_reply_def;
extern const struct sb_message_def sb_admin_reload_call_def;
extern const struct sb_message_def sb_admin_reload_reply_def;
