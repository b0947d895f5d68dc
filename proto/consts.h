/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Name <-> number tables for the socket API's constants, generated at
 * build time from the single list in consts.list (only the names the
 * system headers define end up in the table). */
#pragma once

#include <stdint.h>

enum sb_const_group {
	SB_C_AF,	  /* address families */
	SB_C_SOCK,	  /* socket types */
	SB_C_SOCK_FLAG,	  /* SOCK_NONBLOCK, SOCK_CLOEXEC */
	SB_C_IPPROTO,	  /* protocols of AF_INET / AF_INET6 */
	SB_C_ETH_P,	  /* ethertypes (host byte order in the table) */
	SB_C_CAN,	  /* protocols of AF_CAN */
	SB_C_NETLINK,	  /* protocols of AF_NETLINK */
	SB_C_BTPROTO,	  /* protocols of AF_BLUETOOTH */
	SB_C_SOL,	  /* socket option levels */
	SB_C_SO,	  /* SOL_SOCKET options */
	SB_C_IP,	  /* SOL_IP options */
	SB_C_IPV6,	  /* SOL_IPV6 options */
	SB_C_TCP,	  /* SOL_TCP options */
	SB_C_PACKET,	  /* SOL_PACKET options and PACKET_ packet types */
	SB_C_ALG,	  /* SOL_ALG options and ALG_ operations */
	SB_C_CAN_RAW,	  /* SOL_CAN_RAW options */
	SB_C_NETLINK_OPT, /* SOL_NETLINK options */
	SB_C_TIPC,	  /* TIPC address types and scopes */
	SB_C_MSG,	  /* MSG_ flags */
	SB_C_ERRNO,	  /* errno names */
	SB_C_VMADDR_CID,  /* AF_VSOCK context ids: VMADDR_CID_ANY, ... */
	SB_C_VMADDR_PORT, /* AF_VSOCK ports: VMADDR_PORT_ANY */
	SB_C_QRTR_NODE,	  /* AF_QIPCRTR nodes: QRTR_NODE_BCAST */
	SB_C_QRTR_PORT,	  /* AF_QIPCRTR ports: QRTR_PORT_CTRL */
	SB_C_BACKLOG,	  /* listen() backlogs: SOMAXCONN */
	SB_C_MAX_GROUP,
};

/* Exact name lookup: 0 and *ret set, or -ENOENT. */
int sb_const_value(enum sb_const_group group, const char *name, int64_t *ret);
/* First name for value in group, NULL if none. */
const char *sb_const_name(enum sb_const_group group, int64_t value);
/* A name, or a number in decimal or 0x hex (any value, no table check).
 * 0 or -EINVAL / -ENOENT / -ERANGE. */
int sb_const_parse(enum sb_const_group group, const char *text, int64_t *ret);
/* Name of a group, for messages ("address family"). */
const char *sb_const_group_name(enum sb_const_group group);

/* Protocol numbers depend on the family: the group to look names up in,
 * or SB_C_MAX_GROUP when the family has no named protocols. */
enum sb_const_group sb_protocol_group(int family);
/* The protocol argument of socket() for a name or number. For AF_PACKET
 * an ETH_P_ name yields its network byte order form, as socket() wants
 * it; numbers are taken as they are. 0 or negative errno. */
int sb_protocol_parse(int family, const char *text, int *ret);
/* Inverse of sb_protocol_parse(); NULL when there is no name. */
const char *sb_protocol_name(int family, int protocol);

/* Option group for a setsockopt level (SOL_SOCKET -> SB_C_SO ...), or
 * SB_C_MAX_GROUP. */
enum sb_const_group sb_sockopt_group(int level);
