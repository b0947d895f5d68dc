/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Bind: the call and its reply as structs, and their field
 * tables (fields.h). */
#pragma once

#include <json-c/json.h>
#include <sys/socket.h>

#include "proto/fields.h"

struct sb_bind_call {
	int fd; /* 0: the descriptor the call carries */
	/* The address object, read by the socket's family (addr.h). NULL
	 * when the compact spelling carried the call: then sa holds it. */
	json_object *address;
	/* The address as a sockaddr of a socket of protocol: read from the
	 * compact spelling (IPv4 or IPv6), or given to the writer instead
	 * of address; sa_len 0: none. */
	struct sockaddr_storage sa;
	socklen_t sa_len;
	int protocol;
};

struct sb_bind_reply {
	json_object *address; /* the address the socket got; null: none */
	/* Or, when address is NULL and sa_len is not 0, that address as a
	 * sockaddr of a socket of protocol: written by the codec (codec.h). */
	struct sockaddr_storage sa;
	socklen_t sa_len;
	int protocol;
};

extern const struct sb_message_def sb_bind_call_def;
extern const struct sb_message_def sb_bind_reply_def;

/* The call's address as an object, made from sa when the compact
 * spelling carried it (call->address owns it then). NULL when out of
 * memory. */
json_object *sb_bind_call_address(struct sb_bind_call *call);
