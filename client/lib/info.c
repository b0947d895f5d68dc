/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbroker_info(): the broker's version, its kernel's families and the
 * caller as the broker sees it. */
#include <string.h>

#include "client/lib/internal.h"
#include "proto/codec.h"
#include "proto/consts.h"
#include "proto/protocol.h"

/* The reply through its definition; the nested values are read here,
 * only as far as sockbroker_info tells them. */
static int parse_info(struct sb_reply *reply, struct sockbroker_info *info, struct sb_error *err)
{
	struct sb_info_reply m = {.features = NULL};
	int64_t uid, gid, pid;
	size_t len;
	int r;

	memset(info, 0, sizeof(*info));
	r = sb_reply_args(reply, &sb_info_reply_def, &m, err);
	if (r < 0)
		return r;
	len = strlen(m.version);
	if (len >= sizeof(info->version))
		return sb_error_param(err, "version", "version: string longer than %zu bytes (%zu)",
				      sizeof(info->version) - 1, len);
	r = sb_param_int(m.caller, "uid", true, 0, UINT32_MAX - 1, &uid, err);
	if (r >= 0)
		r = sb_param_int(m.caller, "gid", true, 0, UINT32_MAX - 1, &gid, err);
	if (r >= 0)
		r = sb_param_int(m.caller, "pid", true, 0, INT32_MAX, &pid, err);
	if (r < 0)
		return r;
	strcpy(info->version, m.version);
	info->uid = (uid_t)uid;
	info->gid = (gid_t)gid;
	info->pid = (pid_t)pid;
	for (size_t i = 0; i < json_object_array_length(m.families); i++) {
		json_object *f = json_object_array_get_idx(m.families, i);
		int64_t af;

		/* Names this build does not know are families it cannot
		 * ask for by number anyway. */
		if (!json_object_is_type(f, json_type_string) ||
		    sb_const_value(SB_C_AF, json_object_get_string(f), &af) < 0)
			continue;
		if (af >= 0 && af < 64)
			info->families |= UINT64_C(1) << af;
	}
	return 0;
}

_public_ int sockbroker_info(struct sockbroker *sb, struct sockbroker_info *info)
{
	struct sb_call_msg m = {.text = NULL};
	struct sb_result res;
	struct sb_error err;
	int r;

	if (!info)
		return sb_fail(-EINVAL, NULL);
	r = sb_handle_call_def(sb, &sb_info_call_def, NULL, &m, &res);
	if (r >= 0 && parse_info(&res.reply, info, &err) < 0)
		r = sb_error_set(&res.error, SB_ERR_PROTOCOL, EPROTO, NULL,
				 "malformed Info reply: %s", err.message);
	if (r < 0)
		sb_fail(r, &res);
	sb_result_done(&res);
	return r < 0 ? -1 : 0;
}
