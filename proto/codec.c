/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/socket.h>

#include "proto/codec.h"
#include "proto/compact-bind.h"
#include "proto/compact-socket.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

_Static_assert(SB_COMPACT_SOCKET_MAX <= SB_COMPACT_MAX, "compact Socket fits");
_Static_assert(SB_COMPACT_BIND_MAX <= SB_COMPACT_MAX, "compact Bind fits");

const struct sb_message_def *const sb_message_defs[] = {
	&sb_socket_call_def,
	&sb_socket_reply_def,
	&sb_bind_call_def,
	&sb_bind_reply_def,
	&sb_setsockopt_call_def,
	&sb_setsockopt_reply_def,
	&sb_info_call_def,
	&sb_info_reply_def,
	&sb_admin_status_call_def,
	&sb_admin_status_reply_def,
	&sb_admin_list_call_def,
	&sb_admin_list_reply_def,
	&sb_admin_check_call_def,
	&sb_admin_check_reply_def,
	&sb_admin_reload_call_def,
	&sb_admin_reload_reply_def,
	&sb_get_info_call_def,
	&sb_get_info_reply_def,
	&sb_get_interface_description_call_def,
	&sb_get_interface_description_reply_def,
	NULL,
};

/* The compact Socket call, taken only when the table would take it as
 * well (sb_fields_valid()): outside the ranges the general reader words
 * the error. */
static bool compact_socket_call(const char *data, size_t len, struct sb_call *call)
{
	struct sb_socket_call *m = &call->args.socket;
	struct sb_compact_socket s;

	if (!sb_compact_socket_call_parse(data, len, &s))
		return false;
	m->family = s.family;
	m->type = s.type;
	m->flags = s.flags;
	m->protocol = s.protocol;
	m->n_options = 0;
	m->bind = NULL;
	m->backlog = -1;
	m->netns = NULL;
	/* family, type, flags, protocol: the fields it carries. */
	if (!sb_fields_valid(&sb_socket_call_def, 4, m))
		return false;
	call->method = SB_METHOD_SOCKET;
	call->args_def = &sb_socket_call_def;
	return true;
}

static bool compact_bind_call(const char *data, size_t len, struct sb_call *call)
{
	struct sb_bind_call *m = &call->args.bind;

	if (!sb_compact_bind_call_parse(data, len, &m->sa, &m->sa_len))
		return false;
	m->fd = 0;
	m->address = NULL;
	m->protocol = 0;
	call->method = SB_METHOD_BIND;
	call->args_def = &sb_bind_call_def;
	return true;
}

/* Every compact call begins so: the method's name after it picks the
 * one reader to try (each checks the whole message). */
#define COMPACT_CALL_HEAD "{\"method\":\"" SB_INTERFACE "."

static bool compact_call(const char *data, size_t len, struct sb_call *call)
{
	size_t n = sizeof(COMPACT_CALL_HEAD) - 1;

	if (len <= n)
		return false;
	if (data[n] == 'S')
		return compact_socket_call(data, len, call);
	if (data[n] == 'B')
		return compact_bind_call(data, len, call);
	return false;
}

int sb_call_read(const char *data, size_t len, struct sb_call *call, struct sb_error *err)
{
	call->root = NULL;
	call->parameters = NULL;
	call->oneway = call->more = false;
	if (compact_call(data, len, call))
		return 0;
	return sb_call_parse(data, len, call, err);
}

int sb_call_args(struct sb_call *call, const struct sb_message_def *def, struct sb_error *err)
{
	int r;

	if (call->args_def == def)
		return 0;
	memset(&call->args, 0, sizeof(call->args));
	r = sb_fields_read(def, call->parameters, &call->args, err);
	if (r < 0)
		return r;
	call->args_def = def;
	return 0;
}

