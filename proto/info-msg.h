/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Info: the call (no parameters) and its reply as
 * structs, and their field tables (fields.h). The reply's nested values
 * (Limits, Caller, the lists) stay JSON: only their readers look inside,
 * each for what it shows. */
#pragma once

#include <json-c/json.h>

#include "proto/fields.h"

struct sb_info_reply {
	const char *version;
	json_object *limits;   /* Limits: the broker's limits by name */
	json_object *families; /* the families its kernel has, by name */
	json_object *features; /* the optional parts of the build it has */
	json_object *caller;   /* Caller: uid, gid, pid, groups */
};

extern const struct sb_message_def sb_info_call_def;
extern const struct sb_message_def sb_info_reply_def;
