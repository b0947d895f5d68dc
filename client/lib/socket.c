/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sockets from the broker: sockbroker_socket() and the text form. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client/lib/internal.h"
#include "client/lib/spec-open.h"
#include "proto/codec.h"
#include "proto/protocol.h"
#include "proto/spec.h"

int sb_check_type(int type)
{
	/* socket(2) refuses any other bit with EINVAL. */
	if (type & ~(SOCK_TYPE_BITS | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	return 0;
}

/* The descriptor arrives with close-on-exec already set when the type
 * asks for it. */
static int socket_recv_flags(int type)
{
	return (type & SOCK_CLOEXEC) ? MSG_CMSG_CLOEXEC : 0;
}

/* The socket a Socket reply carried. */
static int reply_fd(struct sb_result *res)
{
	struct sb_socket_reply reply;

	/* The one descriptor of the reply is number 0 (the table's range). */
	if (sb_reply_args(&res->reply, &sb_socket_reply_def, &reply, NULL) < 0 || res->fd < 0)
		return sb_error_set(&res->error, SB_ERR_PROTOCOL, EPROTO, NULL,
				    "reply to Socket carries no socket");
	return sb_result_take_fd(res);
}

/* The end of every Socket call, r being what the call returned: the
 * socket, or -1 with errno set and the broker's message kept. res is
 * released. */
static int socket_reply(int r, struct sb_result *res)
{
	if (r >= 0)
		r = reply_fd(res);
	if (r < 0)
		sb_fail(r, res);
	sb_result_done(res);
	return r < 0 ? -1 : r;
}

_public_ int sockbroker_socket_at(struct sockbroker *sb, int domain, int type, int protocol)
{
	struct sb_socket_call call = SB_SOCKET_CALL_INIT(
		domain, type & SOCK_TYPE_BITS, type & (SOCK_NONBLOCK | SOCK_CLOEXEC), protocol);
	struct sb_call_msg m = {.recv_flags = socket_recv_flags(type)};
	struct sb_result res;
	int r;

	r = sb_check_type(type);
	if (r < 0)
		return sb_fail(r, NULL);
	r = sb_handle_call_def(sb, &sb_socket_call_def, &call, &m, &res);
	return socket_reply(r, &res);
}

_public_ int sockbroker_socket(int domain, int type, int protocol)
{
	return sockbroker_socket_at(NULL, domain, type, protocol);
}

/* The library's way to the broker for sb_spec_open(): the handle's
 * calls, a failure kept for sockbroker_last_message(). */
struct lib_opener {
	struct sb_opener base;
	struct sockbroker *sb;
};

static bool never_repeat(const struct sb_call_msg *m)
{
	return false;
}

static int lib_call(struct sb_opener *base, const struct sb_message_def *def, const void *args,
		    int fd, int *ret_fd)
{
	struct lib_opener *o = (struct lib_opener *)base;
	struct sb_call_msg m = {
		.fds = fd >= 0 ? &fd : NULL,
		.n_fds = fd >= 0 ? 1 : 0,
		.recv_flags = base->recv_flags,
		/* Bind is not repeated on a new connection: the broker may
		 * have bound already (a second bind fails). Socket and
		 * SetSockOpt are harmless to repeat. */
		.may_repeat = def == &sb_bind_call_def ? never_repeat : NULL,
	};
	struct sb_result res;
	int r;

	r = sb_handle_call_def(o->sb, def, args, &m, &res);
	if (r >= 0 && ret_fd)
		r = reply_fd(&res);
	if (r < 0) {
		sb_fail(r, &res);
		sb_result_done(&res);
		return r;
	}
	if (ret_fd)
		*ret_fd = r;
	sb_result_done(&res);
	return 0;
}

int sb_spec_socket(struct sockbroker *sb, const struct sb_spec *spec)
{
	struct lib_opener o = {
		.base = {.call = lib_call, .recv_flags = socket_recv_flags(spec->type)},
		.sb = sb,
	};
	struct sb_error err;
	int r;

	/* What the caller may do itself is done here, the rest asked of
	 * the broker (client/lib/spec-open.h); listen() only when asked. */
	r = sb_spec_open(spec, &o.base, &err);
	if (r < 0)
		return err.message[0] ? sb_fail(r, NULL) : -1;
	return r;
}

_public_ int sockbroker_socket_spec_at(struct sockbroker *sb, const char *spec)
{
	struct sb_spec s;
	struct sb_error err;
	int r;

	if (!spec)
		return sb_fail(-EINVAL, NULL);
	r = sb_spec_parse(spec, &s, &err);
	if (r < 0)
		return sb_fail(r, NULL);
	r = sb_check_type(s.type);
	if (r < 0)
		return sb_fail(r, NULL);
	return sb_spec_socket(sb, &s);
}

_public_ int sockbroker_socket_spec(const char *spec)
{
	return sockbroker_socket_spec_at(NULL, spec);
}
