/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations on a client's own socket, away from the event loop.
 *
 * A client decides how long its socket's lock is held: a sendto() whose
 * data faults on a page the client never serves (a FUSE file of its own,
 * a userfaultfd range) sleeps in lock_sock() holding it. A bind(),
 * setsockopt() or getsockname() on that socket then sleeps until the
 * client lets go, in a state no signal ends. So these run on worker
 * threads, where a stuck one costs a thread and never the loop, and at
 * most SB_OFFLOAD_PER_OWNER operations of one owner run at a time: the
 * rest wait in order, so one owner's stuck calls hold at most that many
 * of the SB_OFFLOAD_WORKERS threads (docs/SECURITY.md). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "proto/error.h"

#define SB_OFFLOAD_WORKERS 16
#define SB_OFFLOAD_PER_OWNER 2

struct sb_client;
struct sb_request;

/* Embedded as the first member of a method's own operation, which is
 * allocated with malloc() and freed with free() once finished. */
struct sb_offload {
	struct sb_offload *next;
	struct sb_client *conn; /* NULL once the connection is gone */
	uid_t owner;
	const char *method; /* a static string, for the log */
	bool oneway;
	int fd; /* the client's socket: the operation's own */
	/* On a worker: act on fd; 0, or -errno with error filled. */
	int (*work)(struct sb_offload *op);
	/* On the loop once work is done, r being its result (req->error
	 * holds its error then): fill req's reply. Returns the call's
	 * result, 0 or -errno with req->error filled. NULL: the reply is {},
	 * or work's error. */
	int (*finish)(struct sb_offload *op, struct sb_request *req, int r);
	int result;
	struct sb_error error;
};

/* Called on the loop with an operation whose work is done and whose
 * connection is still there (op->conn), to answer its call. */
typedef void (*sb_offload_answer_fn)(struct sb_offload *op);

/* Watch for finished operations on e, answered with answer_fn. 0 or
 * -errno. */
int sb_offload_init(sd_event *e, sb_offload_answer_fn answer_fn);
/* Run op->work on a worker, as soon as op->owner's turn allows, then
 * answer its call on the loop (sb_offload_init()). Takes op. */
void sb_offload_submit(struct sb_offload *op);
/* op's connection is gone: it finishes without a reply. */
void sb_offload_forget(struct sb_offload *op);
/* Operations submitted and not yet finished (for tests and status). */
unsigned sb_offload_pending(void);
/* At exit: stop watching. Workers still in an operation end with the
 * process. */
void sb_offload_done(void);
