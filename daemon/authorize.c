/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "daemon/audit.h"
#include "daemon/authorize.h"
#include "daemon/client.h"

int sb_authorize(struct sb_request *req, const struct sb_policy_request *preq, const char *summary)
{
	struct sb_server *s = req->conn->server;
	struct sb_policy_subject who;
	struct sb_decision d;

	sb_client_subject(req->conn, &who);
	sb_policy_check(s->policy, &who, preq, &d);
	sb_audit_decision(req->conn, sb_policy_method_to_string(preq->method), summary, &d);
	if (d.allow)
		return 0;
	s->n_denials++;
	sb_error_set(&req->error, SB_ERR_PERMISSION_DENIED, EACCES, NULL,
		     "policy denies %s %s for uid %u (rule %s)",
		     sb_policy_method_to_string(preq->method), summary,
		     (unsigned)req->conn->cred.uid, d.rule);
	/* The rule travels in the error's parameters (see sb_error_reply). */
	snprintf(req->error.parameter, sizeof(req->error.parameter), "%s", d.rule);
	return -EACCES;
}

int sb_authorize_admin(struct sb_request *req, const char *what)
{
	struct sb_policy_request preq;

	if (req->conn->cred.uid == 0) {
		struct sb_decision d = {.allow = true, .rule = "uid 0"};

		sb_audit_decision(req->conn, "admin", what, &d);
		return 0;
	}
	sb_policy_request_init(&preq, SB_PM_ADMIN);
	return sb_authorize(req, &preq, what);
}

bool sb_may_administer(struct sb_request *req)
{
	struct sb_policy_request preq;
	struct sb_policy_subject who;
	struct sb_decision d;

	if (req->conn->cred.uid == 0)
		return true;
	sb_client_subject(req->conn, &who);
	sb_policy_request_init(&preq, SB_PM_ADMIN);
	sb_policy_check(req->conn->server->policy, &who, &preq, &d);
	return d.allow;
}
