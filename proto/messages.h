/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every method's call and reply as a struct (fields.h), and room for
 * any one of them; a call or reply without parameters has no member. */
#pragma once

#include "proto/admin-msg.h"
#include "proto/bind-msg.h"
#include "proto/info-msg.h"
#include "proto/service-msg.h"
#include "proto/setsockopt-msg.h"
#include "proto/socket-msg.h"

union sb_call_args {
	struct sb_socket_call socket;
	struct sb_bind_call bind;
	struct sb_setsockopt_call setsockopt;
	struct sb_admin_list_call admin_list;
	struct sb_admin_check_call admin_check;
	struct sb_get_interface_description_call get_interface_description;
};

union sb_reply_args {
	struct sb_socket_reply socket;
	struct sb_bind_reply bind;
	struct sb_info_reply info;
	struct sb_admin_status_reply admin_status;
	struct sb_admin_list_reply admin_list;
	struct sb_admin_check_reply admin_check;
	struct sb_admin_reload_reply admin_reload;
	struct sb_get_info_reply get_info;
	struct sb_get_interface_description_reply get_interface_description;
};

/* Every definition, calls and replies, for the tests that compare them
 * with the interface files; NULL-terminated. */
extern const struct sb_message_def *const sb_message_defs[];
