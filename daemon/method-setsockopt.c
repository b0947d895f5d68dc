/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.SetSockOpt: set an option that needs privilege on the
 * caller's own socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/authorize.h"
#include "daemon/methods.h"
#include "daemon/offload.h"
#include "daemon/client-fd.h"
#include "daemon/sockopt.h"
#include "proto/protocol.h"

/* The setsockopt() on a worker (offload.h): the client may hold the
 * socket's lock. */
struct setsockopt_op {
	struct sb_offload base;
	struct sb_sockopt opt;
	char text[SB_OPTVAL_MAX + 1]; /* opt.text points here */
};

static int setsockopt_work(struct sb_offload *base)
{
	struct setsockopt_op *op = (struct setsockopt_op *)base;

	return sb_sockopt_apply(base->fd, &op->opt, &base->error);
}

int sb_method_setsockopt(struct sb_request *req)
{
	struct sb_sockopt opt = req->args->setsockopt.opt;
	struct sb_policy_request preq;
	struct sb_sockinfo si;
	struct setsockopt_op *op;
	char summary[160];
	int r;

	r = sb_sockinfo_get(req->frame->fds[0], &si, &req->error);
	if (r < 0)
		return r;
	/* The socket is of the daemon's network namespace (client-fd.h). */
	r = sb_sockopt_resolve(&opt, &req->error);
	if (r < 0)
		return r;

	sb_policy_request_init(&preq, SB_PM_SETSOCKOPT);
	preq.family = si.family;
	preq.type = si.type;
	preq.protocol = si.protocol;
	sb_sockopt_policy(&opt, &preq);
	sb_sockopt_summary(&opt, summary, sizeof(summary));
	snprintf(summary + strlen(summary), sizeof(summary) - strlen(summary), " on %s/%s",
		 sb_const_name(SB_C_AF, si.family) ?: "?",
		 sb_const_name(SB_C_SOCK, si.type) ?: "?");
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	op = calloc(1, sizeof(*op));
	if (!op)
		return sb_error_oom(&req->error);
	op->opt = opt;
	if (opt.text) {
		snprintf(op->text, sizeof(op->text), "%s", opt.text);
		op->opt.text = op->text;
	}
	op->base.work = setsockopt_work;
	sb_request_defer(req, &op->base);
	return SB_METHOD_DEFERRED;
}
