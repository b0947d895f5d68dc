/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/ifname.h"
#include "daemon/sockopt.h"
#include "proto/consts.h"
#include "proto/optval.h"
#include "proto/protocol.h"

int sb_sockopt_resolve(struct sb_sockopt *opt, struct sb_error *err)
{
	int r;

	if (opt->def->kind != SB_OPTVAL_IFINDEX || opt->value == 0)
		return 0;
	r = sb_ifname_name((int)opt->value, opt->ifname);
	if (r < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, -r, "value", "no interface with index %lld",
				    (long long)opt->value);
	return 0;
}

int sb_sockopt_apply(int fd, const struct sb_sockopt *opt, struct sb_error *err)
{
	/* U32 values travel in the int the kernel reads them from. */
	int value = (int)(uint32_t)opt->value;
	int r;

	if (sb_sockopt_is_text(opt->def))
		r = setsockopt(fd, opt->def->level, opt->def->name, opt->text,
			       (socklen_t)strlen(opt->text));
	else
		r = setsockopt(fd, opt->def->level, opt->def->name, &value, sizeof(value));
	if (r < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, "name", "setsockopt %s: %m",
				    sb_const_name(sb_sockopt_group(opt->def->level), opt->def->name)
					    ?: "?");
	return 0;
}

void sb_sockopt_policy(const struct sb_sockopt *opt, struct sb_policy_request *req)
{
	req->level = opt->def->level;
	req->option = opt->def->name;
	switch (opt->def->kind) {
	case SB_OPTVAL_IFNAME:
		/* Unbinding names no interface: only rules without
		 * interface= allow it. */
		req->interface = *opt->text ? opt->text : NULL;
		break;
	case SB_OPTVAL_IFINDEX:
		req->interface = opt->ifname[0] ? opt->ifname : NULL;
		break;
	case SB_OPTVAL_NAME:
		req->text = opt->text;
		break;
	default:
		req->has_value = true;
		req->value = opt->value;
		break;
	}
}

void sb_sockopt_summary(const struct sb_sockopt *opt, char *buf, size_t size)
{
	const char *name = sb_const_name(sb_sockopt_group(opt->def->level), opt->def->name) ?: "?";

	if (opt->text)
		snprintf(buf, size, "%s=%s", name, opt->text);
	else if (opt->def->kind == SB_OPTVAL_IFINDEX && opt->ifname[0])
		snprintf(buf, size, "%s=%lld (%s)", name, (long long)opt->value, opt->ifname);
	else
		snprintf(buf, size, "%s=%lld", name, (long long)opt->value);
}
