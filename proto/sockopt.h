/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The socket options the broker sets: the privileged ones that are the
 * point of brokering, and a few harmless ones that must precede bind or
 * listen. The daemon decides on them; tools name them in socket specs. */
#pragma once

#include <stdbool.h>

/* How an option's value is read, checked against the policy and set. */
enum sb_optval {
	SB_OPTVAL_INT,	   /* a C int */
	SB_OPTVAL_U32,	   /* 0..UINT32_MAX, as the kernel stores it (SO_MARK) */
	SB_OPTVAL_BOOL,	   /* any nonzero is on: compared as 0 or 1 */
	SB_OPTVAL_IFNAME,  /* an interface name in "text", "" to unbind */
	SB_OPTVAL_IFINDEX, /* an interface index, 0 to unbind: decided by its name */
	SB_OPTVAL_NAME,	   /* a name in "text" (sb_optval_name_valid()) */
};

struct sb_sockopt_def {
	int level;
	int name;
	bool privileged; /* needs a setsockopt rule in the policy */
	enum sb_optval kind;
};

/* The option, or NULL when the broker does not set it. */
const struct sb_sockopt_def *sb_sockopt_find(int level, int name);
/* The option of that name (SO_MARK, IPV6_V6ONLY, TCP_NODELAY...), or
 * NULL. */
const struct sb_sockopt_def *sb_sockopt_find_name(const char *name);
/* Its name. */
const char *sb_sockopt_name(const struct sb_sockopt_def *def);
/* What the kernel accepts as an interface name (dev_valid_name()), and
 * printable, as it goes into logs; "" unbinds. */
bool sb_ifname_valid(const char *name);
/* Does the option's value travel as "text" (an interface or algorithm
 * name) rather than as an integer "value"? */
bool sb_sockopt_is_text(const struct sb_sockopt_def *def);
/* Is text a value the option takes (an interface name, "" to unbind; or
 * an algorithm name)? */
bool sb_sockopt_text_valid(const struct sb_sockopt_def *def, const char *text);
