/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Info and the org.varlink.service introspection methods. */
#include "daemon/methods.h"
#include "proto/addr.h"
#include "proto/idl.h"
#include "proto/protocol.h"

static const char *const no_keys[] = {NULL};

static json_object *limits_json(const struct sb_server *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "max_message", json_object_new_int64(SB_MESSAGE_MAX));
	json_object_object_add(o, "max_fds", json_object_new_int64(SB_FDS_MAX));
	json_object_object_add(o, "max_connections",
			       json_object_new_int64(s->limits.max_connections));
	json_object_object_add(o, "max_connections_per_uid",
			       json_object_new_int64(s->limits.max_connections_per_uid));
	json_object_object_add(o, "max_requests_in_flight",
			       json_object_new_int64(s->limits.max_requests_in_flight));
	json_object_object_add(o, "idle_timeout_sec",
			       json_object_new_int64(s->limits.idle_timeout_sec));
	json_object_object_add(o, "max_sockets_unread_per_uid",
			       json_object_new_int64(s->limits.max_fds_unread_per_uid));
	json_object_object_add(o, "max_sockets_unread",
			       json_object_new_int64(s->limits.max_fds_unread));
	return o;
}

static json_object *caller_json(const struct sb_client *c)
{
	json_object *o = json_object_new_object(), *groups = json_object_new_array();

	json_object_object_add(o, "uid", json_object_new_int64(c->cred.uid));
	json_object_object_add(o, "gid", json_object_new_int64(c->cred.gid));
	json_object_object_add(o, "pid", json_object_new_int64(c->cred.pid));
	for (size_t i = 0; i < c->n_groups; i++)
		json_object_array_add(groups, json_object_new_int64(c->groups[i]));
	json_object_object_add(o, "groups", groups);
	return o;
}

/* The optional parts this build has: a client learns here that Bind
 * cannot read, say, Bluetooth addresses, before a call fails. */
static json_object *features_json(void)
{
	json_object *a = json_object_new_array();
	const char *names[16];
	size_t n = sb_addr_features(names, ELEMENTSOF(names));

	for (size_t i = 0; i < n && i < ELEMENTSOF(names); i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

int sb_method_info(struct sb_request *req)
{
	const struct sb_server *s = req->conn->server;
	json_object *families;
	int r;

	r = sb_params_only(req->call->parameters, no_keys, &req->error);
	if (r < 0)
		return r;
	req->reply = json_object_new_object();
	families = json_object_new_array();
	for (unsigned i = 0; i < s->n_families; i++)
		json_object_array_add(families, sb_const_json(SB_C_AF, s->families[i]));
	json_object_object_add(req->reply, "version", json_object_new_string(SB_VERSION));
	json_object_object_add(req->reply, "limits", limits_json(s));
	json_object_object_add(req->reply, "families", families);
	json_object_object_add(req->reply, "features", features_json());
	json_object_object_add(req->reply, "caller", caller_json(req->conn));
	return 0;
}

int sb_method_get_info(struct sb_request *req)
{
	json_object *interfaces;
	int r;

	r = sb_params_only(req->call->parameters, no_keys, &req->error);
	if (r < 0)
		return r;
	req->reply = json_object_new_object();
	interfaces = json_object_new_array();
	/* The table holds org.varlink.service too: it is served like the
	 * others. */
	for (const struct sb_idl *i = sb_idl_table; i->interface; i++)
		json_object_array_add(interfaces, json_object_new_string(i->interface));
	json_object_object_add(req->reply, "vendor", json_object_new_string("sockbroker"));
	json_object_object_add(req->reply, "product", json_object_new_string("sockbrokerd"));
	json_object_object_add(req->reply, "version", json_object_new_string(SB_VERSION));
	json_object_object_add(req->reply, "url", json_object_new_string(""));
	json_object_object_add(req->reply, "interfaces", interfaces);
	return 0;
}

int sb_method_get_interface_description(struct sb_request *req)
{
	static const char *const keys[] = {"interface", NULL};
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
	req->reply = json_object_new_object();
	json_object_object_add(req->reply, "description", json_object_new_string(text));
	return 0;
}
