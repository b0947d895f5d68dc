/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "daemon/audit.h"
#include "daemon/closer.h"
#include "daemon/dispatch.h"
#include "daemon/log.h"
#include "daemon/offload.h"
#include "proto/protocol.h"

/* Sorted by name for bsearch. */
static const struct sb_method methods[] = {
	{ SB_METHOD_BIND, sb_method_bind, 1, &sb_bind_call_def },
	{ SB_METHOD_INFO, sb_method_info, 0 },
	{ SB_METHOD_SETSOCKOPT, sb_method_setsockopt, 1, &sb_setsockopt_call_def },
	{ SB_METHOD_SOCKET, sb_method_socket, 0, &sb_socket_call_def },
	{ SB_METHOD_ADMIN_CHECK, sb_method_admin_check, 0 },
	{ SB_METHOD_ADMIN_LIST, sb_method_admin_list, 0 },
	{ SB_METHOD_ADMIN_RELOAD, sb_method_admin_reload, 0 },
	{ SB_METHOD_ADMIN_STATUS, sb_method_admin_status, 0 },
	{ SB_METHOD_GET_INFO, sb_method_get_info, 0 },
	{ SB_METHOD_GET_INTERFACE_DESCRIPTION, sb_method_get_interface_description, 0 },
};

static const char *const interfaces[] = { SB_INTERFACE, SB_ADMIN_INTERFACE, SB_VARLINK_INTERFACE };

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

int sb_authorize(struct sb_request *req, const struct sb_policy_request *preq,
		 const char *summary)
{
	struct sb_server *s = req->conn->server;
	struct sb_policy_subject who;
	struct sb_decision d;

	sb_client_subject(req->conn, &who);
	sb_policy_check(s->policy, &who, preq, &d);
	sb_audit_decision(req->conn, sb_policy_method_to_string(preq->method), summary, &d);
	if (d.allow)
		return 0;
	s->n_denials++;
	sb_error_set(&req->error, SB_ERR_PERMISSION_DENIED, EACCES, NULL,
		     "policy denies %s %s for uid %u (rule %s)",
		     sb_policy_method_to_string(preq->method), summary,
		     (unsigned)req->conn->cred.uid, d.rule);
	/* The rule travels in the error's parameters (see sb_error_reply). */
	snprintf(req->error.parameter, sizeof(req->error.parameter), "%s", d.rule);
	return -EACCES;
}

int sb_request_client_socket(struct sb_request *req, const char *const *keys,
			     struct sb_sockinfo *si)
{
	json_object *params = req->call->parameters;
	int64_t index;
	int r;

	r = sb_params_only(params, keys, &req->error);
	if (r < 0)
		return r;
	r = sb_param_int(params, "fd", true, 0, 0, &index, &req->error);
	if (r < 0)
		return r;
	r = sb_sockinfo_get(req->frame->fds[0], si, &req->error);
	if (r < 0)
		return r;
	return req->frame->fds[0];
}

/* Error replies. PermissionDenied carries the deciding rule where
 * InvalidParameter carries the parameter name. */
static bool is_denial(const struct sb_error *e)
{
	return e->name && strcmp(e->name, SB_ERR_PERMISSION_DENIED) == 0;
}

static json_object *error_reply(const struct sb_error *e, json_object *extra)
{
	struct sb_error copy = *e;
	json_object *msg, *params;

	if (is_denial(e))
		copy.parameter[0] = 0;
	msg = sb_error_reply_new(&copy);
	if (!msg || !json_object_object_get_ex(msg, "parameters", &params))
		return msg;
	if (is_denial(e) && e->parameter[0])
		json_object_object_add(params, "rule", json_object_new_string(e->parameter));
	if (extra) {
		json_object_object_foreach(extra, key, val)
			json_object_object_add(params, key, json_object_get(val));
	}
	return msg;
}

/* An error naming what was not found, as org.varlink.service defines it. */
static int not_found(struct sb_request *req, const char *name, int errnum, const char *key,
		     const char *value, size_t len, const char *what)
{
	req->error_params = json_object_new_object();
	if (req->error_params)
		json_object_object_add(req->error_params, key,
				       json_object_new_string_len(value, (int)len));
	return sb_error_set(&req->error, name, errnum, NULL, "%s %.*s", what, (int)len, value);
}

int sb_error_interface_not_found(struct sb_request *req, const char *interface, size_t len)
{
	return not_found(req, SB_ERR_INTERFACE_NOT_FOUND, ENOENT, "interface", interface, len,
			 "no interface");
}

