/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Bind: bind the caller's own socket, for the binds only a
 * privileged task may do (ports below ip_unprivileged_port_start, VSOCK
 * ports up to 1023, netlink multicast groups). */
#include <stdlib.h>

#include "daemon/bind.h"
#include "daemon/client-socket.h"
#include "daemon/methods.h"
#include "daemon/grants.h"
#include "daemon/offload.h"
#include "proto/addr.h"
#include "proto/fast-bind.h"

static const char *const bind_keys[] = { "fd", "address", NULL };

/* The bind on a worker (offload.h), and the address the socket got. */
struct bind_op {
	struct sb_offload base;
	struct sockaddr_storage ss;
	socklen_t len;
	struct sb_sockinfo si;
	bool named; /* the socket has a local address to report */
	struct sb_bind_guard guard;
};

static int bind_work(struct sb_offload *base)
{
	struct bind_op *op = (struct bind_op *)base;
	int r;

	r = sb_bind_guarded(base->fd, &op->ss, op->len, &op->guard, &base->error);
	if (r < 0)
		return r;
	op->named = sb_local_sockaddr(base->fd, &op->ss, &op->len);
	return 0;
}

/* Reply with the address the socket got, in the plain form when it has
 * one, and remember the bind for sockbrokerctl list. */
static int bind_finish(struct sb_offload *base, struct sb_request *req, int r)
{
	struct bind_op *op = (struct bind_op *)base;
	struct sb_server *s = req->conn->server;
	json_object *bound = NULL;

	sb_bind_guard_report(req->conn, &op->guard);
	if (r < 0)
		return r;
	s->n_grants++;
	if (op->named) {
		int n = sb_fast_bind_reply_format(req->reply_text, sizeof(req->reply_text),
						  (struct sockaddr *)&op->ss, op->len);

		if (n >= 0) {
			req->reply_text_len = (size_t)n;
			sb_grants_add(s->grants, req->conn, base->fd, &op->si, NULL,
				      (struct sockaddr *)&op->ss, op->len);
			return 0;
		}
		bound = sb_addr_to_json((struct sockaddr *)&op->ss, op->len, op->si.protocol, NULL);
	}
	sb_grants_add(s->grants, req->conn, base->fd, &op->si, bound, NULL, 0);
	req->reply = json_object_new_object();
	if (!req->reply) {
		json_object_put(bound);
		return sb_error_set(&req->error, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	}
	json_object_object_add(req->reply, "address", bound);
	return 0;
}

/* Bind the client's socket to an address the policy allowed, on a
 * worker: the client may hold its lock. */
static int bind_deferred(struct sb_request *req, const struct sb_sockinfo *si,
			 struct sockaddr_storage *ss, socklen_t len, struct sb_bind_guard *g)
{
	struct bind_op *op = calloc(1, sizeof(*op));

	if (!op)
		return sb_error_set(&req->error, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	op->guard = *g;
	op->ss = *ss;
	op->len = len;
	op->si = *si;
	op->base.work = bind_work;
	op->base.finish = bind_finish;
	sb_request_defer(req, &op->base);
	return SB_METHOD_DEFERRED;
}

int sb_method_bind(struct sb_request *req)
{
	json_object *params = req->call->parameters, *address;
	struct sockaddr_storage ss;
	struct sb_sockinfo si;
	struct sb_bind_guard guard = { .must_stay_v6only = false };
	socklen_t len;
	int fd, r;

	fd = sb_request_client_socket(req, bind_keys, &si);
	if (fd < 0)
		return fd;
	r = sb_param_object(params, "address", true, &address, &req->error);
	if (r < 0)
		return r;
	/* Root would create the file anywhere; the client needs no help. */
	if (si.family == AF_UNIX)
		return sb_error_set(&req->error, SB_ERR_NOT_SUPPORTED, EOPNOTSUPP, "address",
				    "AF_UNIX binds are not brokered: they need no privilege");
	r = sb_bind_address(req, fd, &si, address, NULL, &ss, &len, &guard);
	if (r < 0)
		return r;
	return bind_deferred(req, &si, &ss, len, &guard);
}

int sb_method_bind_fast(struct sb_request *req, struct sockaddr_storage *ss, socklen_t len)
{
	struct sb_sockinfo si;
	struct sb_bind_guard guard = { .must_stay_v6only = false };
	int fd = req->frame->fds[0], r;

	r = sb_sockinfo_get(fd, &si, &req->error);
	if (r < 0)
		return r;
	/* The plain form is the address as written for a socket of its own
	 * family (or AF_INET for RDS); the general path reads it for the
	 * family the socket has, and words what that makes of it. */
	if (sb_addr_bind_family(si.family) != ss->ss_family)
		return SB_METHOD_DECLINED;
	r = sb_bind_authorize(req, fd, &si, ss, len, NULL, &guard);
	if (r < 0)
		return r;
	return bind_deferred(req, &si, ss, len, &guard);
}
