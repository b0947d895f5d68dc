/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages as C structs, read from and written to their JSON parameters
 * through a table of fields: name, type, where in the struct, whether
 * required, the range. A message's table is its one definition: the
 * daemon, the library and the compact spellings (compact-socket.h,
 * compact-bind.h) all go through it, and check-fields compares every
 * table with the interface files (the .varlink files of proto/). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/consts.h"
#include "proto/error.h"

enum sb_field_kind {
	SB_FIELD_INT,	 /* int in min..max */
	SB_FIELD_INT64,	 /* int64_t in min..max: counters, times in µs */
	SB_FIELD_CONST,	 /* int in min..max, given as a name of group or a number */
	SB_FIELD_STRING, /* const char *, at most max bytes, into the message */
	SB_FIELD_OBJECT, /* json_object *, into the message when read (a
			  * required one NULL is written as null) */
	SB_FIELD_ARRAY,	 /* the same for an array of at most max elements,
			  * whose elements the reader checks */
	SB_FIELD_CUSTOM, /* only what read() and write() do */
};

#define SB_FIELD_REQUIRED (1u << 0)

struct sb_field;

/* Read a field from params into msg, 0 or -errno with err filled; write
 * it into obj, 0 or -ENOMEM. Either may be given for a field of any
 * kind, in place of its kind's; NULL for a custom field: read with
 * another field, or not written. */
typedef int (*sb_field_read_fn)(const struct sb_field *f, json_object *params, void *msg,
				struct sb_error *err);
typedef int (*sb_field_write_fn)(const struct sb_field *f, const void *msg, json_object *obj);

struct sb_field {
	const char *name;
	/* The type the interface file gives it ("?int", "string", ...). */
	const char *idl;
	enum sb_field_kind kind;
	unsigned flags;
	size_t offset;
	enum sb_const_group group;
	int64_t min, max;
	/* INT, INT64 and CONST: the value when absent (and not written when it
	 * holds it and the field is optional). */
	int absent;
	sb_field_read_fn read;
	sb_field_write_fn write;
};

#define SB_FIELD_AT(type, member) offsetof(type, member)

struct sb_message_def {
	/* The method, and whether this is its reply's parameters. */
	const char *method;
	bool reply;
	size_t size; /* of the struct */
	const struct sb_field *fields;
	size_t n_fields;
	/* What spans fields, once all are read; NULL: nothing. err may be
	 * NULL (sb_fields_valid()). */
	int (*check)(void *msg, struct sb_error *err);
	/* Drop the objects the struct owns: a reply's, and what was built
	 * for a call read compact (codec.h); NULL: none. A call read from
	 * JSON owns nothing: its objects are the message's. */
	void (*done)(void *msg);
};

/* Read params (an object) into msg: no member beyond the table's (a
 * reply's other members are ignored), each field in table order, then
 * the check. Strings and objects point into
 * params. 0 or -errno with *err filled. */
int sb_fields_read(const struct sb_message_def *def, json_object *params, void *msg,
		   struct sb_error *err);
/* Whether msg, filled in some other way (a compact spelling) in its
 * first n fields and with the others absent, holds what sb_fields_read()
 * would accept: each INT and CONST of those in its range, and the
 * check. */
bool sb_fields_valid(const struct sb_message_def *def, size_t n, void *msg);
/* The parameters object for msg; NULL when out of memory. */
json_object *sb_fields_write(const struct sb_message_def *def, const void *msg);
static inline void sb_message_done(const struct sb_message_def *def, void *msg)
{
	if (def->done)
		def->done(msg);
}
