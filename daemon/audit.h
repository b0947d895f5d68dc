/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit trail: every policy decision, with who asked, what, and the
 * rule that decided (journal fields CLIENT_UID=, CLIENT_PID=, RULE=...). */
#pragma once

#include "daemon/policy.h"
#include "daemon/state.h"

void sb_audit_decision(const struct sb_client *c, const char *method, const char *summary,
		       const struct sb_decision *d);
