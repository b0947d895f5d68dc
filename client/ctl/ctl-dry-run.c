/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-dry-run.h"
#include "client/ctl/ctl-error.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

int ctl_dry_run(struct ctl *ctl, const char *what, const char *user, const char *method,
		json_object *keys, struct sb_result *res, struct ctl_verdict *v)
{
	struct sb_json_builder params = sb_json_new_object();
	struct sb_error err;
	json_object *p;
	int r;

	sb_json_set(&params, "user", json_object_new_string(user));
	sb_json_set(&params, "method", json_object_new_string(method));
	sb_json_set(&params, "keys", keys);
	p = sb_json_done(&params);
	if (!p) {
		ctl_error("out of memory");
		return CTL_EXIT_FAILED;
	}
	r = ctl_call(ctl, what, SB_METHOD_ADMIN_CHECK, p, 0, res);
	if (r != CTL_EXIT_OK)
		return r;
	v->rule = NULL;
	if (sb_param_string(sb_reply_parameters(&res->reply), "decision", true, 8, &v->decision,
			    &err) < 0 ||
	    sb_param_string(sb_reply_parameters(&res->reply), "rule", false, 4096, &v->rule, &err) <
		    0) {
		sb_result_done(res);
		return ctl_bad_reply(what, &err);
	}
	if (strcmp(v->decision, "allow") != 0 && strcmp(v->decision, "deny") != 0) {
		sb_error_param(&err, "decision", "decision: expected allow or deny");
		sb_result_done(res);
		return ctl_bad_reply(what, &err);
	}
	return CTL_EXIT_OK;
}

void ctl_verdict_set_rule(struct sb_json_builder *b, const struct ctl_verdict *v)
{
	if (v->rule)
		sb_json_set(b, "rule", json_object_new_string(v->rule));
	else
		sb_json_set_null(b, "rule");
}
