/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One call being served: what a handler reads and fills. */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

#include "daemon/state.h"
#include "proto/error.h"
#include "proto/fast-bind.h"
#include "proto/fast-socket.h"
#include "proto/frame.h"
#include "proto/json-util.h"
#include "proto/message.h"

struct sb_offload;

struct sb_request {
	struct sb_client *conn;
	struct sb_call *call;
	struct sb_frame *frame;	 /* the call's descriptors; take what you keep */
	const char *method_name; /* static: the table's name of the method */
	/* Set by the dispatcher: the caller was admitted to administration
	 * for this call (the method table's access, dispatch.c). */
	bool admin;
	/* Results, set by the handler. */
	json_object *reply; /* reply parameters (NULL: {}) */
	/* Or the whole reply, already written (proto/fast-socket.h,
	 * proto/fast-bind.h). */
	char reply_text[SB_FAST_SOCKET_MAX > SB_FAST_BIND_MAX ? SB_FAST_SOCKET_MAX
							      : SB_FAST_BIND_MAX];
	size_t reply_text_len;
	int reply_fd;	       /* descriptor handed over with the reply, or -1 */
	struct sb_error error; /* when the handler fails */
	/* Members an error reply's parameters carry beyond errno, errno_name
	 * and message (Varlink's InterfaceNotFound names the interface,
	 * MethodNotFound the method); NULL: none. */
	json_object *error_params;
};

/* A handler returns 0, or -errno with req->error filled. A fast handler
 * may instead return SB_METHOD_DECLINED, before acting, for the general
 * path. A handler that passed the rest of its work to sb_request_defer()
 * returns SB_METHOD_DEFERRED. */
#define SB_METHOD_DECLINED 1
#define SB_METHOD_DEFERRED 2

/* Finish req on a worker (daemon/offload.h): op takes the call's
 * descriptor 0, and the connection serves nothing else until the call
 * is answered (sb_dispatch_finish()). */
void sb_request_defer(struct sb_request *req, struct sb_offload *op);

/* Take what b built as req's reply parameters: 0, or -ENOMEM with
 * req->error filled when building failed. */
int sb_request_reply(struct sb_request *req, struct sb_json_builder *b);

/* An error naming what was not found, as org.varlink.service defines
 * it: name with errnum, and key: the len bytes of value in its
 * parameters. what prefixes the message. Returns -errnum. */
int sb_request_not_found(struct sb_request *req, const char *name, int errnum, const char *key,
			 const char *value, size_t len, const char *what);
/* org.varlink.service.InterfaceNotFound for the len bytes of interface,
 * which its parameters name. -ENOENT. */
int sb_error_interface_not_found(struct sb_request *req, const char *interface, size_t len);
