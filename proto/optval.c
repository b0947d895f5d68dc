/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/optval.h"

bool sb_optval_is_text(int level, int name)
{
	return (level == SOL_SOCKET && name == SO_BINDTODEVICE) ||
	       (level == SOL_TCP && name == TCP_CONGESTION);
}

bool sb_optval_ifname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ':')
			return false;
	return true;
}

bool sb_optval_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SB_OPTVAL_NAME_MAX ||
	    !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
	       n;
}
