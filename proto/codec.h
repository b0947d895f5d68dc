/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages read and written in their one definition (fields.h,
 * messages.h), in either spelling: general JSON (message.h) or, for the
 * calls and replies that fit one, the compact spelling. The compact
 * spelling is JSON too, fixed byte for byte, so a reader recognizes it
 * without json-c (compact-socket.h, compact-bind.h); whatever a compact
 * reader declines is read as general JSON, so both spellings of a
 * message mean the same. A writer uses the compact spelling whenever the
 * message fits it. Nothing outside proto/ knows which spelling a message
 * had. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "proto/error.h"
#include "proto/fields.h"
#include "proto/message.h"

/* The longest compact message. */
#define SB_COMPACT_MAX 192

/* Read a call from one frame: 0 or -errno with *err filled, as
 * sb_call_parse(). */
int sb_call_read(const char *data, size_t len, struct sb_call *call, struct sb_error *err);
/* Have call's parameters as def's struct in call->args (already there
 * when the compact spelling carried it). 0 or -errno with *err filled. */
int sb_call_args(struct sb_call *call, const struct sb_message_def *def, struct sb_error *err);

/* Read a reply from one frame, as sb_reply_parse(). */
int sb_reply_read(const char *data, size_t len, struct sb_reply *reply, struct sb_error *err);
/* A successful reply's parameters as def's struct: copied when read
 * compact, else read from the parameters. 0 or -errno with *err filled;
 * the struct points into reply. */
int sb_reply_args(struct sb_reply *reply, const struct sb_message_def *def, void *args,
		  struct sb_error *err);
/* The reply's parameters object, built when it was read compact. NULL
 * only when out of memory. */
json_object *sb_reply_parameters(struct sb_reply *reply);

/* A message written: text, len bytes, no NUL, in buf or in msg. */
struct sb_wire {
	const char *text;
	size_t len;
	json_object *msg;
	char buf[SB_COMPACT_MAX];
};

/* Write a call of def's method with args as its parameters. 0 or
 * -ENOMEM. */
int sb_call_write(const struct sb_message_def *def, const void *args, struct sb_wire *w);
/* Write a successful, final reply. 0 or -ENOMEM. */
int sb_reply_write(const struct sb_message_def *def, const void *args, struct sb_wire *w);
static inline void sb_wire_done(struct sb_wire *w)
{
	/* Most messages are compact: no call into json-c for them. */
	if (w->msg)
		json_object_put(w->msg);
	w->msg = NULL;
}
