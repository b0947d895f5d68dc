/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "proto/addr.h"
#include "proto/bind-msg.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

#define CALL(member) SB_FIELD_AT(struct sb_bind_call, member)
#define REPLY(member) SB_FIELD_AT(struct sb_bind_reply, member)

/* The object, or the sockaddr given instead; null when neither. */
static int write_address(json_object *obj, const char *name, json_object *address,
			 const struct sockaddr_storage *sa, socklen_t sa_len, int protocol)
{
	if (address)
		return sb_json_add(obj, name, json_object_get(address));
	if (sa_len == 0)
		return json_object_object_add(obj, name, NULL) < 0 ? -ENOMEM : 0;
	return sb_json_add(obj, name,
			   sb_addr_to_json((const struct sockaddr *)sa, sa_len, protocol, NULL));
}

static int write_call_address(const struct sb_field *f, const void *msg, json_object *obj)
{
	const struct sb_bind_call *m = msg;

	return write_address(obj, f->name, m->address, &m->sa, m->sa_len, m->protocol);
}

static int write_reply_address(const struct sb_field *f, const void *msg, json_object *obj)
{
	const struct sb_bind_reply *m = msg;

	return write_address(obj, f->name, m->address, &m->sa, m->sa_len, m->protocol);
}

static void call_done(void *msg)
{
	struct sb_bind_call *m = msg;

	if (m->address)
		json_object_put(m->address);
	m->address = NULL;
}

static void reply_done(void *msg)
{
	struct sb_bind_reply *m = msg;

	if (m->address)
		json_object_put(m->address);
	m->address = NULL;
}

static const struct sb_field bind_call_fields[] = {
	{"fd", "int", SB_FIELD_INT, SB_FIELD_REQUIRED, CALL(fd), .min = 0, .max = 0},
	{"address", "object", SB_FIELD_OBJECT, SB_FIELD_REQUIRED, CALL(address),
	 .write = write_call_address},
};

const struct sb_message_def sb_bind_call_def = {
	.size = sizeof(struct sb_bind_call),
	.method = SB_METHOD_BIND,
	.fields = bind_call_fields,
	.n_fields = ELEMENTSOF(bind_call_fields),
	.done = call_done,
};

static const struct sb_field bind_reply_fields[] = {
	{"address", "object", SB_FIELD_OBJECT, SB_FIELD_REQUIRED, REPLY(address),
	 .write = write_reply_address},
};

const struct sb_message_def sb_bind_reply_def = {
	.size = sizeof(struct sb_bind_reply),
	.method = SB_METHOD_BIND,
	.reply = true,
	.fields = bind_reply_fields,
	.n_fields = ELEMENTSOF(bind_reply_fields),
	.done = reply_done,
};

json_object *sb_bind_call_address(struct sb_bind_call *call)
{
	if (!call->address && call->sa_len)
		call->address = sb_addr_to_json((const struct sockaddr *)&call->sa, call->sa_len,
						call->protocol, NULL);
	return call->address;
}
