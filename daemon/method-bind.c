/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Bind: bind the caller's own socket, for the binds only a
 * privileged task may do (ports below ip_unprivileged_port_start, VSOCK
 * ports up to 1023, netlink multicast groups). */
#include <stdlib.h>
#include <string.h>

#include "daemon/bind.h"
#include "daemon/grants.h"
#include "daemon/methods.h"
#include "daemon/offload.h"
#include "daemon/client-fd.h"
#include "proto/addr.h"

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

/* Reply with the address the socket got, and remember the bind for
 * sockbrokerctl list: an IPv4 or IPv6 address as it is (grants.h). */
static int bind_finish(struct sb_offload *base, struct sb_request *req, int r)
{
	struct bind_op *op = (struct bind_op *)base;
	struct sb_server *s = req->conn->server;
	struct sb_bind_reply *reply = &req->reply_args.bind;
	int family = op->ss.ss_family;

	sb_bind_guard_report(req->conn, &op->guard);
	if (r < 0)
		return r;
	s->n_grants++;
	/* Member by member: sa is large, and only its first sa_len bytes
	 * are read. */
	reply->address = NULL;
	reply->sa_len = 0;
	reply->protocol = op->si.protocol;
	req->reply_def = &sb_bind_reply_def;
	if (op->named && (family == AF_INET || family == AF_INET6)) {
		memcpy(&reply->sa, &op->ss, op->len);
		reply->sa_len = op->len;
		sb_grants_add(s->grants, req->conn, base->fd, &op->si, NULL,
			      (struct sockaddr *)&op->ss, op->len);
		return 0;
	}
	if (op->named)
		reply->address =
			sb_addr_to_json((struct sockaddr *)&op->ss, op->len, op->si.protocol, NULL);
	sb_grants_add(s->grants, req->conn, base->fd, &op->si, reply->address, NULL, 0);
	return 0;
}

/* Bind the client's socket to an address the policy allowed, on a
 * worker: the client may hold its lock. */
static int bind_deferred(struct sb_request *req, const struct sb_sockinfo *si,
			 struct sockaddr_storage *ss, socklen_t len, struct sb_bind_guard *g)
{
	struct bind_op *op = calloc(1, sizeof(*op));

	if (!op)
		return sb_error_oom(&req->error);
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
	struct sb_bind_call *a = &req->args->bind;
	struct sb_sockinfo si;
	struct sb_bind_guard guard = {.must_stay_v6only = false};
	struct sockaddr_storage ss;
	socklen_t len;
	json_object *address;
	int fd = req->frame->fds[0], r;

	r = sb_sockinfo_get(fd, &si, &req->error);
	if (r < 0)
		return r;
	/* Root would create the file anywhere; the client needs no help. */
	if (si.family == AF_UNIX)
		return sb_error_set(&req->error, SB_ERR_NOT_SUPPORTED, EOPNOTSUPP, "address",
				    "AF_UNIX binds are not brokered: they need no privilege");
	/* An address already read (the codec's compact spelling) is taken as
	 * it is when it is of the socket's own family (AF_INET for RDS);
	 * otherwise the object is read for the family the socket has, which
	 * words what that makes of it. */
	if (a->sa_len && sb_addr_bind_family(si.family) == a->sa.ss_family) {
		r = sb_bind_authorize(req, fd, &si, &a->sa, a->sa_len, NULL, &guard);
		if (r < 0)
			return r;
		return bind_deferred(req, &si, &a->sa, a->sa_len, &guard);
	}
	address = sb_bind_call_address(a);
	if (!address)
		return sb_error_oom(&req->error);
	r = sb_bind_address(req, fd, &si, address, NULL, &ss, &len, &guard);
	if (r < 0)
		return r;
	return bind_deferred(req, &si, &ss, len, &guard);
}
