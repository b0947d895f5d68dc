/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "daemon/authorize.h"
#include "daemon/closer.h"
#include "daemon/dispatch.h"
#include "daemon/log.h"
#include "daemon/methods.h"
#include "daemon/offload.h"
#include "proto/protocol.h"

/* Sorted by name for bsearch. */
static const struct sb_method methods[] = {
	{SB_METHOD_BIND, sb_method_bind, 1, SB_ACCESS_ANYONE, .params = &sb_bind_call_def},
	{SB_METHOD_INFO, sb_method_info, 0, SB_ACCESS_ANYONE, .params = &sb_info_call_def},
	{SB_METHOD_SETSOCKOPT, sb_method_setsockopt, 1, SB_ACCESS_ANYONE,
	 .params = &sb_setsockopt_call_def},
	{SB_METHOD_SOCKET, sb_method_socket, 0, SB_ACCESS_ANYONE, .params = &sb_socket_call_def},
	{SB_METHOD_ADMIN_CHECK, sb_method_admin_check, 0, SB_ACCESS_ADMIN_FOR_OTHERS, "check",
	 sb_method_admin_check_is_about_caller, &sb_admin_check_call_def},
	{SB_METHOD_ADMIN_LIST, sb_method_admin_list, 0, SB_ACCESS_ADMIN_SEES_ALL, "list",
	 .params = &sb_admin_list_call_def},
	{SB_METHOD_ADMIN_RELOAD, sb_method_admin_reload, 0, SB_ACCESS_ADMIN, "reload",
	 .params = &sb_admin_reload_call_def},
	{SB_METHOD_ADMIN_STATUS, sb_method_admin_status, 0, SB_ACCESS_ADMIN, "status",
	 .params = &sb_admin_status_call_def},
	{SB_METHOD_GET_INFO, sb_method_get_info, 0, SB_ACCESS_ANYONE,
	 .params = &sb_get_info_call_def},
	{SB_METHOD_GET_INTERFACE_DESCRIPTION, sb_method_get_interface_description, 0,
	 SB_ACCESS_ANYONE, .params = &sb_get_interface_description_call_def},
};

static const char *const interfaces[] = {SB_INTERFACE, SB_ADMIN_INTERFACE, SB_VARLINK_INTERFACE};

static int method_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sb_method *)elem)->name);
}

static const struct sb_method *method_lookup(const char *name)
{
	return bsearch(name, methods, ELEMENTSOF(methods), sizeof(methods[0]), method_cmp);
}

/* A call whose parameters were read with it (proto/codec.h) by their
 * definition, which is cheaper than by name; any other by name. */
static const struct sb_method *method_of(const struct sb_call *call)
{
	if (call->args_def)
		for (size_t i = 0; i < ELEMENTSOF(methods); i++)
			if (methods[i].params == call->args_def)
				return &methods[i];
	return method_lookup(call->method);
}

static bool interface_known(const char *method)
{
	const char *dot = strrchr(method, '.');
	size_t n = dot ? (size_t)(dot - method) : 0;

	for (size_t i = 0; i < ELEMENTSOF(interfaces); i++)
		if (strlen(interfaces[i]) == n && strncmp(interfaces[i], method, n) == 0)
			return true;
	return false;
}

/* Error replies. PermissionDenied carries the deciding rule where
 * InvalidParameter carries the parameter name. */
static bool is_denial(const struct sb_error *e)
{
	return e->name && strcmp(e->name, SB_ERR_PERMISSION_DENIED) == 0;
}

/* The error reply for e, with the members of extra added to its
 * parameters; NULL when out of memory. */
static json_object *error_reply(const struct sb_error *e, json_object *extra)
{
	struct sb_error copy = *e;
	struct sb_json_builder b;
	json_object *msg;

	if (is_denial(e))
		copy.parameter[0] = 0;
	msg = sb_error_reply_new(&copy);
	/* Adding to msg's parameters, which msg keeps: b.r is all we take. */
	b = sb_json_builder_of(sb_json_get(msg, "parameters"));
	if (is_denial(e) && e->parameter[0])
		sb_json_set(&b, "rule", json_object_new_string(e->parameter));
	if (extra) {
		json_object_object_foreach(extra, key, val)
			sb_json_set(&b, key, json_object_get(val));
	}
	if (b.r < 0) {
		json_object_put(msg);
		return NULL;
	}
	return msg;
}

/* Whether req's caller may make the call m, as the table says: 0, or
 * -EACCES with req->error filled. An administrator admitted is told to
 * the handler in req->admin. */
