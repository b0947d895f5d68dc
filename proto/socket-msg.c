/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>

#include "proto/json-util.h"
#include "proto/params.h"
#include "proto/netns-name.h"
#include "proto/socket-msg.h"

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)
#define FAMILY_MAX (AF_MAX - 1)
#define TYPE_MAX SOCK_PACKET
/* AF_PACKET keeps only 16 bits of it: 0x10300 would be ETH_P_ALL to the
 * kernel but not to the policy. */
#define PACKET_PROTOCOL_MAX 0xffff

#define CALL(member) SB_FIELD_AT(struct sb_socket_call, member)
#define REPLY(member) SB_FIELD_AT(struct sb_socket_reply, member)

/* The type, once its flags are apart. The kernel turns PF_INET with
 * SOCK_PACKET into an AF_PACKET socket (__sock_create()): a rule about
 * AF_INET must not hand one out. */
static int check_type(const struct sb_socket_call *m, struct sb_error *err)
{
	if (m->type <= 0 || m->type > TYPE_MAX)
		return sb_error_param(err, "type", "type: no socket type %d", m->type);
	if (m->type == SOCK_PACKET && m->family != AF_PACKET)
		return sb_error_param(
			err, "type",
			"type: SOCK_PACKET is AF_PACKET's; the kernel would make an AF_PACKET socket");
	return 0;
}

static int protocol_max(int family)
{
	return family == AF_PACKET ? PACKET_PROTOCOL_MAX : INT_MAX;
}

static int read_type(const struct sb_field *f, json_object *params, void *msg, struct sb_error *err)
{
	struct sb_socket_call *m = msg;
	int64_t type;
	int r;

	r = sb_param_const(params, f->name, SB_C_SOCK, true, 1, INT_MAX, &type, err);
	if (r < 0)
		return r;
	m->type = (int)type & ~SOCK_FLAGS;
	m->flags = (int)type & SOCK_FLAGS;
	return check_type(m, err);
}

static int write_type(const struct sb_field *f, const void *msg, json_object *obj)
{
	return sb_json_add(obj, f->name,
			   sb_const_json(SB_C_SOCK, ((const struct sb_socket_call *)msg)->type));
}

static int read_flags(const struct sb_field *f, json_object *params, void *msg,
		      struct sb_error *err)
{
	struct sb_socket_call *m = msg;
	json_object *flags = NULL;
	int r;

	r = sb_param_array(params, f->name, false, 2, &flags, err);
	if (r < 0)
		return r;
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		_cleanup_json_ json_object *wrap = json_object_new_object();
		json_object *item = json_object_array_get_idx(flags, i);
		int64_t flag;

		if (!wrap)
			return sb_error_oom(err);
		/* item may be null: sb_param_const() names that error. */
		if (json_object_object_add(wrap, "flags", json_object_get(item)) < 0) {
			json_object_put(item);
			return sb_error_oom(err);
		}
		r = sb_param_const(wrap, "flags", SB_C_SOCK_FLAG, true, 1, INT_MAX, &flag, err);
		if (r < 0)
			return r;
		if (flag & ~SOCK_FLAGS)
			return sb_error_param(err, "flags",
					      "flags: only SOCK_NONBLOCK and SOCK_CLOEXEC");
		m->flags |= (int)flag;
	}
	return 0;
}

static int write_flags(const struct sb_field *f, const void *msg, json_object *obj)
{
	int flags = ((const struct sb_socket_call *)msg)->flags;
	json_object *a;

	if (!(flags & SOCK_FLAGS))
		return 0;
	a = json_object_new_array();
	if (sb_json_add(obj, f->name, a) < 0)
		return -ENOMEM;
	if ((flags & SOCK_NONBLOCK) &&
	    sb_json_append(a, json_object_new_string("SOCK_NONBLOCK")) < 0)
		return -ENOMEM;
	if ((flags & SOCK_CLOEXEC) && sb_json_append(a, json_object_new_string("SOCK_CLOEXEC")) < 0)
		return -ENOMEM;
	return 0;
}

/* By the family's names, or a number in the family's range. */
static int read_protocol(const struct sb_field *f, json_object *params, void *msg,
			 struct sb_error *err)
{
	struct sb_socket_call *m = msg;
	json_object *v = sb_json_get(params, f->name);
	int64_t n;
	int r;

	m->protocol = 0;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		r = sb_protocol_parse(m->family, json_object_get_string(v), &m->protocol);
		if (r < 0)
			return sb_error_param(err, "protocol",
					      "protocol: unknown protocol %s for %s",
					      json_object_get_string(v),
					      sb_const_name(SB_C_AF, m->family) ?: "this family");
		return 0;
	}
	r = sb_param_int(params, f->name, true, 0, protocol_max(m->family), &n, err);
	if (r < 0)
		return r;
	m->protocol = (int)n;
	return 0;
}

static int write_protocol(const struct sb_field *f, const void *msg, json_object *obj)
{
	const struct sb_socket_call *m = msg;

	if (m->protocol == 0)
		return 0;
	return sb_json_add(
		obj, f->name,
		sb_json_name_or_int(sb_protocol_name(m->family, m->protocol), m->protocol));
}

