/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client end of one broker connection: connect, make one call at a
 * time, get the reply and the descriptor it carried, and turn Varlink
 * errors into errno values. Shared by libsockbroker and sockbrokerctl;
 * everything here returns 0 or -errno. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/error.h"
#include "proto/codec.h"
#include "proto/message.h"

struct sb_conn;

/* How far a call got, which tells whether the broker may have acted on
 * it when the connection broke. */
enum sb_call_stage {
	SB_CALL_UNSENT,	  /* the message never reached the broker whole */
	SB_CALL_SENT,	  /* sent, but no reply: it may have been executed */
	SB_CALL_ANSWERED, /* a reply or an error reply arrived */
};

/* The outcome of one call. On success reply holds the parameters and fd
 * the descriptor the reply carried (-1 when none). On an error reply
 * error.name is the Varlink error (valid until sb_result_done()),
 * error.errnum its errno and error.message the broker's text; a reply
 * that cannot be understood counts as one (ProtocolError, EPROTO). On a
 * local or transport failure error.name is NULL and error.message says
 * what failed. */
struct sb_result {
	enum sb_call_stage stage;
	/* Read by the codec (proto/codec.h): sb_reply_args() or
	 * sb_reply_parameters() give its parameters. */
	struct sb_reply reply;
	int fd;
	struct sb_error error;
};

void sb_result_done(struct sb_result *res);
/* Record a failure of this side or of the transport in res (error.name
 * NULL); returns -errnum. */
int sb_result_local_error(struct sb_result *res, int errnum, const char *what);
/* Take ownership of the reply's descriptor (-1 when none). */
int sb_result_take_fd(struct sb_result *res);

/* Connect to the broker socket at path (close-on-exec, blocking).
 * -ENOENT / -ECONNREFUSED when no broker listens there. */
int sb_conn_open(const char *path, struct sb_conn **ret);
/* Close and free; returns NULL for "c = sb_conn_free(c);". */
struct sb_conn *sb_conn_free(struct sb_conn *c);
/* Drop the socket without freeing anything (for a forked child, which
 * must not talk on its parent's connection). The connection is unusable
 * afterwards. */
void sb_conn_disown(struct sb_conn *c);
/* False once a transport or framing failure made the stream unusable. */
bool sb_conn_usable(const struct sb_conn *c);
/* The same, and the descriptor is still the socket connected: a program
 * may have closed it or put another file in its place. If not, the
 * connection lets go of the descriptor without closing it, and is
 * unusable. So it is, closed, when the process's effective ids changed
 * since it connected. */
bool sb_conn_still_ours(struct sb_conn *c);
int sb_conn_fd(const struct sb_conn *c);

/* Send msg (len bytes of JSON, the NUL is added) with n_fds descriptors
 * and wait for its reply. recv_flags is 0 or MSG_CMSG_CLOEXEC: whether
 * the descriptor the reply carries is to be close-on-exec (it is until
 * handed over either way); every descriptor beyond the first is closed. Returns 0 for a successful
 * reply, the mapped -errno of an error reply (see sb_conn_errno()), or -errno of a local or
 * transport failure (-ECONNRESET when the broker closed the connection). The result is filled in
 * every case. */
int sb_conn_call(struct sb_conn *c, const char *msg, size_t len, const int *fds, size_t n_fds,
		 int recv_flags, struct sb_result *res);

/* The errno that an error reply stands for: the errno the broker sent
 * when it is one that error may carry, else the error's usual one
 * (PermissionDenied EACCES, InvalidParameter EINVAL, MethodNotFound
 * ENOSYS, ...; EPROTO for an unknown error without a usable errno).
 * Positive. */
int sb_conn_errno(const char *error, int errnum);
