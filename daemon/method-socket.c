/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.Socket: create a socket as the caller, configure it,
 * hand it over. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "daemon/bind.h"
#include "daemon/closer.h"
#include "daemon/methods.h"
#include "daemon/authorize.h"
#include "daemon/fsid.h"
#include "daemon/grants.h"
#include "daemon/inflight.h"
#include "daemon/netns.h"
#include "daemon/sockopt.h"
#include "proto/addr.h"
#include "proto/fast-socket.h"
#include "proto/protocol.h"
#include "proto/strbuf.h"

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)
/* What a Socket call may ask for; parse_args() refuses beyond, and the
 * fast path leaves anything beyond to it. */
#define FAMILY_MAX (AF_MAX - 1)
#define TYPE_MAX SOCK_PACKET
/* AF_PACKET keeps only 16 bits of it: 0x10300 would be ETH_P_ALL to the
 * kernel but not to the policy. */
#define PACKET_PROTOCOL_MAX 0xffff

static const char *const socket_keys[] = { "family", "type", "flags", "protocol", "options",
					   "bind", "listen", "netns", NULL };

struct socket_args {
	int family, type, flags, protocol;
	struct sb_sockopt options[SB_OPTIONS_MAX];
	size_t n_options;
	json_object *bind;
	int backlog; /* -1: no listen() */
	const char *netns;
};

/* The kernel turns PF_INET with SOCK_PACKET into an AF_PACKET socket
 * (__sock_create()): a rule about AF_INET must not hand one out. */
static bool type_fits_family(int family, int type)
{
	return type != SOCK_PACKET || family == AF_PACKET;
}

static int parse_protocol(json_object *params, int family, int *ret, struct sb_error *err)
{
	json_object *v;
	int64_t n;
	int r;

	if (!json_object_object_get_ex(params, "protocol", &v) || !v) {
		*ret = 0;
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		r = sb_protocol_parse(family, json_object_get_string(v), ret);
		if (r < 0)
			return sb_error_param(err, "protocol", "protocol: unknown protocol %s for %s",
					      json_object_get_string(v),
					      sb_const_name(SB_C_AF, family) ?: "this family");
		return 0;
	}
	r = sb_param_int(params, "protocol", true, 0,
			 family == AF_PACKET ? PACKET_PROTOCOL_MAX : INT_MAX, &n,
			 err);
	if (r < 0)
		return r;
	*ret = (int)n;
	return 0;
}

static int parse_args(json_object *params, struct socket_args *a, struct sb_error *err)
{
	json_object *flags = NULL, *options = NULL;
	int64_t family, type, backlog;
	int r;

	r = sb_params_only(params, socket_keys, err);
	if (r < 0)
		return r;
	r = sb_param_const(params, "family", SB_C_AF, true, 1, FAMILY_MAX, &family, err);
	if (r < 0)
		return r;
	r = sb_param_const(params, "type", SB_C_SOCK, true, 1, INT_MAX, &type, err);
	if (r < 0)
		return r;
	a->family = (int)family;
	a->type = (int)type & ~SOCK_FLAGS;
	a->flags = (int)type & SOCK_FLAGS;
	if (a->type <= 0 || a->type > TYPE_MAX)
		return sb_error_param(err, "type", "type: no socket type %d", a->type);
	if (!type_fits_family(a->family, a->type))
		return sb_error_param(err, "type",
				      "type: SOCK_PACKET is AF_PACKET's; the kernel would make an AF_PACKET socket");

	r = sb_param_array(params, "flags", false, 2, &flags, err);
	if (r < 0)
		return r;
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		json_object *wrap = json_object_new_object();
		int64_t flag;

		if (!wrap)
			return sb_error_set(err, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
		json_object_object_add(wrap, "flags", json_object_get(json_object_array_get_idx(flags, i)));
		r = sb_param_const(wrap, "flags", SB_C_SOCK_FLAG, true, 1, INT_MAX, &flag, err);
		json_object_put(wrap);
		if (r < 0)
			return r;
		if (flag & ~SOCK_FLAGS)
			return sb_error_param(err, "flags", "flags: only SOCK_NONBLOCK and SOCK_CLOEXEC");
		a->flags |= (int)flag;
	}

	r = parse_protocol(params, a->family, &a->protocol, err);
	if (r < 0)
		return r;

	r = sb_param_array(params, "options", false, SB_OPTIONS_MAX, &options, err);
	if (r < 0)
		return r;
	a->n_options = options ? json_object_array_length(options) : 0;
	for (size_t i = 0; i < a->n_options; i++) {
		json_object *o = json_object_array_get_idx(options, i);
		char name[32];

		snprintf(name, sizeof(name), "options[%zu]", i);
		if (!json_object_is_type(o, json_type_object))
			return sb_error_param(err, "options", "%s: expected an object", name);
		r = sb_sockopt_parse(o, name, false, &a->options[i], err);
		if (r < 0)
			return r;
	}

	r = sb_param_object(params, "bind", false, &a->bind, err);
	if (r < 0)
		return r;
	r = sb_param_const(params, "listen", SB_C_BACKLOG, false, 0, 65535, &backlog, err);
	if (r < 0)
		return r;
	a->backlog = r > 0 ? (int)backlog : -1;
	r = sb_param_string(params, "netns", false, SB_NETNS_NAME_MAX, &a->netns, err);
	if (r < 0)
		return r;
	if (a->netns && !sb_netns_name_valid(a->netns))
		return sb_error_param(err, "netns", "netns: %s is not a namespace name", a->netns);
	return 0;
}

