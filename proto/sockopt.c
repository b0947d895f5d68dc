/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/consts.h"
#include "proto/sockopt.h"
#include "proto/util.h"

static const struct sb_sockopt_def table[] = {
	/* Need CAP_NET_ADMIN or CAP_NET_RAW (net/core/sock.c, net/ipv4/ip_sockglue.c,
	 * net/ipv6/ipv6_sockglue.c). */
	{ SOL_SOCKET, SO_MARK, true, SB_OPTVAL_U32 },
	{ SOL_SOCKET, SO_PRIORITY, true, SB_OPTVAL_U32 },
	{ SOL_SOCKET, SO_RCVBUFFORCE, true, SB_OPTVAL_INT },
	{ SOL_SOCKET, SO_SNDBUFFORCE, true, SB_OPTVAL_INT },
	{ SOL_SOCKET, SO_DEBUG, true, SB_OPTVAL_BOOL },
	{ SOL_SOCKET, SO_BINDTODEVICE, true, SB_OPTVAL_IFNAME },
	{ SOL_IP, IP_TRANSPARENT, true, SB_OPTVAL_BOOL },
	{ SOL_IPV6, IPV6_TRANSPARENT, true, SB_OPTVAL_BOOL },
	/* Need no privilege, but must precede bind or listen. */
	{ SOL_SOCKET, SO_REUSEADDR, false, SB_OPTVAL_BOOL },
	{ SOL_SOCKET, SO_REUSEPORT, false, SB_OPTVAL_BOOL },
	{ SOL_SOCKET, SO_BROADCAST, false, SB_OPTVAL_BOOL },
	{ SOL_SOCKET, SO_KEEPALIVE, false, SB_OPTVAL_BOOL },
	{ SOL_SOCKET, SO_RCVBUF, false, SB_OPTVAL_INT },
	{ SOL_SOCKET, SO_SNDBUF, false, SB_OPTVAL_INT },
	{ SOL_IP, IP_FREEBIND, false, SB_OPTVAL_BOOL },
	{ SOL_IP, IP_HDRINCL, false, SB_OPTVAL_BOOL },
	{ SOL_IPV6, IPV6_V6ONLY, false, SB_OPTVAL_BOOL },
	{ SOL_IPV6, IPV6_FREEBIND, false, SB_OPTVAL_BOOL },
	{ SOL_TCP, TCP_NODELAY, false, SB_OPTVAL_BOOL },
	{ SOL_TCP, TCP_DEFER_ACCEPT, false, SB_OPTVAL_INT },
	{ SOL_TCP, TCP_FASTOPEN, false, SB_OPTVAL_INT },
};

const struct sb_sockopt_def *sb_sockopt_find(int level, int name)
{
	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		if (table[i].level == level && table[i].name == name)
			return &table[i];
	return NULL;
}

const char *sb_sockopt_name(const struct sb_sockopt_def *def)
{
	return sb_const_name(sb_sockopt_group(def->level), def->name);
}

const struct sb_sockopt_def *sb_sockopt_find_name(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		const char *n = sb_sockopt_name(&table[i]);

		if (n && strcmp(n, name) == 0)
			return &table[i];
	}
	return NULL;
}

bool sb_ifname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ':')
			return false;
	return true;
}