static int authorize_call(struct sb_request *req, const struct sb_method *m)
{
	int r;

	switch (m->access) {
	case SB_ACCESS_ANYONE:
		return 0;
	case SB_ACCESS_ADMIN_SEES_ALL:
		if (!sb_may_administer(req))
			return 0;
		break;
	case SB_ACCESS_ADMIN_FOR_OTHERS:
		if (m->about_caller(req))
			return 0;
		break;
	case SB_ACCESS_ADMIN:
		break;
	}
	r = sb_authorize_admin(req, m->audit_name);
	if (r < 0)
		return r;
	req->admin = true;
	return 0;
}

/* The reply the handler left as a struct, written by the codec into
 * a->wire: in its text, or as a message a takes. */
static int typed_reply(struct sb_answer *a)
{
	struct sb_request *req = &a->req;
	int r = sb_reply_write(req->reply_def, &req->reply_args, &a->wire);

	if (r < 0)
		return sb_error_oom(&req->error);
	if (a->wire.msg) {
		a->msg = TAKE_PTR(a->wire.msg);
	} else {
		a->text = a->wire.text;
		a->len = a->wire.len;
	}
	return 0;
}

/* Fill a with the answer to a call: r is the handler's result, with
 * a->req's reply or error. */
static void answer(struct sb_answer *a, int r, const char *method, bool oneway)
{
	struct sb_request *req = &a->req;
	struct sb_client *c = req->conn;

	a->msg = NULL;
	a->text = NULL;
	a->close = false;
	a->wire.msg = NULL;
	if (r >= 0 && req->reply_def && !oneway)
		r = typed_reply(a);
	if (req->reply_def)
		sb_message_done(req->reply_def, &req->reply_args);
	if (r < 0) {
		if (!is_denial(&req->error))
			c->server->n_errors++;
		if (log_enabled(LOG_DEBUG))
			log_debug("uid=%u pid=%d %s: %s: %s", (unsigned)c->cred.uid,
				  (int)c->cred.pid, method ?: "(unparsed)", req->error.name ?: "?",
				  req->error.message);
		sb_close_later(req->reply_fd);
		req->reply_fd = -1;
		a->msg = error_reply(&req->error, req->error_params);
		/* Not Varlink at all: the peer is confused, do not read on. */
		a->close = req->error.name && strcmp(req->error.name, SB_ERR_PROTOCOL) == 0;
	} else if (!req->reply_def) {
		a->msg = sb_reply_new(NULL, false);
	}
	json_object_put(req->error_params);
	req->error_params = NULL;
	a->fd = req->reply_fd;
	a->send = !oneway;
	if (oneway) {
		json_object_put(a->msg);
		a->msg = NULL;
	}
}

/* A call on a worker: nothing to send yet. */
static void answer_none(struct sb_answer *a)
{
	a->send = false;
	a->msg = NULL;
	a->text = NULL;
	a->fd = -1;
	a->close = false;
}

void sb_dispatch_finish(struct sb_offload *op, struct sb_answer *a)
{
	struct sb_client *c = op->conn;
	struct sb_request *req = &a->req;
	int r = op->result;

	sb_request_init(req, c, NULL, NULL);
	c->offload = NULL;
	if (r < 0)
		req->error = op->error;
	if (op->finish)
		r = op->finish(op, req, r);
	answer(a, r, op->method, op->oneway);
}

void sb_dispatch_frame(struct sb_client *c, struct sb_frame *f, struct sb_answer *a)
{
	struct sb_call call;
	struct sb_request *req = &a->req;
	const struct sb_method *m = NULL;
	int r;

	sb_request_init(req, c, &call, f);
	r = sb_call_read(f->data, f->len, &call, &req->error);
	if (r < 0)
		goto reply;
	m = method_of(&call);
	if (!m) {
		const char *dot = strrchr(call.method, '.');

		if (interface_known(call.method))
			r = sb_request_not_found(req, SB_ERR_METHOD_NOT_FOUND, ENOSYS, "method",
						 call.method, strlen(call.method), "no method");
		else
			r = sb_error_interface_not_found(req, call.method,
							 dot ? (size_t)(dot - call.method)
							     : strlen(call.method));
		goto reply;
	}
	if (f->n_fds != m->n_fds) {
		r = sb_error_set(&req->error, SB_ERR_BAD_DESCRIPTOR, EBADF, "fd",
				 "%s takes %u descriptor(s), the call carried %zu", m->name,
				 m->n_fds, f->n_fds);
		goto reply;
	}
	req->method_name = m->name;
	r = authorize_call(req, m);
	if (r < 0)
		goto reply;
	if (m->params) {
		r = sb_call_args(&call, m->params, &req->error);
		if (r < 0)
			goto reply;
		req->args = &call.args;
	}
	r = m->fn(req);
reply:
	/* Deferred: sb_dispatch_finish() answers once the worker is done. */
	if (r != SB_METHOD_DEFERRED)
		answer(a, r, call.method, call.oneway);
	else
		answer_none(a);
	sb_call_done(&call);
}
