/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deciding a call: the policy asked, the decision logged (audit.h), and
 * a denial made the call's error. */
#pragma once

#include <stdbool.h>

#include "daemon/policy.h"
#include "daemon/request.h"

/* Ask the policy about preq for req's caller, log the decision, and fill
 * req->error when denied. summary describes the request for the log.
 * 0 or -EACCES. */
int sb_authorize(struct sb_request *req, const struct sb_policy_request *preq, const char *summary);

/* The same for administration (the policy's admin method), what naming
 * the call for the log. uid 0 is always admitted, whatever the policy
 * says: a "deny * *" line must not make the daemon unmanageable. */
int sb_authorize_admin(struct sb_request *req, const char *what);

/* Would the policy admit req's caller to administration? Asked quietly,
 * nothing logged: for calls that serve others too, a "no" is not a
 * denial. */
bool sb_may_administer(struct sb_request *req);
