/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of libsockbroker share: the handle, the call with its
 * reconnect-and-retry rule, and the public API's error convention. */
#pragma once

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>

#include "client/lib/conn.h"
#include "client/lib/sockbroker.h"
#include "proto/fields.h"

/* Marks the functions libsockbroker exports (everything else is hidden
 * by -fvisibility=hidden and by libsockbroker.sym). */
#define _public_ __attribute__((visibility("default")))

struct sockbroker {
	pthread_mutex_t lock;		/* one call at a time on conn */
	struct sb_conn *conn;		/* NULL until the first call, or after a failure */
	char *path;			/* NULL: resolve the default at each connect */
	struct sockbroker *prev, *next; /* every live handle, for fork */
};

/* One call as the handle layer sends it. */
struct sb_call_msg {
	const char *text; /* the JSON message, without the NUL */
	size_t len;
	const int *fds;
	size_t n_fds;
	int recv_flags; /* 0 or MSG_CMSG_CLOEXEC */
	/* When the connection broke after the call went out, the broker
	 * may have executed it: may it be sent again on a new connection?
	 * NULL means always (the call has no lasting effect, or repeating
	 * it is harmless). */
	bool (*may_repeat)(const struct sb_call_msg *m);
	void *userdata;
};

/* Make a call through the handle sb (NULL: the process-wide one), connecting
 * first when needed, and once more after a broken connection (a
 * restarted broker, an idle timeout). Same returns as sb_conn_call();
 * -ENOENT / -ECONNREFUSED when no broker listens. */
int sb_handle_call(struct sockbroker *sb, const struct sb_call_msg *m, struct sb_result *res);
/* The same for a call of def's method with args as its parameters,
 * written into m's text (m gives the rest). A call that cannot be
 * written fails in res as well, not sent. */
int sb_handle_call_def(struct sockbroker *sb, const struct sb_message_def *def, const void *args,
		       struct sb_call_msg *m, struct sb_result *res);

/* The public API's failure exit: remembers the broker's message for
 * sockbroker_last_message() (res may be NULL for a local failure), sets
 * errno to -r and returns -1. */
int sb_fail(int r, const struct sb_result *res);

/* The family of socket fd, or -EBADF/-ENOTSOCK: what the kernel checks
 * of a descriptor before the other arguments. */
int sb_socket_domain(int fd, int *ret);
/* The address of a sockaddr as the protocol carries it; protocol of the
 * socket for the families that need it. */
int sb_addr_json(const struct sockaddr *addr, socklen_t addrlen, int protocol, json_object **ret);
/* The kernel's SOCK_TYPE_MASK: the type proper, below the flag bits. */
#define SOCK_TYPE_BITS 0xf

/* Check a socket() type argument: only a type and the two flags. */
int sb_check_type(int type);
struct sb_spec;
/* The socket of spec, made where the caller's privileges suffice and
 * the broker asked for the rest (client/lib/spec-open.h), or -1 with errno
 * set (the public API's convention). */
int sb_spec_socket(struct sockbroker *sb, const struct sb_spec *spec);