/* The reply a handler left as a struct, written by the codec. */
static int typed_reply(struct sb_request *req, struct sb_wire *w)
{
	int r = sb_reply_write(req->reply_def, &req->reply_args, w);

	sb_message_done(req->reply_def, &req->reply_args);
	req->reply_def = NULL;
	if (r < 0)
		return sb_error_set(&req->error, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	return 0;
}

/* Answer a call: r is the handler's result, with req's reply or error. */
static void dispatch_reply(struct sb_client *c, struct sb_request *req, int r, const char *method,
			   bool oneway)
{
	struct sb_wire w;
	json_object *msg = NULL;
	bool handed = false;

	/* Not the buffer: only what is written is read. */
	w.text = NULL;
	w.msg = NULL;
	if (r >= 0 && req->reply_def)
		r = typed_reply(req, &w);
	if (r < 0) {
		if (!is_denial(&req->error))
			c->server->n_errors++;
		if (log_enabled(LOG_DEBUG))
			log_debug("uid=%u pid=%d %s: %s: %s", (unsigned)c->cred.uid,
				  (int)c->cred.pid, method ?: "(unparsed)", req->error.name ?: "?",
				  req->error.message);
		json_object_put(req->reply);
		req->reply = NULL;
		if (req->reply_def)
			sb_message_done(req->reply_def, &req->reply_args);
		sb_close_later(req->reply_fd);
		req->reply_fd = -1;
		msg = error_reply(&req->error, req->error_params);
	} else if (!w.text) {
		msg = sb_reply_new(TAKE_PTR(req->reply), false);
	}
	if (!oneway) {
		if (w.text)
			sb_client_send_text(c, w.text, w.len, req->reply_fd);
		else
			sb_client_send(c, msg, req->reply_fd);
		handed = !c->closing;
	}
	/* Not Varlink at all: the peer is confused, do not read on. */
	if (r < 0 && req->error.name && strcmp(req->error.name, SB_ERR_PROTOCOL) == 0)
		c->closing = true;
	sb_wire_done(&w);
	json_object_put(msg);
	json_object_put(req->error_params);
	req->error_params = NULL;
	/* Once the socket is in flight to the client (or queued, with a copy)
	 * ours is not the last reference and closing it is cheap; otherwise
	 * the client may be gone and ours the last. */
	if (handed)
		safe_close(req->reply_fd);
	else
		sb_close_later(req->reply_fd);
}

void sb_dispatch_defer(struct sb_request *req, struct sb_offload *op)
{
	struct sb_client *c = req->conn;

	op->conn = c;
	op->owner = sb_client_owner(c);
	op->method = req->method_name;
	op->oneway = req->call->oneway;
	op->fd = sb_frame_take_fd(req->frame, 0);
	c->offload = op;
	sb_offload_submit(op);
}

void sb_dispatch_finish(struct sb_offload *op)
{
	struct sb_client *c = op->conn;
	struct sb_request req;
	int r = op->result;

	sb_request_init(&req, c, NULL, NULL);
	c->offload = NULL;
	if (r < 0)
		req.error = op->error;
	if (op->finish)
		r = op->finish(op, &req, r);
	dispatch_reply(c, &req, r, op->method, op->oneway);
	sb_client_resume(c);
}

void sb_dispatch_frame(struct sb_client *c, struct sb_frame *f)
{
	struct sb_call call;
	struct sb_request req;
	const struct sb_method *m = NULL;
	int r;

	sb_request_init(&req, c, &call, f);
	r = sb_call_read(f->data, f->len, &call, &req.error);
	if (r < 0)
		goto reply;
	m = method_of(&call);
	if (!m) {
		const char *dot = strrchr(call.method, '.');

		if (interface_known(call.method))
			r = not_found(&req, SB_ERR_METHOD_NOT_FOUND, ENOSYS, "method",
				      call.method, strlen(call.method), "no method");
		else
			r = sb_error_interface_not_found(
				&req, call.method,
				dot ? (size_t)(dot - call.method) : strlen(call.method));
		goto reply;
	}
	if (f->n_fds != m->n_fds) {
		r = sb_error_set(&req.error, SB_ERR_BAD_DESCRIPTOR, EBADF, "fd",
				 "%s takes %u descriptor(s), the call carried %zu", m->name,
				 m->n_fds, f->n_fds);
		goto reply;
	}
	if (m->params) {
		r = sb_call_args(&call, m->params, &req.error);
		if (r < 0)
			goto reply;
		req.args = &call.args;
	}
	req.method_name = m->name;
	r = m->fn(&req);
reply:
	/* Deferred: sb_dispatch_finish() answers. */
	if (r != SB_METHOD_DEFERRED)
		dispatch_reply(c, &req, r, call.method, call.oneway);
	sb_call_done(&call);
}
