/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names and limits of the org.sockbroker Varlink interface. docs/PROTOCOL.md
 * is the prose form of this file and of org.sockbroker.varlink. */
#pragma once

#define SB_INTERFACE "org.sockbroker"
#define SB_ADMIN_INTERFACE "org.sockbroker.admin"
#define SB_VARLINK_INTERFACE "org.varlink.service"

#define SB_METHOD_SOCKET SB_INTERFACE ".Socket"
#define SB_METHOD_BIND SB_INTERFACE ".Bind"
#define SB_METHOD_SETSOCKOPT SB_INTERFACE ".SetSockOpt"
#define SB_METHOD_INFO SB_INTERFACE ".Info"
#define SB_METHOD_ADMIN_STATUS SB_ADMIN_INTERFACE ".Status"
#define SB_METHOD_ADMIN_LIST SB_ADMIN_INTERFACE ".List"
#define SB_METHOD_ADMIN_CHECK SB_ADMIN_INTERFACE ".Check"
#define SB_METHOD_ADMIN_RELOAD SB_ADMIN_INTERFACE ".Reload"
#define SB_METHOD_GET_INFO SB_VARLINK_INTERFACE ".GetInfo"
#define SB_METHOD_GET_INTERFACE_DESCRIPTION SB_VARLINK_INTERFACE ".GetInterfaceDescription"

/* Largest message, NUL included. Requests are small; 64 KiB leaves room
 * for admin replies (grant lists) without letting a client pin memory. */
#define SB_MESSAGE_MAX (64u * 1024u)
/* The kernel's SCM_MAX_FD: no single recvmsg() can carry more. */
#define SB_FDS_MAX 253u
/* json-c nesting limit for every message we parse. */
#define SB_JSON_DEPTH_MAX 16
/* Values in a call, counted before json-c parses it (sb_json_values()).
 * Parsing costs about half a microsecond per value, so 64 KiB of empty
 * objects cost 10 ms; the largest call (Socket with 32 options and an
 * address) has about 150. Replies are not limited: admin lists are long. */
#define SB_CALL_VALUES_MAX 512u
/* Socket options applied by one Socket call. */
#define SB_OPTIONS_MAX 32u
/* Longest string value accepted for a socket option (SO_BINDTODEVICE...). */
#define SB_OPTVAL_MAX 256u
/* Network namespace names (a file name under /run/netns). */
#define SB_NETNS_NAME_MAX 64u
