/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include "proto/consts.h"
#include "proto/optval.h"
#include "proto/sockopt.h"
#include "proto/util.h"

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

static const struct sb_sockopt_def table[] = {
	/* Need CAP_NET_ADMIN, CAP_NET_RAW or CAP_NET_BROADCAST (net/core/sock.c,
	 * net/ipv4/ip_sockglue.c, net/ipv6/ipv6_sockglue.c, net/ipv4/tcp_cong.c,
	 * net/netlink/af_netlink.c); docs/SECURITY.md says what each gives. */
	{SOL_SOCKET, SO_MARK, true, SB_OPTVAL_U32},
	{SOL_SOCKET, SO_PRIORITY, true, SB_OPTVAL_U32}, /* above 6 */
	{SOL_SOCKET, SO_RCVBUFFORCE, true, SB_OPTVAL_INT},
	{SOL_SOCKET, SO_SNDBUFFORCE, true, SB_OPTVAL_INT},
	{SOL_SOCKET, SO_DEBUG, true, SB_OPTVAL_BOOL},
	{SOL_SOCKET, SO_BINDTODEVICE, true, SB_OPTVAL_IFNAME},	 /* re-binding */
	{SOL_SOCKET, SO_BINDTOIFINDEX, true, SB_OPTVAL_IFINDEX}, /* re-binding */
	{SOL_SOCKET, SO_PREFER_BUSY_POLL, true, SB_OPTVAL_BOOL},
	{SOL_SOCKET, SO_BUSY_POLL_BUDGET, true, SB_OPTVAL_INT}, /* raising it */
	{SOL_IP, IP_TRANSPARENT, true, SB_OPTVAL_BOOL},
	{SOL_IPV6, IPV6_TRANSPARENT, true, SB_OPTVAL_BOOL},
	/* An algorithm outside net.ipv4.tcp_allowed_congestion_control. */
	{SOL_TCP, TCP_CONGESTION, true, SB_OPTVAL_NAME},
	{SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, true, SB_OPTVAL_BOOL},
	/* Need no privilege, but must precede bind or listen. */
	{SOL_SOCKET, SO_REUSEADDR, false, SB_OPTVAL_BOOL},
	{SOL_SOCKET, SO_REUSEPORT, false, SB_OPTVAL_BOOL},
	{SOL_SOCKET, SO_BROADCAST, false, SB_OPTVAL_BOOL},
	{SOL_SOCKET, SO_KEEPALIVE, false, SB_OPTVAL_BOOL},
	{SOL_SOCKET, SO_RCVBUF, false, SB_OPTVAL_INT},
	{SOL_SOCKET, SO_SNDBUF, false, SB_OPTVAL_INT},
	{SOL_IP, IP_FREEBIND, false, SB_OPTVAL_BOOL},
	{SOL_IP, IP_HDRINCL, false, SB_OPTVAL_BOOL},
	{SOL_IPV6, IPV6_V6ONLY, false, SB_OPTVAL_BOOL},
	{SOL_IPV6, IPV6_FREEBIND, false, SB_OPTVAL_BOOL},
	{SOL_TCP, TCP_NODELAY, false, SB_OPTVAL_BOOL},
	{SOL_TCP, TCP_DEFER_ACCEPT, false, SB_OPTVAL_INT},
	{SOL_TCP, TCP_FASTOPEN, false, SB_OPTVAL_INT},
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
	return !*name || sb_optval_ifname_valid(name);
}

bool sb_sockopt_is_text(const struct sb_sockopt_def *def)
{
	return def->kind == SB_OPTVAL_IFNAME || def->kind == SB_OPTVAL_NAME;
}

bool sb_sockopt_text_valid(const struct sb_sockopt_def *def, const char *text)
{
	return def->kind == SB_OPTVAL_IFNAME ? sb_ifname_valid(text) : sb_optval_name_valid(text);
}
