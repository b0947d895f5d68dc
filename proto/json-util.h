/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c ownership helpers for the code that builds and parses messages
 * (proto/ and client/). */
#pragma once

#include <errno.h>
#include <json-c/json.h>

#include "proto/consts.h"
#include "proto/util.h"

static inline void sb_json_putp(json_object **o)
{
	json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(sb_json_putp)

/* The value under key of obj, NULL when absent. */
static inline json_object *sb_json_get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

/* A constant as the protocol reports it: its name when it has one, else
 * its number. */
static inline json_object *sb_json_name_or_int(const char *name, int64_t value)
{
	return name ? json_object_new_string(name) : json_object_new_int64(value);
}

static inline json_object *sb_const_json(enum sb_const_group group, int64_t value)
{
	return sb_json_name_or_int(sb_const_name(group, value), value);
}

/* Add val under key of obj. val is consumed also on failure, and a NULL
 * val is taken for the failed allocation that made it: 0 or -ENOMEM. */
static inline int sb_json_add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}
