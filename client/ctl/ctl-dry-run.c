/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-dry-run.h"
#include "client/ctl/ctl-error.h"
#include "proto/codec.h"
#include "proto/json-util.h"

int ctl_dry_run(struct ctl *ctl, const char *what, const char *user, const char *method,
		json_object *keys, struct sb_result *res, struct ctl_verdict *v)
{
	struct sb_admin_check_call call = {.user = user, .method = method, .keys = keys};
	struct sb_admin_check_reply reply = {.rule = NULL};
	struct sb_error err;
	int r;

	if (!keys) {
		ctl_error("out of memory");
		return CTL_EXIT_FAILED;
	}
	r = ctl_call(ctl, what, &sb_admin_check_call_def, &call, NULL, 0, 0, res);
	json_object_put(keys);
	if (r != CTL_EXIT_OK)
		return r;
	if (sb_reply_args(&res->reply, &sb_admin_check_reply_def, &reply, &err) < 0) {
		sb_result_done(res);
		return ctl_bad_reply(what, &err);
	}
	if (strcmp(reply.decision, "allow") != 0 && strcmp(reply.decision, "deny") != 0) {
		sb_error_param(&err, "decision", "decision: expected allow or deny");
		sb_result_done(res);
		return ctl_bad_reply(what, &err);
	}
	v->decision = reply.decision;
	v->rule = reply.rule;
	return CTL_EXIT_OK;
}

void ctl_verdict_set_rule(struct sb_json_builder *b, const struct ctl_verdict *v)
{
	if (v->rule)
		sb_json_set(b, "rule", json_object_new_string(v->rule));
	else
		sb_json_set_null(b, "rule");
}
