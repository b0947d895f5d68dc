/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "proto/netns-name.h"
#include "proto/protocol.h"

bool sb_netns_name_valid(const char *name)
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