int sb_reply_read(const char *data, size_t len, struct sb_reply *reply, struct sb_error *err)
{
	struct sb_compact_socket s;

	if (sb_compact_socket_reply_read(data, len, &s)) {
		*reply = (struct sb_reply){.args_def = &sb_socket_reply_def};
		reply->args.socket = (struct sb_socket_reply){
			.family = s.family,
			.type = s.type,
			.protocol = s.protocol,
		};
		return 0;
	}
	if (sb_compact_bind_reply_read(data, len, &reply->args.bind.sa, &reply->args.bind.sa_len)) {
		struct sb_bind_reply b = reply->args.bind;

		b.address = NULL;
		b.protocol = 0;
		*reply = (struct sb_reply){.args_def = &sb_bind_reply_def};
		reply->args.bind = b;
		return 0;
	}
	return sb_reply_parse(data, len, reply, err);
}

json_object *sb_reply_parameters(struct sb_reply *reply)
{
	if (!reply->parameters && reply->args_def)
		reply->parameters = reply->root = sb_fields_write(reply->args_def, &reply->args);
	return reply->parameters;
}

int sb_reply_args(struct sb_reply *reply, const struct sb_message_def *def, void *args,
		  struct sb_error *err)
{
	if (reply->args_def == def) {
		memcpy(args, &reply->args, def->size);
		return 0;
	}
	if (!reply->parameters)
		return sb_error_set(err, SB_ERR_PROTOCOL, EPROTO, NULL, "reply of another method");
	return sb_fields_read(def, reply->parameters, args, err);
}

/* The compact spelling of a message, when it fits one: its length, or
 * -1. */
static int compact_write(const struct sb_message_def *def, const void *args, char *buf, size_t size)
{
	/* Replies first: the daemon writes the most messages. */
	if (def == &sb_socket_reply_def) {
		const struct sb_socket_reply *m = args;

		if (m->address)
			return -1;
		return sb_compact_socket_reply_format(buf, size, m->family, m->type, m->protocol);
	}
	if (def == &sb_bind_reply_def) {
		const struct sb_bind_reply *m = args;

		if (m->address || !m->sa_len)
			return -1;
		return sb_compact_bind_reply_format(buf, size, (const struct sockaddr *)&m->sa,
						    m->sa_len);
	}
	if (def == &sb_socket_call_def) {
		const struct sb_socket_call *m = args;
		struct sb_compact_socket s = {m->family, m->type, m->flags, m->protocol};

		if (m->n_options || m->bind || m->backlog >= 0 || m->netns)
			return -1;
		return sb_compact_socket_call_format(buf, size, &s);
	}
	if (def == &sb_bind_call_def) {
		const struct sb_bind_call *m = args;

		if (m->address || !m->sa_len)
			return -1;
		return sb_compact_bind_call_format(buf, size, (const struct sockaddr *)&m->sa,
						   m->sa_len);
	}
	return -1;
}

static int wire_of(json_object *msg, struct sb_wire *w)
{
	if (!msg)
		return -ENOMEM;
	w->text = sb_message_string(msg, &w->len);
	if (!w->text) {
		json_object_put(msg);
		return -ENOMEM;
	}
	w->msg = msg;
	return 0;
}

static int write_message(const struct sb_message_def *def, const void *args, struct sb_wire *w)
{
	json_object *params;
	int n;

	w->msg = NULL;
	n = compact_write(def, args, w->buf, sizeof(w->buf));
	if (n >= 0) {
		w->text = w->buf;
		w->len = (size_t)n;
		return 0;
	}
	params = sb_fields_write(def, args);
	if (!params)
		return -ENOMEM;
	return wire_of(def->reply ? sb_reply_new(params, false)
				  : sb_call_new(def->method, params, false, false),
		       w);
}

int sb_call_write(const struct sb_message_def *def, const void *args, struct sb_wire *w)
{
	return write_message(def, args, w);
}

int sb_reply_write(const struct sb_message_def *def, const void *args, struct sb_wire *w)
{
	return write_message(def, args, w);
}
