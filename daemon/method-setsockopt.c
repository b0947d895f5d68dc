/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.SetSockOpt: set an option that needs privilege on the
 * caller's own socket. */
#include <stdio.h>
#include <string.h>

#include "daemon/dispatch.h"
#include "daemon/sockopt.h"

static const char *const setsockopt_keys[] = { "fd", "level", "name", "value", "text", NULL };

int sb_method_setsockopt(struct sb_request *req)
{
	json_object *params = req->call->parameters;
	struct sb_policy_request preq;
	struct sb_sockopt opt;
	struct sb_sockinfo si;
	char summary[160];
	int fd, r;

	fd = sb_request_client_socket(req, setsockopt_keys, &si);
	if (fd < 0)
		return fd;
	r = sb_sockopt_parse(params, "", true, &opt, &req->error);
	if (r < 0)
		return r;

	sb_policy_request_init(&preq, SB_PM_SETSOCKOPT);
	preq.family = si.family;
	preq.type = si.type;
	preq.protocol = si.protocol;
	sb_sockopt_policy(&opt, &preq);
	sb_sockopt_summary(&opt, summary, sizeof(summary));
	snprintf(summary + strlen(summary), sizeof(summary) - strlen(summary), " on %s/%s",
		 sb_const_name(SB_C_AF, si.family) ?: "?", sb_const_name(SB_C_SOCK, si.type) ?: "?");
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	return sb_sockopt_apply(fd, &opt, &req->error);
}
