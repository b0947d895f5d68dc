/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The methods whose calls and replies are structs (fields.h), and room
 * for any one of them. */
#pragma once

#include "proto/bind-msg.h"
#include "proto/setsockopt-msg.h"
#include "proto/socket-msg.h"

union sb_call_args {
	struct sb_socket_call socket;
	struct sb_bind_call bind;
	struct sb_setsockopt_call setsockopt;
};

union sb_reply_args {
	struct sb_socket_reply socket;
	struct sb_bind_reply bind;
};

/* Every definition, calls and replies, for the tests that compare them
 * with the interface file; NULL-terminated. */
extern const struct sb_message_def *const sb_message_defs[];
