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
	json_object *params = json_object_new_object();
	struct sb_error err;
	int r;

	if (!params) {
		json_object_put(keys);
		ctl_error("out of memory");
		return CTL_EXIT_FAILED;
	}
	json_object_object_add(params, "user", json_object_new_string(user));
	json_object_object_add(params, "method", json_object_new_string(method));
	json_object_object_add(params, "keys", keys);
	r = ctl_call(ctl, what, SB_METHOD_ADMIN_CHECK, params, 0, res);
	if (r != CTL_EXIT_OK)
		return r;
	v->rule = NULL;
	if (sb_param_string(res->reply.parameters, "decision", true, 8, &v->decision, &err) < 0 ||
	    sb_param_string(res->reply.parameters, "rule", false, 4096, &v->rule, &err) < 0) {
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
