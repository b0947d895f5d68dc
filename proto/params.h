/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed getters for a message's parameters, which reject wrong types
 * and out-of-range values precisely, naming the parameter. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/consts.h"
#include "proto/error.h"

/* Typed getters. Each returns 1 when the key is present and valid, 0 when
 * it is absent and not required, and -EINVAL with *err naming the key
 * (InvalidParameter) otherwise. null counts as absent. */
int sb_param_string(json_object *obj, const char *key, bool required, size_t max_len,
		    const char **ret, struct sb_error *err);
int sb_param_int(json_object *obj, const char *key, bool required, int64_t min, int64_t max,
		 int64_t *ret, struct sb_error *err);
int sb_param_bool(json_object *obj, const char *key, bool required, bool *ret,
		  struct sb_error *err);
int sb_param_object(json_object *obj, const char *key, bool required, json_object **ret,
		    struct sb_error *err);
int sb_param_array(json_object *obj, const char *key, bool required, size_t max_len,
		   json_object **ret, struct sb_error *err);
/* A constant given by name ("AF_PACKET") or by number, range-checked. */
int sb_param_const(json_object *obj, const char *key, enum sb_const_group group, bool required,
		   int64_t min, int64_t max, int64_t *ret, struct sb_error *err);

/* Strict input: fail with InvalidParameter on any key not in the
 * NULL-terminated list allowed. */
int sb_params_only(json_object *obj, const char *const *allowed, struct sb_error *err);
/* The same for the keys of any object: what says what a key is in the
 * error ("parameter", "top-level key"). */
int sb_keys_only(json_object *obj, const char *const *allowed, const char *what,
		 struct sb_error *err);
