/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One handler per method, found through a table that also says who may
 * call it. The dispatcher parses a call, decides whether its caller may
 * make it, runs the handler and gives back the reply, for the server to
 * send (server.c). */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

#include "daemon/request.h"

/* The most descriptors any method takes (see the table in dispatch.c). */
#define SB_CALL_FDS_MAX 1

/* Who may call a method. The dispatcher decides it before the handler
 * runs, so that no handler checks it in a way of its own, or forgets. */
enum sb_access {
	/* Administrators only: the policy's admin method; uid 0 always.
	 * First, so that a table entry without the column fails closed. */
	SB_ACCESS_ADMIN,
	/* Anyone: what the call asks for is the policy's to decide, which
	 * the handler asks once it has read the request (Socket, Bind,
	 * SetSockOpt), or it tells what any caller may know (Info, the
	 * introspection methods). */
	SB_ACCESS_ANYONE,
	/* Anyone, shown what is their own; an administrator everyone's
	 * (req->admin, asked quietly: not being one is no denial). */
	SB_ACCESS_ADMIN_SEES_ALL,
	/* Anyone about themselves (as the method's about_caller() reads the
	 * call); about anyone else, administrators only. */
	SB_ACCESS_ADMIN_FOR_OTHERS,
};

typedef int (*sb_method_fn)(struct sb_request *req);

struct sb_method {
	const char *name;
	sb_method_fn fn;
	unsigned n_fds; /* exactly this many descriptors come with the call */
	enum sb_access access;
	/* The call as the audit log names an administration decision. */
	const char *audit_name;
	/* SB_ACCESS_ADMIN_FOR_OTHERS: is the call about its caller? */
	bool (*about_caller)(const struct sb_request *req);
	/* The parameters' definition (proto/messages.h), read into
	 * req->args once the caller is admitted, before fn runs. */
	const struct sb_message_def *params;
};

/* A call's reply, for the server to send: sb_dispatch_frame() or
 * sb_dispatch_finish() fills it. */
struct sb_answer {
	bool send; /* false: none (a oneway call, or one on a worker) */
	/* The reply, ours; NULL with text, or when it could not be built
	 * (out of memory: the server then closes the connection). */
	json_object *msg;
	const char *text; /* or the reply in its wire form, len bytes */
	size_t len;
	int fd;	    /* handed over with the reply (ours), or -1 */
	bool close; /* not Varlink at all: read no more from the peer */
	/* The call's own storage. */
	struct sb_request req;
	/* A reply the handler left as a struct, as the codec wrote it
	 * (proto/codec.h): text may point into it. */
	struct sb_wire wire;
};

/* Handle one complete frame from c: parse, decide, dispatch, and fill a
 * with the reply. */
void sb_dispatch_frame(struct sb_client *c, struct sb_frame *f, struct sb_answer *a);

/* On the loop, once op's work is done and its connection still there
 * (offload.h): fill a with the call's reply. */
void sb_dispatch_finish(struct sb_offload *op, struct sb_answer *a);
