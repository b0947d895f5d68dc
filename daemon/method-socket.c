/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Socket: create a socket as the caller, configure it,
 * hand it over. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "daemon/authorize.h"
#include "daemon/bind.h"
#include "daemon/closer.h"
#include "daemon/fsid.h"
#include "daemon/grants.h"
#include "daemon/inflight.h"
#include "daemon/methods.h"
#include "daemon/netns.h"
#include "daemon/sockopt.h"
#include "proto/addr.h"
#include "proto/protocol.h"
#include "proto/strbuf.h"

static void summarize(const struct sb_socket_call *a, char *buf, size_t size)
{
	const char *proto = sb_protocol_name(a->family, a->protocol);
	struct sb_strbuf b;

	sb_strbuf_init(&b, buf, size);
	sb_strbuf_str(&b, sb_const_name(SB_C_AF, a->family) ?: "?");
	sb_strbuf_mem(&b, "/", 1);
	sb_strbuf_str(&b, sb_const_name(SB_C_SOCK, a->type) ?: "?");
	sb_strbuf_mem(&b, "/", 1);
	/* 0 asks for the family's default, whatever name 0 has
	 * (IPPROTO_IP); the kernel's choice is decided on in its turn. */
	if (proto && a->protocol != 0)
		sb_strbuf_str(&b, proto);
	else
		sb_strbuf_int(&b, a->protocol);
	if (a->netns) {
		sb_strbuf_str(&b, " netns=");
		sb_strbuf_str(&b, a->netns);
	}
}

/* A policy question about the socket a asks for. */
static void policy_request_of(struct sb_policy_request *preq, enum sb_policy_method method,
			      const struct sb_socket_call *a)
{
	sb_policy_request_init(preq, method);
	preq->family = a->family;
	preq->type = a->type;
	preq->protocol = a->protocol;
	preq->netns = a->netns;
}

/* socket() with the caller's fsuid and fsgid: the kernel takes the
 * socket's owner (sk_uid: iptables owner, uid routing) from the fsuid and
 * the open file's credentials (netfilter's skgid) from the fsgid. Changing
 * them keeps CAP_NET_*. The identity stays for the next request (see
 * fsid.h). A switch the kernel refused would make the socket the
 * daemon's, so it fails the request. */
static int create_as(const struct ucred *cred, const struct sb_socket_call *a, struct sb_error *err)
{
	int fd;

	if (!sb_fsid_become(cred->uid, cred->gid))
		return sb_error_set(
			err, SB_ERR_SYSTEM, EPERM, NULL,
			"cannot create the socket as uid %u: the daemon lacks CAP_SETUID or CAP_SETGID",
			(unsigned)cred->uid);
	fd = socket(a->family, a->type | SOCK_CLOEXEC | (a->flags & SOCK_NONBLOCK), a->protocol);
	if (fd < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, NULL, "socket: %m");
	return fd;
}

/* Decide on the socket the kernel made, not only on the one asked for.
 * A family other than asked is refused outright: none is known once
 * the call passed proto/socket-msg.c, and this keeps it so should a kernel rewrite
 * another request (the type is kept as asked by every family). Protocol
 * 0 asks for the family's default: decide again on what the kernel
 * chose, so a rule about that protocol applies. (CAN sockets may report
 * 0 whatever they are; they are asked for by a nonzero protocol anyway.) */
static int check_created(struct sb_request *req, int fd, struct sb_socket_call *a, char *summary,
			 size_t size)
{
	struct sb_policy_request preq;
	socklen_t len = sizeof(int);
	int family = 0, protocol = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0)
		return sb_error_set(&req->error, SB_ERR_SYSTEM, errno, NULL,
				    "cannot read back the new socket: %m");
	if (family != a->family)
		return sb_error_set(&req->error, SB_ERR_NOT_SUPPORTED, EAFNOSUPPORT, "family",
				    "the kernel made an %s socket for %s: refused",
				    sb_const_name(SB_C_AF, family) ?: "unknown", summary);
	len = sizeof(int);
	if (a->protocol != 0 || getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0 ||
	    protocol == 0)
		return 0;
	a->protocol = protocol;
	summarize(a, summary, size);
	policy_request_of(&preq, SB_PM_SOCKET, a);
	return sb_authorize(req, &preq, summary);
}

/* The privileged options asked for with the socket, each decided as a
 * SetSockOpt on it would be: on the protocol the kernel chose, and on the
 * interfaces of the socket's network namespace, where this runs. */
