/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Info and the org.varlink.service introspection methods.
 * Their calls are read by the dispatcher (the method table's params);
 * each handler fills its reply's struct, which the codec writes. */
#include "daemon/methods.h"
#include "proto/addr.h"
#include "proto/idl.h"
#include "proto/protocol.h"

static json_object *limits_json(const struct sb_server *s)
{
	struct sb_json_builder b = sb_json_new_object();

	sb_json_set(&b, "max_message", json_object_new_int64(SB_MESSAGE_MAX));
	sb_json_set(&b, "max_fds", json_object_new_int64(SB_FDS_MAX));
	sb_json_set(&b, "max_connections", json_object_new_int64(s->limits.max_connections));
	sb_json_set(&b, "max_connections_per_uid",
		    json_object_new_int64(s->limits.max_connections_per_uid));
	sb_json_set(&b, "max_requests_in_flight",
		    json_object_new_int64(s->limits.max_requests_in_flight));
	sb_json_set(&b, "idle_timeout_sec", json_object_new_int64(s->limits.idle_timeout_sec));
	sb_json_set(&b, "max_sockets_unread_per_uid",
		    json_object_new_int64(s->limits.max_fds_unread_per_uid));
	sb_json_set(&b, "max_sockets_unread", json_object_new_int64(s->limits.max_fds_unread));
	return sb_json_done(&b);
}

static json_object *caller_json(const struct sb_client *c)
{
	struct sb_json_builder b = sb_json_new_object(), groups = sb_json_new_array();

	sb_json_set(&b, "uid", json_object_new_int64(c->cred.uid));
	sb_json_set(&b, "gid", json_object_new_int64(c->cred.gid));
	sb_json_set(&b, "pid", json_object_new_int64(c->cred.pid));
	for (size_t i = 0; i < c->n_groups; i++)
		sb_json_push(&groups, json_object_new_int64(c->groups[i]));
	sb_json_set(&b, "groups", sb_json_done(&groups));
	return sb_json_done(&b);
}

static json_object *families_json(const struct sb_server *s)
{
	struct sb_json_builder b = sb_json_new_array();

	for (unsigned i = 0; i < s->n_families; i++)
		sb_json_push(&b, sb_const_json(SB_C_AF, s->families[i]));
	return sb_json_done(&b);
}

/* The optional parts this build has: a client learns here that Bind
 * cannot read, say, Bluetooth addresses, before a call fails. */
static json_object *features_json(void)
{
	struct sb_json_builder b = sb_json_new_array();
	const char *names[16];
	size_t n = sb_addr_features(names, ELEMENTSOF(names));

	for (size_t i = 0; i < n && i < ELEMENTSOF(names); i++)
		sb_json_push(&b, json_object_new_string(names[i]));
	return sb_json_done(&b);
}

int sb_method_info(struct sb_request *req)
{
	const struct sb_server *s = req->conn->server;
	struct sb_info_reply *reply = &req->reply_args.info;

	/* Set first: the reply's objects are dropped with it whatever
	 * happens next. */
	req->reply_def = &sb_info_reply_def;
	*reply = (struct sb_info_reply){
		.version = SB_VERSION,
		.limits = limits_json(s),
		.families = families_json(s),
		.features = features_json(),
		.caller = caller_json(req->conn),
	};
	if (!reply->limits || !reply->families || !reply->features || !reply->caller)
		return sb_error_oom(&req->error);
	return 0;
}

/* The table holds org.varlink.service too: it is served like the
 * others. */
static json_object *interfaces_json(void)
{
	struct sb_json_builder b = sb_json_new_array();

	for (const struct sb_idl *i = sb_idl_table; i->interface; i++)
		sb_json_push(&b, json_object_new_string(i->interface));
	return sb_json_done(&b);
}

int sb_method_get_info(struct sb_request *req)
{
	struct sb_get_info_reply *reply = &req->reply_args.get_info;

	req->reply_def = &sb_get_info_reply_def;
	*reply = (struct sb_get_info_reply){
		.vendor = "sockbroker",
		.product = "sockbrokerd",
		.version = SB_VERSION,
		.url = "",
		.interfaces = interfaces_json(),
	};
	if (!reply->interfaces)
		return sb_error_oom(&req->error);
	return 0;
}

int sb_method_get_interface_description(struct sb_request *req)
{
	const char *name = req->args->get_interface_description.interface;
	const char *text = sb_idl_lookup(name);

	if (!text)
		return sb_error_interface_not_found(req, name, strlen(name));
	req->reply_def = &sb_get_interface_description_reply_def;
	req->reply_args.get_interface_description.description = text;
	return 0;
}
