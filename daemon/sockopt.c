/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <net/if.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/sockopt.h"
#include "proto/consts.h"
#include "proto/message.h"
#include "proto/protocol.h"

static const char *const option_keys[] = { "level", "name", "value", "text", NULL };

int sb_sockopt_parse(json_object *obj, const char *param, bool privileged_only,
		     struct sb_sockopt *opt, struct sb_error *err)
{
	enum sb_const_group group;
	int64_t level, name;
	int r, has_value, has_text;
	bool is_text;

	/* SetSockOpt passes its whole parameter object, which also holds fd. */
	if (*param) {
		r = sb_params_only(obj, option_keys, err);
		if (r < 0)
			return r;
	}
	r = sb_param_const(obj, "level", SB_C_SOL, true, 0, INT_MAX, &level, err);
	if (r < 0)
		return r;
	group = sb_sockopt_group((int)level);
	r = sb_param_const(obj, "name", group == SB_C_MAX_GROUP ? SB_C_SO : group, true, 0,
			   INT_MAX, &name, err);
	if (r < 0)
		return r;
	opt->def = sb_sockopt_find((int)level, (int)name);
	if (!opt->def || (privileged_only && !opt->def->privileged))
		return sb_error_set(err, SB_ERR_NOT_SUPPORTED, EOPNOTSUPP, "name",
				    "%s%soption %s/%s is not brokered%s", param, *param ? ": " : "",
				    sb_const_name(SB_C_SOL, level) ?: "?",
				    sb_const_name(group, name) ?: "?",
				    opt->def ? ": it needs no privilege, set it yourself" : "");
	is_text = opt->def->kind == SB_OPTVAL_IFNAME;
	has_value = sb_param_int(obj, "value", false,
				 opt->def->kind == SB_OPTVAL_U32 ? 0 : INT_MIN,
				 opt->def->kind == SB_OPTVAL_U32 ? UINT32_MAX : INT_MAX, &opt->value, err);
	if (has_value < 0)
		return has_value;
	has_text = sb_param_string(obj, "text", false, SB_OPTVAL_MAX, &opt->text, err);
	if (has_text < 0)
		return has_text;
	if (is_text ? (!has_text || has_value) : (!has_value || has_text))
		return sb_error_param(err, is_text ? "text" : "value",
				      "%s%sexpected exactly one %s for this option", param,
				      *param ? ": " : "", is_text ? "\"text\"" : "integer \"value\"");
	if (is_text && !sb_ifname_valid(opt->text))
		return sb_error_param(err, "text",
				      "%s%sexpected an interface name (at most %d bytes, no '/', ':' or blanks)",
				      param, *param ? ": " : "", IFNAMSIZ - 1);
	if (!is_text)
		opt->text = NULL;
	/* The kernel takes any nonzero as on: so does the policy. */
	if (opt->def->kind == SB_OPTVAL_BOOL)
		opt->value = opt->value != 0;
	return 0;
}

int sb_sockopt_apply(int fd, const struct sb_sockopt *opt, struct sb_error *err)
{
	/* U32 values travel in the int the kernel reads them from. */
	int value = (int)(uint32_t)opt->value;
	int r;

	if (opt->def->kind == SB_OPTVAL_IFNAME)
		r = setsockopt(fd, opt->def->level, opt->def->name, opt->text,
			       (socklen_t)strlen(opt->text));
	else
		r = setsockopt(fd, opt->def->level, opt->def->name, &value, sizeof(value));
	if (r < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, "name", "setsockopt %s: %m",
				    sb_const_name(sb_sockopt_group(opt->def->level), opt->def->name) ?: "?");
	return 0;
}

void sb_sockopt_policy(const struct sb_sockopt *opt, struct sb_policy_request *req)
{
	req->level = opt->def->level;
	req->option = opt->def->name;
	req->has_value = opt->def->kind != SB_OPTVAL_IFNAME;
	req->value = opt->value;
}

void sb_sockopt_summary(const struct sb_sockopt *opt, char *buf, size_t size)
{
	const char *name = sb_const_name(sb_sockopt_group(opt->def->level), opt->def->name) ?: "?";

	if (opt->text)
		snprintf(buf, size, "%s=%s", name, opt->text);
	else
		snprintf(buf, size, "%s=%lld", name, (long long)opt->value);
}
