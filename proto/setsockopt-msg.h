/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.SetSockOpt: the call as a struct, and its field table
 * (fields.h); its reply has no parameters. */
#pragma once

#include "proto/fields.h"
#include "proto/option-msg.h"

struct sb_setsockopt_call {
	int fd; /* 0: the descriptor the call carries */
	struct sb_sockopt opt;
};

extern const struct sb_message_def sb_setsockopt_call_def;
extern const struct sb_message_def sb_setsockopt_reply_def;