static int authorize_options(struct sb_request *req, struct sb_socket_call *a, const char *summary)
{
	for (size_t i = 0; i < a->n_options; i++) {
		struct sb_sockopt *o = &a->options[i];
		struct sb_policy_request preq;
		char osum[256];
		int r;

		if (!o->def->privileged)
			continue;
		r = sb_sockopt_resolve(o, &req->error);
		if (r < 0)
			return r;
		policy_request_of(&preq, SB_PM_SETSOCKOPT, a);
		sb_sockopt_policy(o, &preq);
		sb_sockopt_summary(o, osum, sizeof(osum));
		snprintf(osum + strlen(osum), sizeof(osum) - strlen(osum), " on %s", summary);
		r = sb_authorize(req, &preq, osum);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The reply: what the socket is, and with a bind the address it got. */
static void set_reply(struct sb_request *req, int fd, const struct sb_socket_call *a)
{
	struct sb_socket_reply *reply = &req->reply_args.socket;

	*reply = (struct sb_socket_reply){
		.family = a->family,
		.type = a->type,
		.protocol = a->protocol,
	};
	/* None when the kernel tells none (or out of memory). */
	if (a->bind)
		reply->address = sb_local_address(fd, a->protocol);
	req->reply_def = &sb_socket_reply_def;
}

static int apply_v6only(int fd, const struct sb_socket_call *a, struct sb_error *err)
{
	for (size_t i = 0; i < a->n_options; i++) {
		const struct sb_sockopt *o = &a->options[i];

		if (o->def->level == SOL_IPV6 && o->def->name == IPV6_V6ONLY) {
			int r = sb_sockopt_apply(fd, o, err);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int serve(struct sb_request *req, struct sb_socket_call *a)
{
	const struct ucred *cred = &req->conn->cred;
	struct sb_sockinfo si;
	struct sb_policy_request preq;
	struct sockaddr_storage ss;
	socklen_t ss_len = 0;
	struct sb_bind_guard guard = {.must_stay_v6only = false};
	_cleanup_close_later_ int fd = -1;
	char summary[128];
	int r = 0;

	if (a->family == AF_UNIX)
		return sb_error_set(&req->error, SB_ERR_NOT_SUPPORTED, EOPNOTSUPP, "family",
				    "AF_UNIX sockets need no privilege: create them yourself");

	summarize(a, summary, sizeof(summary));
	policy_request_of(&preq, SB_PM_SOCKET, a);
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	r = sb_inflight_reserve(req->conn, &req->error);
	if (r < 0)
		return r;

	/* Interface names in the bind address are resolved where the socket
	 * lives, so parse it inside the namespace, once all else is allowed. */
	if (a->netns) {
		r = sb_netns_enter(a->netns, &req->error);
		if (r < 0)
			return r;
	}
	fd = create_as(cred, a, &req->error);
	if (fd >= 0)
		r = check_created(req, fd, a, summary, sizeof(summary));
	if (fd >= 0 && r >= 0)
		r = authorize_options(req, a, summary);
	si = (struct sb_sockinfo){a->family, a->type, a->protocol};
	/* Whether an AF_INET6 bind binds IPv4 too is the socket's
	 * IPV6_V6ONLY, which the policy looks at: set first if asked for. */
	if (fd >= 0 && r >= 0 && a->bind)
		r = apply_v6only(fd, a, &req->error);
	if (fd >= 0 && r >= 0 && a->bind)
		r = sb_bind_address(req, fd, &si, a->bind, a->netns, &ss, &ss_len, &guard);
	if (a->netns)
		sb_netns_leave();
	if (fd < 0)
		return fd;
	if (r < 0)
		return r;

	for (size_t i = 0; i < a->n_options; i++) {
		r = sb_sockopt_apply(fd, &a->options[i], &req->error);
		if (r < 0)
			return r;
	}
	if (a->bind) {
		r = sb_bind_guarded(fd, &ss, ss_len, &guard, &req->error);
		if (r < 0)
			return r;
	}
	if (a->backlog >= 0 && listen(fd, a->backlog) < 0)
		return sb_error_set(&req->error, SB_ERR_SYSTEM, errno, "listen", "listen: %m");

	set_reply(req, fd, a);
	sb_grants_add(req->conn->server->grants, req->conn, fd, &si, req->reply_args.socket.address,
		      NULL, 0);
	req->conn->server->n_grants++;
	req->reply_fd = TAKE_FD(fd);
	return 0;
}

int sb_method_socket(struct sb_request *req)
{
	return serve(req, &req->args->socket);
}
