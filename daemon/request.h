/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One call being served: what a handler reads and fills. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <json-c/json.h>

#include "daemon/state.h"
#include "proto/codec.h"
#include "proto/error.h"
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
	/* The parameters as a struct, for a method with a definition (its
	 * params in the method table): the member of that method. */
	union sb_call_args *args;
	/* Results, set by the handler: its reply as a struct in reply_args,
	 * which the codec writes (proto/codec.h); the reply owns its
	 * objects. NULL: a reply without parameters (SetSockOpt). */
	const struct sb_message_def *reply_def;
	int reply_fd; /* descriptor handed over with the reply, or -1 */
	/* Members an error reply's parameters carry beyond errno, errno_name
	 * and message (Varlink's InterfaceNotFound names the interface,
	 * MethodNotFound the method); NULL: none. */
	json_object *error_params;
	/* The large members last: sb_request_init() does not clear them. */
	union sb_reply_args reply_args; /* read only as reply_def says */
	struct sb_error error;		/* when the handler fails */
};

/* Every member cleared but the buffers, which are written before they
 * are read: clearing them cost more than the rest of dispatching a
 * call. */
static inline void sb_request_init(struct sb_request *req, struct sb_client *c,
				   struct sb_call *call, struct sb_frame *f)
{
	memset(req, 0, offsetof(struct sb_request, reply_args));
	req->conn = c;
	req->call = call;
	req->frame = f;
	req->reply_fd = -1;
	req->error.name = NULL;
	req->error.errnum = 0;
	req->error.parameter[0] = 0;
	req->error.message[0] = 0;
}

/* A handler returns 0, or -errno with req->error filled. A handler that
 * passed the rest of its work to sb_request_defer() returns
 * SB_METHOD_DEFERRED. */
#define SB_METHOD_DEFERRED 2

/* Finish req on a worker (daemon/offload.h): op takes the call's
 * descriptor 0, and the connection serves nothing else until the call
 * is answered (sb_dispatch_finish()). */
void sb_request_defer(struct sb_request *req, struct sb_offload *op);

/* An error naming what was not found, as org.varlink.service defines
 * it: name with errnum, and key: the len bytes of value in its
 * parameters. what prefixes the message. Returns -errnum. */
int sb_request_not_found(struct sb_request *req, const char *name, int errnum, const char *key,
			 const char *value, size_t len, const char *what);
/* org.varlink.service.InterfaceNotFound for the len bytes of interface,
 * which its parameters name. -ENOENT. */
int sb_error_interface_not_found(struct sb_request *req, const char *interface, size_t len);
