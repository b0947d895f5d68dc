/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Socket: the call and its reply as structs, and their
 * field tables (fields.h). */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "proto/fields.h"
#include "proto/option-msg.h"
#include "proto/protocol.h"

struct sb_socket_call {
	int family;
	int type;  /* no flags: they are in flags */
	int flags; /* SOCK_NONBLOCK, SOCK_CLOEXEC */
	int protocol;
	struct sb_sockopt options[SB_OPTIONS_MAX];
	size_t n_options;
	json_object *bind; /* read by the socket's family, in its namespace */
	int backlog;	   /* -1: no listen() */
	const char *netns; /* NULL: the broker's own namespace */
};

struct sb_socket_reply {
	int fd; /* 0: the descriptor the reply carries */
	int family, type, protocol;
	json_object *address; /* with a bind: the address the socket got */
};

extern const struct sb_message_def sb_socket_call_def;
extern const struct sb_message_def sb_socket_reply_def;

/* A call with nothing but family, type, flags and protocol. */
#define SB_SOCKET_CALL_INIT(f, t, fl, p) \
	((struct sb_socket_call){        \
		.family = (f), .type = (t), .flags = (fl), .protocol = (p), .backlog = -1})