static int read_options(const struct sb_field *f, json_object *params, void *msg,
			struct sb_error *err)
{
	struct sb_socket_call *m = msg;
	json_object *options = NULL;
	int r;

	r = sb_param_array(params, f->name, false, SB_OPTIONS_MAX, &options, err);
	if (r < 0)
		return r;
	m->n_options = options ? json_object_array_length(options) : 0;
	for (size_t i = 0; i < m->n_options; i++) {
		json_object *o = json_object_array_get_idx(options, i);
		char name[32];

		snprintf(name, sizeof(name), "options[%zu]", i);
		if (!json_object_is_type(o, json_type_object))
			return sb_error_param(err, "options", "%s: expected an object", name);
		r = sb_sockopt_parse(o, name, false, &m->options[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int write_options(const struct sb_field *f, const void *msg, json_object *obj)
{
	const struct sb_socket_call *m = msg;
	json_object *a;

	if (m->n_options == 0)
		return 0;
	a = json_object_new_array();
	if (sb_json_add(obj, f->name, a) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_options; i++)
		if (sb_json_append(a, sb_sockopt_json(&m->options[i])) < 0)
			return -ENOMEM;
	return 0;
}

static int read_netns(const struct sb_field *f, json_object *params, void *msg,
		      struct sb_error *err)
{
	struct sb_socket_call *m = msg;
	int r;

	m->netns = NULL;
	r = sb_param_string(params, f->name, false, (size_t)f->max, &m->netns, err);
	if (r < 0)
		return r;
	if (m->netns && !sb_netns_name_valid(m->netns))
		return sb_error_param(err, "netns", "netns: %s is not a namespace name", m->netns);
	return 0;
}

/* What the table's ranges cannot say, for a call filled otherwise (the
 * compact spelling); the readers above check it as they go. */
static int check_call(void *msg, struct sb_error *err)
{
	struct sb_socket_call *m = msg;

	if (check_type(m, err) < 0)
		return -EINVAL;
	if (m->protocol < 0 || m->protocol > protocol_max(m->family) || (m->flags & ~SOCK_FLAGS))
		return sb_error_param(err, "protocol", "protocol: out of range");
	return 0;
}

static const struct sb_field socket_call_fields[] = {
	{"family", "string", SB_FIELD_CONST, SB_FIELD_REQUIRED, CALL(family), SB_C_AF, 1,
	 FAMILY_MAX},
	{"type", "string", SB_FIELD_CUSTOM, SB_FIELD_REQUIRED, CALL(type), .read = read_type,
	 .write = write_type},
	{"flags", "?[]string", SB_FIELD_CUSTOM, 0, CALL(flags), .read = read_flags,
	 .write = write_flags},
	{"protocol", "?string", SB_FIELD_CUSTOM, 0, CALL(protocol), .read = read_protocol,
	 .write = write_protocol},
	{"options", "?[]SocketOption", SB_FIELD_CUSTOM, 0, CALL(options), .read = read_options,
	 .write = write_options},
	{"bind", "?object", SB_FIELD_OBJECT, 0, CALL(bind)},
	{"listen", "?int", SB_FIELD_CONST, 0, CALL(backlog), SB_C_BACKLOG, 0, 65535, -1},
	{"netns", "?string", SB_FIELD_STRING, 0, CALL(netns), .max = SB_NETNS_NAME_MAX,
	 .read = read_netns},
};

const struct sb_message_def sb_socket_call_def = {
	.size = sizeof(struct sb_socket_call),
	.method = SB_METHOD_SOCKET,
	.fields = socket_call_fields,
	.n_fields = ELEMENTSOF(socket_call_fields),
	.check = check_call,
};

static void reply_done(void *msg)
{
	struct sb_socket_reply *m = msg;

	if (m->address)
		json_object_put(m->address);
	m->address = NULL;
}

static const struct sb_field socket_reply_fields[] = {
	{"fd", "int", SB_FIELD_INT, SB_FIELD_REQUIRED, REPLY(fd), .min = 0, .max = 0},
	{"family", "string", SB_FIELD_CONST, SB_FIELD_REQUIRED, REPLY(family), SB_C_AF, 0, INT_MAX},
	{"type", "string", SB_FIELD_CONST, SB_FIELD_REQUIRED, REPLY(type), SB_C_SOCK, 0, INT_MAX},
	{"protocol", "int", SB_FIELD_INT, SB_FIELD_REQUIRED, REPLY(protocol), .min = 0,
	 .max = INT_MAX},
	{"address", "?object", SB_FIELD_OBJECT, 0, REPLY(address)},
};

const struct sb_message_def sb_socket_reply_def = {
	.size = sizeof(struct sb_socket_reply),
	.method = SB_METHOD_SOCKET,
	.reply = true,
	.fields = socket_reply_fields,
	.n_fields = ELEMENTSOF(socket_reply_fields),
	.done = reply_done,
};
