/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The name of a network namespace as a Socket call gives it: a plain
 * file name under /run/netns. */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "proto/protocol.h"

/* [A-Za-z0-9_.-], not starting with '.', bounded. */
static inline bool sb_netns_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SB_NETNS_NAME_MAX || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}
