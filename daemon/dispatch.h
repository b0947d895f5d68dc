/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One handler per method, found through a table. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <string.h>

#include "daemon/server.h"
#include "daemon/sockinfo.h"
#include "proto/codec.h"
#include "proto/error.h"
#include "proto/frame.h"
#include "proto/json-util.h"
#include "proto/message.h"

/* The most descriptors any method takes (see the table in dispatch.c). */
#define SB_CALL_FDS_MAX 1

struct sb_request {
	struct sb_client *conn;
	struct sb_call *call;
	struct sb_frame *frame; /* the call's descriptors; take what you keep */
	const char *method_name; /* static: the table's name of the method */
	/* The parameters as a struct, for a method with a definition (its
	 * params in the table): the member of that method. */
	union sb_call_args *args;
	/* Results, set by the handler. */
	json_object *reply;     /* reply parameters (NULL: {}) */
	/* Or, for a method with a definition, its reply as a struct in
	 * reply_args, which the codec writes (proto/codec.h); the reply owns
	 * its objects. */
	const struct sb_message_def *reply_def;
	int reply_fd;           /* descriptor handed over with the reply, or -1 */
	/* Members an error reply's parameters carry beyond errno, errno_name
	 * and message (Varlink's InterfaceNotFound names the interface,
	 * MethodNotFound the method); NULL: none. */
	json_object *error_params;
	/* The large members last: sb_request_init() does not clear them. */
	union sb_reply_args reply_args; /* read only as reply_def says */
	struct sb_error error;  /* when the handler fails */
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
/* 0, or -errno with req->error filled. A handler that passed the rest of
 * its work to sb_dispatch_defer() returns SB_METHOD_DEFERRED. */
#define SB_METHOD_DEFERRED 2
typedef int (*sb_method_fn)(struct sb_request *req);

struct sb_method {
	const char *name;
	sb_method_fn fn;
	unsigned n_fds; /* exactly this many descriptors come with the call */
	/* The parameters' definition, read into req->args before fn runs;
	 * NULL: fn reads req->call->parameters. */
	const struct sb_message_def *params;
};

/* Handle one complete frame from c: parse, dispatch, queue the reply. */
void sb_dispatch_frame(struct sb_client *c, struct sb_frame *f);

struct sb_offload;
/* Finish req on a worker (daemon/offload.h): op takes the call's
 * descriptor 0, and the connection serves nothing else until
 * sb_dispatch_finish() has answered. */
void sb_dispatch_defer(struct sb_request *req, struct sb_offload *op);
/* On the loop, once op's work is done and its connection still there:
 * answer the call and let the connection go on. */
void sb_dispatch_finish(struct sb_offload *op);

/* org.varlink.service.InterfaceNotFound for the len bytes of interface,
 * which its parameters name. -ENOENT. */
int sb_error_interface_not_found(struct sb_request *req, const char *interface, size_t len);

/* Ask the policy, log the decision, and fill req->error when denied.
 * summary describes the request for the log. 0 or -EACCES. */
int sb_authorize(struct sb_request *req, const struct sb_policy_request *preq,
		 const char *summary);

/* For methods acting on the caller's own socket (sent as descriptor 0):
 * check the parameters are among keys and "fd" is 0, and read what the
 * socket really is. Returns the descriptor (still owned by the frame) or
 * -errno with req->error filled. */
int sb_request_client_socket(struct sb_request *req, const char *const *keys,
			     struct sb_sockinfo *si);

/* The handlers (daemon/method-*.c). */
int sb_method_socket(struct sb_request *req);
int sb_method_bind(struct sb_request *req);
int sb_method_setsockopt(struct sb_request *req);
int sb_method_info(struct sb_request *req);
int sb_method_get_info(struct sb_request *req);
int sb_method_get_interface_description(struct sb_request *req);
int sb_method_admin_status(struct sb_request *req);
int sb_method_admin_list(struct sb_request *req);
int sb_method_admin_check(struct sb_request *req);
int sb_method_admin_reload(struct sb_request *req);
