/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed getters for a message's parameters that name the offending one
 * precisely, and the check that no key is beyond those allowed. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "proto/json-util.h"
#include "proto/params.h"
#include "proto/protocol.h"

/* Longest constant name looked up in the tables. */
#define CONST_NAME_MAX 64u

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* A copy of a key from the input that is safe to print. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* "an integer", "a string"... for messages. */
static const char *type_name(enum json_type type)
{
	switch (type) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fractional number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown type";
}

static bool key_allowed(const char *const *allowed, const char *key)
{
	for (; *allowed; allowed++)
		if (strcmp(*allowed, key) == 0)
			return true;
	return false;
}

int sb_keys_only(json_object *obj, const char *const *allowed, const char *what,
		 struct sb_error *err)
{
	struct json_object_iterator it, end;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return 0;
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		char name[sizeof(((struct sb_error *)NULL)->parameter)];

		if (key_allowed(allowed, key))
			continue;
		printable(key, name, sizeof(name));
		return sb_error_param(err, name, "unknown %s '%s'", what, name);
	}
	return 0;
}

int sb_params_only(json_object *obj, const char *const *allowed, struct sb_error *err)
{
	return sb_keys_only(obj, allowed, "parameter", err);
}

/* The value under key, NULL when absent or null. */
static json_object *param_get(json_object *obj, const char *key)
{
	if (!obj || !key || !json_object_is_type(obj, json_type_object))
		return NULL;
	return sb_json_get(obj, key);
}

static int param_absent(const char *key, bool required, struct sb_error *err)
{
	if (required)
		return sb_error_param(err, key, "%s: missing required parameter", key);
	return 0;
}

/* The start of the getters for one JSON type: 1 with the value under
 * key in *ret, 0 when it is absent and not required, or the error. */
static int param_typed(json_object *obj, const char *key, bool required, enum json_type type,
		       json_object **ret, struct sb_error *err)
{
	json_object *v = param_get(obj, key);

	if (!v)
		return param_absent(key, required, err);
	if (!json_object_is_type(v, type))
		return sb_error_param(err, key, "%s: expected %s, got %s", key, type_name(type),
				      type_name(json_object_get_type(v)));
	*ret = v;
	return 1;
}

int sb_param_string(json_object *obj, const char *key, bool required, size_t max_len,
		    const char **ret, struct sb_error *err)
{
	json_object *v;
	const char *s;
	size_t len;
	int r;

	r = param_typed(obj, key, required, json_type_string, &v, err);
	if (r <= 0)
		return r;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	/* "\u0000" is valid JSON, but no C string can carry it. */
	if (strlen(s) != len)
		return sb_error_param(err, key, "%s: string contains a NUL character", key);
	if (len > max_len)
		return sb_error_param(err, key, "%s: string longer than %zu bytes (%zu)", key,
				      max_len, len);
	if (ret)
		*ret = s;
	return 1;
}

/* v as an integer in min..max. json-c saturates numbers beyond 64 bits to
 * INT64_MIN or UINT64_MAX without telling, so those two values are refused
 * as out of range whatever the bounds. */
static int int_value(json_object *v, const char *key, int64_t min, int64_t max, int64_t *ret,
		     struct sb_error *err)
{
	int64_t i;
	uint64_t u;

	if (json_object_is_type(v, json_type_double))
		return sb_error_param(err, key,
				      "%s: expected an integer in %" PRId64 "..%" PRId64 ", got %s",
				      key, min, max, json_object_to_json_string(v));
	if (!json_object_is_type(v, json_type_int))
		return sb_error_param(err, key,
				      "%s: expected an integer in %" PRId64 "..%" PRId64 ", got %s",
				      key, min, max, type_name(json_object_get_type(v)));
	i = json_object_get_int64(v);
	if (i == INT64_MAX) {
		u = json_object_get_uint64(v);
		if (u == UINT64_MAX)
			i = INT64_MIN;
		else if (u > (uint64_t)INT64_MAX)
			return sb_error_param(err, key,
					      "%s: expected an integer in %" PRId64 "..%" PRId64
					      ", got %" PRIu64,
					      key, min, max, u);
	}
	if (i == INT64_MIN)
		return sb_error_param(err, key,
				      "%s: expected an integer in %" PRId64 "..%" PRId64
				      ", got a number beyond 64 bits",
				      key, min, max);
	if (i < min || i > max)
		return sb_error_param(err, key,
				      "%s: expected an integer in %" PRId64 "..%" PRId64
				      ", got %" PRId64,
				      key, min, max, i);
	*ret = i;
	return 1;
}

int sb_param_int(json_object *obj, const char *key, bool required, int64_t min, int64_t max,
		 int64_t *ret, struct sb_error *err)
{
	json_object *v = param_get(obj, key);
	int64_t i;
	int r;

	if (!v)
		return param_absent(key, required, err);
	r = int_value(v, key, min, max, &i, err);
	if (r > 0 && ret)
		*ret = i;
	return r;
}

int sb_param_bool(json_object *obj, const char *key, bool required, bool *ret, struct sb_error *err)
{
	json_object *v;
	int r;

	r = param_typed(obj, key, required, json_type_boolean, &v, err);
	if (r > 0 && ret)
		*ret = json_object_get_boolean(v);
	return r;
}

int sb_param_object(json_object *obj, const char *key, bool required, json_object **ret,
		    struct sb_error *err)
{
	json_object *v;
	int r;

	r = param_typed(obj, key, required, json_type_object, &v, err);
	if (r > 0 && ret)
		*ret = v;
	return r;
}

int sb_param_array(json_object *obj, const char *key, bool required, size_t max_len,
		   json_object **ret, struct sb_error *err)
{
	json_object *v;
	size_t len;
	int r;

	r = param_typed(obj, key, required, json_type_array, &v, err);
	if (r <= 0)
		return r;
	len = json_object_array_length(v);
	if (len > max_len)
		return sb_error_param(err, key, "%s: more than %zu elements (%zu)", key, max_len,
				      len);
	if (ret)
		*ret = v;
	return 1;
}

/* Constant names are C identifiers; anything else is not looked up (and
 * not echoed). */
static bool valid_const_name(const char *s, size_t len)
{
	if (len == 0 || len > CONST_NAME_MAX || !(is_alpha(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_')
			return false;
	return true;
}

int sb_param_const(json_object *obj, const char *key, enum sb_const_group group, bool required,
		   int64_t min, int64_t max, int64_t *ret, struct sb_error *err)
{
	json_object *v = param_get(obj, key);
	const char *what = sb_const_group_name(group);
	const char *name;
	int64_t value;
	size_t len;
	int r;

	if (!what)
		what = "constant";
	if (!v)
		return param_absent(key, required, err);
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
		r = int_value(v, key, min, max, &value, err);
		if (r > 0 && ret)
			*ret = value;
		return r;
	}
	if (!json_object_is_type(v, json_type_string))
		return sb_error_param(err, key, "%s: expected a name (%s) or an integer, got %s",
				      key, what, type_name(json_object_get_type(v)));
	name = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(name) != len || !valid_const_name(name, len))
		return sb_error_param(err, key, "%s: malformed %s name", key, what);
	if (sb_const_value(group, name, &value) < 0)
		return sb_error_param(err, key, "%s: unknown %s '%s'", key, what, name);
	if (value < min || value > max)
		return sb_error_param(err, key,
				      "%s: %s (%" PRId64 ") is outside %" PRId64 "..%" PRId64, key,
				      name, value, min, max);
	if (ret)
		*ret = value;
	return 1;
}
