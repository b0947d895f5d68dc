/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.varlink.service, the introspection every Varlink service has:
 * GetInfo and GetInterfaceDescription, their calls and replies as
 * structs, and their field tables (fields.h). */
#pragma once

#include <json-c/json.h>

#include "proto/fields.h"

struct sb_get_info_reply {
	const char *vendor, *product, *version, *url;
	json_object *interfaces; /* their names */
};

struct sb_get_interface_description_call {
	const char *interface;
};

struct sb_get_interface_description_reply {
	const char *description; /* the interface file's text */
};

extern const struct sb_message_def sb_get_info_call_def;
extern const struct sb_message_def sb_get_info_reply_def;
extern const struct sb_message_def sb_get_interface_description_call_def;
extern const struct sb_message_def sb_get_interface_description_reply_def;
