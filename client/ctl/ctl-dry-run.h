/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A policy dry run (org.sockbroker.admin.Check), as check and info make
 * them. */
#pragma once

#include <json-c/json.h>

#include "client/ctl/ctl.h"

/* The outcome of one dry run, pointing into the reply. */
struct ctl_verdict {
	const char *decision; /* "allow" or "deny" */
	const char *rule;     /* file:line, "default", or NULL when absent */
};

/* Ask whether user may call method with keys (consumed); what prefixes
 * the errors printed. On CTL_EXIT_OK *v points into res, which the
 * caller releases; otherwise the exit status (res released). */
int ctl_dry_run(struct ctl *ctl, const char *what, const char *user, const char *method,
		json_object *keys, struct sb_result *res, struct ctl_verdict *v);

struct sb_json_builder;
/* The verdict's rule as "rule" of b: null when the broker named none. */
void ctl_verdict_set_rule(struct sb_json_builder *b, const struct ctl_verdict *v);
