/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-c ownership helpers for the code that builds and parses messages
 * (proto/, client/ and daemon/). */
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

/* Append val to the array arr, as sb_json_add() adds: 0 or -ENOMEM. */
static inline int sb_json_append(json_object *arr, json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

/* Building an object or array a member at a time, checked once at the
 * end: the builder keeps the first failure, and every step consumes its
 * value, taking a NULL one for the failed allocation that made it; after
 * a failure the remaining values are only freed. */
struct sb_json_builder {
	json_object *obj;
	int r; /* 0 or -ENOMEM */
};

static inline struct sb_json_builder sb_json_builder_of(json_object *obj)
{
	return (struct sb_json_builder){obj, obj ? 0 : -ENOMEM};
}

static inline struct sb_json_builder sb_json_new_object(void)
{
	return sb_json_builder_of(json_object_new_object());
}

static inline struct sb_json_builder sb_json_new_array(void)
{
	return sb_json_builder_of(json_object_new_array());
}

/* Add val under key of the object being built. */
static inline void sb_json_set(struct sb_json_builder *b, const char *key, json_object *val)
{
	if (b->r < 0)
		json_object_put(val);
	else
		b->r = sb_json_add(b->obj, key, val);
}

/* Add a JSON null under key of the object being built: a member that
 * is there with no value. */
static inline void sb_json_set_null(struct sb_json_builder *b, const char *key)
{
	if (b->r == 0 && json_object_object_add(b->obj, key, NULL) < 0)
		b->r = -ENOMEM;
}

/* Append val to the array being built. */
static inline void sb_json_push(struct sb_json_builder *b, json_object *val)
{
	if (b->r < 0)
		json_object_put(val);
	else
		b->r = sb_json_append(b->obj, val);
}

/* The object or array built, or NULL, with everything freed, when a step
 * failed. */
static inline json_object *sb_json_done(struct sb_json_builder *b)
{
	if (b->r < 0) {
		json_object_put(b->obj);
		b->obj = NULL;
	}
	return TAKE_PTR(b->obj);
}
