/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/consts.h"
#include "proto/json-util.h"
#include "proto/params.h"
#include "proto/option-msg.h"
#include "proto/optval.h"
#include "proto/protocol.h"

/* Privileged options no policy can make safe to hand out, and why: the
 * refusal says so rather than only "not brokered". */
static const struct {
	int level;
	int name;
	const char *why;
} refused[] = {
	{SOL_TCP, TCP_REPAIR,
	 "repair mode writes sequence numbers and queues: it takes over "
	 "connections"},
	{SOL_IPV6, IPV6_HOPOPTS,
	 "its value is raw extension headers (router alert, CALIPSO "
	 "labels that receivers trust): no policy value can vet them"},
	{SOL_IPV6, IPV6_DSTOPTS,
	 "its value is raw extension headers (CALIPSO labels that "
	 "receivers trust): no policy value can vet them"},
	{SOL_IPV6, IPV6_RTHDRDSTOPTS,
	 "its value is raw extension headers: no policy value can "
	 "vet them"},
};

static const char *refused_why(int level, int name)
{
	for (size_t i = 0; i < ELEMENTSOF(refused); i++)
		if (refused[i].level == level && refused[i].name == name)
			return refused[i].why;
	return NULL;
}

static const char *const option_keys[] = {"level", "name", "value", "text", NULL};

/* The range of "value" for an option of kind. */
static void value_range(enum sb_optval kind, int64_t *min, int64_t *max)
{
	*min = kind == SB_OPTVAL_U32 || kind == SB_OPTVAL_IFINDEX ? 0 : INT_MIN;
	*max = kind == SB_OPTVAL_U32 ? UINT32_MAX : INT_MAX;
}

static int check_text(const struct sb_sockopt *opt, const char *param, struct sb_error *err)
{
	const char *sep = *param ? ": " : "";

	if (opt->def->kind == SB_OPTVAL_IFNAME && *opt->text && !sb_optval_ifname_valid(opt->text))
		return sb_error_param(
			err, "text",
			"%s%sexpected an interface name (at most %d bytes, no '/', ':' or blanks)",
			param, sep, IFNAMSIZ - 1);
	if (opt->def->kind == SB_OPTVAL_NAME && !sb_optval_name_valid(opt->text))
		return sb_error_param(
			err, "text",
			"%s%sexpected a name (a letter, then at most %d letters, digits, '_' or '-')",
			param, sep, SB_OPTVAL_NAME_MAX - 1);
	return 0;
}

int sb_sockopt_parse(json_object *obj, const char *param, bool privileged_only,
		     struct sb_sockopt *opt, struct sb_error *err)
{
	enum sb_const_group group;
	int64_t level, name, min, max;
	int r, has_value, has_text;
	const char *why;
	bool text;

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
	r = sb_param_const(obj, "name", group == SB_C_MAX_GROUP ? SB_C_SO : group, true, 0, INT_MAX,
			   &name, err);
	if (r < 0)
		return r;
	*opt = (struct sb_sockopt){
		.def = sb_sockopt_find((int)level, (int)name),
		.level = (int)level,
		.name = (int)name,
	};
	why = refused_why((int)level, (int)name);
	if (!opt->def || (privileged_only && !opt->def->privileged))
		return sb_error_set(err, SB_ERR_NOT_SUPPORTED, EOPNOTSUPP, "name",
				    "%s%soption %s/%s is not brokered%s%s%s", param,
				    *param ? ": " : "", sb_const_name(SB_C_SOL, level) ?: "?",
				    sb_const_name(group, name) ?: "?",
				    opt->def ? ": it needs no privilege, set it yourself" : "",
				    why ? ": " : "", why ?: "");
	text = sb_sockopt_is_text(opt->def);
	value_range(opt->def->kind, &min, &max);
	has_value = sb_param_int(obj, "value", false, min, max, &opt->value, err);
	if (has_value < 0)
		return has_value;
	has_text = sb_param_string(obj, "text", false, SB_OPTVAL_MAX, &opt->text, err);
	if (has_text < 0)
		return has_text;
	if (text ? (!has_text || has_value) : (!has_value || has_text))
		return sb_error_param(err, text ? "text" : "value",
				      "%s%sexpected exactly one %s for this option", param,
				      *param ? ": " : "", text ? "\"text\"" : "integer \"value\"");
	if (!text)
		opt->text = NULL;
	else if ((r = check_text(opt, param, err)) < 0)
		return r;
	/* The kernel takes any nonzero as on: so does the policy. */
	if (opt->def->kind == SB_OPTVAL_BOOL)
		opt->value = opt->value != 0;
	return 0;
}

json_object *sb_sockopt_json(const struct sb_sockopt *opt)
{
	_cleanup_json_ json_object *obj = json_object_new_object();
	const struct sb_sockopt_def *def = opt->def;
	bool text = def ? sb_sockopt_is_text(def) : opt->text != NULL;

	if (!obj || sb_json_add(obj, "level", sb_const_json(SB_C_SOL, opt->level)) < 0 ||
	    sb_json_add(obj, "name",
			def ? json_object_new_string(sb_sockopt_name(def))
			    : json_object_new_int(opt->name)) < 0)
		return NULL;
	if (text ? sb_json_add(obj, "text", json_object_new_string(opt->text ?: "")) < 0
		 : sb_json_add(obj, "value", json_object_new_int64(opt->value)) < 0)
		return NULL;
	return TAKE_PTR(obj);
}
