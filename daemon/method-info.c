/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Info and the org.varlink.service introspection methods. */
#include "daemon/methods.h"
#include "proto/addr.h"
#include "proto/idl.h"
#include "proto/protocol.h"

static const char *const no_keys[] = {NULL};

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
	struct sb_json_builder b, families;
	int r;

	r = sb_params_only(req->call->parameters, no_keys, &req->error);
	if (r < 0)
		return r;
	b = sb_json_new_object();
	families = sb_json_new_array();
	for (unsigned i = 0; i < s->n_families; i++)
		sb_json_push(&families, sb_const_json(SB_C_AF, s->families[i]));
	sb_json_set(&b, "version", json_object_new_string(SB_VERSION));
	sb_json_set(&b, "limits", limits_json(s));
	sb_json_set(&b, "families", sb_json_done(&families));
	sb_json_set(&b, "features", features_json());
	sb_json_set(&b, "caller", caller_json(req->conn));
	return sb_request_reply(req, &b);
}

int sb_method_get_info(struct sb_request *req)
{
	struct sb_json_builder b, interfaces;
	int r;

	r = sb_params_only(req->call->parameters, no_keys, &req->error);
	if (r < 0)
		return r;
	b = sb_json_new_object();
	interfaces = sb_json_new_array();
	/* The table holds org.varlink.service too: it is served like the
	 * others. */
	for (const struct sb_idl *i = sb_idl_table; i->interface; i++)
		sb_json_push(&interfaces, json_object_new_string(i->interface));
	sb_json_set(&b, "vendor", json_object_new_string("sockbroker"));
	sb_json_set(&b, "product", json_object_new_string("sockbrokerd"));
	sb_json_set(&b, "version", json_object_new_string(SB_VERSION));
	sb_json_set(&b, "url", json_object_new_string(""));
	sb_json_set(&b, "interfaces", sb_json_done(&interfaces));
	return sb_request_reply(req, &b);
}

int sb_method_get_interface_description(struct sb_request *req)
{
	static const char *const keys[] = {"interface", NULL};
	struct sb_json_builder b;
	const char *name, *text;
	int r;

	r = sb_params_only(req->call->parameters, keys, &req->error);
	if (r < 0)
		return r;
	r = sb_param_string(req->call->parameters, "interface", true, 255, &name, &req->error);
	if (r < 0)
		return r;
	text = sb_idl_lookup(name);
	if (!text)
		return sb_error_interface_not_found(req, name, strlen(name));
	b = sb_json_new_object();
	sb_json_set(&b, "description", json_object_new_string(text));
	return sb_request_reply(req, &b);
}
