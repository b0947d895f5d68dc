/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink message schema: calls, replies, errors. Their parameters are
 * read by the typed getters of params.h, which this includes. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "consts.h"
#include "error.h"
#include "proto/messages.h"
#include "proto/params.h"

/* A parsed call. root owns everything; the other fields point into it.
 * A call read from JSON has parameters, never NULL (an empty object when
 * absent). One read in a compact spelling (codec.h) has no root and no
 * parameters: what it said is already in args. */
struct sb_call {
	json_object *root;
	const char *method;
	json_object *parameters;
	bool oneway;
	bool more;
	/* The parameters as a struct, once read (sb_call_args()): args_def
	 * tells which member of args. */
	const struct sb_message_def *args_def;
	union sb_call_args args;
};

/* Parse a call from one frame (data must hold no NUL before len). Rejects
 * non-objects, unknown top-level keys, nesting beyond SB_JSON_DEPTH_MAX,
 * more than SB_CALL_VALUES_MAX values (before parsing), a missing or
 * malformed method name. 0 or -errno with *err filled. */
int sb_call_parse(const char *data, size_t len, struct sb_call *call, struct sb_error *err);
void sb_call_done(struct sb_call *call);

/* A parsed reply or error reply. For an error reply, error is set and
 * errnum/errno_name/message are read from its parameters when present.
 * A successful reply read in a compact spelling (codec.h) holds its
 * parameters as a struct, args (args_def tells which), and builds the
 * object only when asked (sb_reply_parameters()). */
struct sb_reply {
	json_object *root;
	json_object *parameters; /* never NULL once read or built */
	const char *error;	 /* NULL for a successful reply */
	bool continues;
	int errnum;	     /* 0 when absent */
	const char *message; /* NULL when absent */
	const struct sb_message_def *args_def;
	union sb_reply_args args;
};

int sb_reply_parse(const char *data, size_t len, struct sb_reply *reply, struct sb_error *err);
void sb_reply_done(struct sb_reply *reply);

/* Builders. They take ownership of parameters (NULL means {}), and return
 * a new object, NULL on allocation failure. */
json_object *sb_call_new(const char *method, json_object *parameters, bool oneway, bool more);
json_object *sb_reply_new(json_object *parameters, bool continues);
/* {"error": e->name, "parameters": {"errno", "errno_name", "message"
 * [, "parameter"]}} */
json_object *sb_error_reply_new(const struct sb_error *e);

/* Wire form of a message (compact JSON, no NUL). The string belongs to
 * msg. */
const char *sb_message_string(json_object *msg, size_t *len);
