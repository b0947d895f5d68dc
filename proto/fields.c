/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "proto/fields.h"
#include "proto/json-util.h"
#include "proto/params.h"

#define FIELDS_MAX 16

static int *int_at(void *msg, const struct sb_field *f)
{
	return (int *)((char *)msg + f->offset);
}

static bool known(const struct sb_message_def *def, const char *key)
{
	for (size_t i = 0; i < def->n_fields; i++)
		if (strcmp(def->fields[i].name, key) == 0)
			return true;
	return false;
}

/* An unknown member: sb_params_only() words it. */
static int only_known(const struct sb_message_def *def, json_object *params, struct sb_error *err)
{
	const char *keys[FIELDS_MAX + 1] = {NULL};

	json_object_object_foreach(params, key, val) {
		(void)val;
		if (known(def, key))
			continue;
		for (size_t i = 0; i < def->n_fields && i < FIELDS_MAX; i++)
			keys[i] = def->fields[i].name;
		return sb_params_only(params, keys, err);
	}
	return 0;
}

static int read_field(const struct sb_field *f, json_object *params, void *msg,
		      struct sb_error *err)
{
	bool required = f->flags & SB_FIELD_REQUIRED;
	int64_t v;
	int r;

	if (f->read)
		return f->read(f, params, msg, err);
	switch (f->kind) {
	case SB_FIELD_INT:
	case SB_FIELD_CONST:
		r = f->kind == SB_FIELD_INT
			    ? sb_param_int(params, f->name, required, f->min, f->max, &v, err)
			    : sb_param_const(params, f->name, f->group, required, f->min, f->max,
					     &v, err);
		if (r >= 0)
			*int_at(msg, f) = r > 0 ? (int)v : f->absent;
		return r;
	case SB_FIELD_INT64:
		r = sb_param_int(params, f->name, required, f->min, f->max, &v, err);
		if (r >= 0)
			*(int64_t *)((char *)msg + f->offset) = r > 0 ? v : f->absent;
		return r;
	case SB_FIELD_STRING:
		return sb_param_string(params, f->name, required, (size_t)f->max,
				       (const char **)((char *)msg + f->offset), err);
	case SB_FIELD_OBJECT:
		return sb_param_object(params, f->name, required,
				       (json_object **)((char *)msg + f->offset), err);
	case SB_FIELD_ARRAY:
		return sb_param_array(params, f->name, required, (size_t)f->max,
				      (json_object **)((char *)msg + f->offset), err);
	case SB_FIELD_CUSTOM:
		return 0;
	}
	return sb_error_set(err, SB_ERR_SYSTEM, EINVAL, NULL, "%s: no such field kind", f->name);
}

int sb_fields_read(const struct sb_message_def *def, json_object *params, void *msg,
		   struct sb_error *err)
{
	int r;

	/* A reader of replies lets members it does not know pass: a newer
	 * broker may add some. */
	r = def->reply ? 0 : only_known(def, params, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < def->n_fields; i++) {
		r = read_field(&def->fields[i], params, msg, err);
		if (r < 0)
			return r;
	}
	return def->check ? def->check(msg, err) : 0;
}

bool sb_fields_valid(const struct sb_message_def *def, size_t n, void *msg)
{
	for (size_t i = 0; i < n && i < def->n_fields; i++) {
		const struct sb_field *f = &def->fields[i];
		int v = *int_at(msg, f);

		if (f->kind != SB_FIELD_INT && f->kind != SB_FIELD_CONST)
			continue;
		if (!(f->flags & SB_FIELD_REQUIRED) && v == f->absent)
			continue;
		if (v < f->min || v > f->max)
			return false;
	}
	return !def->check || def->check(msg, NULL) >= 0;
}

static int write_field(const struct sb_field *f, const void *msg, json_object *obj)
{
	const char *base = msg;
	bool optional = !(f->flags & SB_FIELD_REQUIRED);
	int v;

	if (f->write)
		return f->write(f, msg, obj);
	switch (f->kind) {
	case SB_FIELD_INT:
	case SB_FIELD_CONST:
		v = *(const int *)(base + f->offset);
		if (optional && v == f->absent)
			return 0;
		return sb_json_add(obj, f->name,
				   f->kind == SB_FIELD_INT ? json_object_new_int(v)
							   : sb_const_json(f->group, v));
	case SB_FIELD_INT64: {
		int64_t i = *(const int64_t *)(base + f->offset);

		if (optional && i == f->absent)
			return 0;
		return sb_json_add(obj, f->name, json_object_new_int64(i));
	}
	case SB_FIELD_STRING: {
		const char *s = *(const char *const *)(base + f->offset);

		return s ? sb_json_add(obj, f->name, json_object_new_string(s)) : 0;
	}
	case SB_FIELD_OBJECT:
	case SB_FIELD_ARRAY: {
		json_object *o = *(json_object *const *)(base + f->offset);

		if (!o)
			return optional ? 0 : json_object_object_add(obj, f->name, NULL);
		return sb_json_add(obj, f->name, json_object_get(o));
	}
	case SB_FIELD_CUSTOM:
		return 0;
	}
	return -EINVAL;
}

json_object *sb_fields_write(const struct sb_message_def *def, const void *msg)
{
	_cleanup_json_ json_object *obj = json_object_new_object();

	for (size_t i = 0; obj && i < def->n_fields; i++)
		if (write_field(&def->fields[i], msg, obj) < 0)
			return NULL;
	return TAKE_PTR(obj);
}