static void summarize(const struct socket_args *a, char *buf, size_t size)
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
			      const struct socket_args *a)
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
static int create_as(const struct ucred *cred, const struct socket_args *a,
		     struct sb_error *err)
{
	int fd;

	if (!sb_fsid_become(cred->uid, cred->gid))
		return sb_error_set(err, SB_ERR_SYSTEM, EPERM, NULL,
				    "cannot create the socket as uid %u: the daemon lacks CAP_SETUID or CAP_SETGID",
				    (unsigned)cred->uid);
	fd = socket(a->family, a->type | SOCK_CLOEXEC | (a->flags & SOCK_NONBLOCK), a->protocol);
	if (fd < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, NULL, "socket: %m");
	return fd;
}

/* Decide on the socket the kernel made, not only on the one asked for.
 * A family other than asked is refused outright: none is known once
 * type_fits_family() holds, and this keeps it so should a kernel rewrite
 * another request (the type is kept as asked by every family). Protocol
 * 0 asks for the family's default: decide again on what the kernel
 * chose, so a rule about that protocol applies. (CAN sockets may report
 * 0 whatever they are; they are asked for by a nonzero protocol anyway.) */
static int check_created(struct sb_request *req, int fd, struct socket_args *a, char *summary,
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
static int authorize_options(struct sb_request *req, struct socket_args *a, const char *summary)
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

/* The reply. Without an address it is the fixed form the library reads
 * without json-c. */
static int set_reply(struct sb_request *req, int fd, const struct socket_args *a)
{
	json_object *reply;
	int n;

	if (!a->bind) {
		n = sb_fast_socket_reply_format(req->reply_text, sizeof(req->reply_text), a->family,
						a->type, a->protocol);
		if (n > 0) {
			req->reply_text_len = (size_t)n;
			return 0;
		}
	}
	reply = json_object_new_object();
	if (!reply)
		return sb_error_set(&req->error, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	json_object_object_add(reply, "fd", json_object_new_int(0));
	json_object_object_add(reply, "family", sb_const_json(SB_C_AF, a->family));
	json_object_object_add(reply, "type", sb_const_json(SB_C_SOCK, a->type));
	json_object_object_add(reply, "protocol", json_object_new_int(a->protocol));
	if (a->bind)
		json_object_object_add(reply, "address", sb_local_address(fd, a->protocol));
	req->reply = reply;
	return 0;
}

static int apply_v6only(int fd, const struct socket_args *a, struct sb_error *err)
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

static int serve(struct sb_request *req, struct socket_args *a)
{
	const struct ucred *cred = &req->conn->cred;
	struct sb_sockinfo si;
	struct sb_policy_request preq;
	struct sockaddr_storage ss;
	socklen_t ss_len = 0;
	struct sb_bind_guard guard = { .must_stay_v6only = false };
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
	si = (struct sb_sockinfo){ a->family, a->type, a->protocol };
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

	r = set_reply(req, fd, a);
	if (r < 0)
		return r;
	sb_grants_add(req->conn->server->grants, req->conn, fd, &si,
		      req->reply ? json_object_object_get(req->reply, "address") : NULL, NULL, 0);
	req->conn->server->n_grants++;
	req->reply_fd = TAKE_FD(fd);
	return 0;
}

int sb_method_socket(struct sb_request *req)
{
	struct socket_args a = { 0 };
	int r;

	r = parse_args(req->call->parameters, &a, &req->error);
	if (r < 0)
		return r;
	return serve(req, &a);
}

int sb_method_socket_fast(struct sb_request *req, const struct sb_fast_socket *fs)
{
	struct socket_args a = { .backlog = -1 };

	/* Inside the ranges parse_args() enforces the two paths agree; the
	 * general one words the errors outside them. */
	if (fs->family < 1 || fs->family > FAMILY_MAX || fs->type < 1 || fs->type > TYPE_MAX ||
	    !type_fits_family(fs->family, fs->type) ||
	    (fs->family == AF_PACKET && fs->protocol > PACKET_PROTOCOL_MAX))
		return SB_METHOD_DECLINED;
	a.family = fs->family;
	a.type = fs->type;
	a.flags = fs->flags;
	a.protocol = fs->protocol;
	return serve(req, &a);
}
