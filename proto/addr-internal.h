/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the two syntaxes of an address and by the socket spec. The text
 * form is a second spelling of the JSON object: addr-text.c turns text into
 * that object and back, so validation, encoding and decoding live only in
 * addr.c. */
#pragma once

#include <stddef.h>

#include "proto/addr.h"
#include "proto/json-util.h"

/* Address layouts. Which one a socket uses depends on its family and, for
 * AF_CAN and AF_BLUETOOTH, its protocol. */
enum sb_addr_shape {
	SB_ADDR_NONE,	   /* no codec in this build */
	SB_ADDR_UNIX,	   /* path | abstract */
	SB_ADDR_INET,	   /* host, port (AF_INET and AF_RDS) */
	SB_ADDR_INET6,	   /* host, port, flowinfo, scope_id */
	SB_ADDR_NETLINK,   /* pid, groups */
	SB_ADDR_TIPC,	   /* addr_type, v1, v2, v3, scope */
	SB_ADDR_CAN,	   /* ifname (CAN_RAW, CAN_BCM) */
	SB_ADDR_CAN_ISOTP, /* ifname, rx_id, tx_id */
	SB_ADDR_CAN_J1939, /* ifname, name, pgn, addr */
	SB_ADDR_PACKET,	   /* ifname, protocol, pkttype, hatype, addr */
	SB_ADDR_ALG,	   /* type, name, feat, mask */
	SB_ADDR_VSOCK,	   /* cid, port, flags */
	SB_ADDR_QRTR,	   /* node, port */
	SB_ADDR_L2CAP,	   /* bdaddr, psm, cid, bdaddr_type */
	SB_ADDR_RFCOMM,	   /* bdaddr, channel */
	SB_ADDR_HCI,	   /* dev, channel */
	SB_ADDR_SCO,	   /* bdaddr */
	SB_ADDR_MAX_SHAPE,
};

/* The layout for a family as socket() takes it, or for the sa_family of a
 * decoded address. */
enum sb_addr_shape sb_addr_shape(int family, int protocol);

/* Fill *err for a family without a codec; returns -EAFNOSUPPORT. */
int sb_addr_unsupported(int family, struct sb_error *err);

/* Up to 64 bytes of untrusted s with anything but printable ASCII replaced,
 * for error messages; buf must hold SB_PRINTABLE_MAX bytes. */
#define SB_PRINTABLE_MAX 68u
const char *sb_addr_printable(const char *s, char *buf);

/* Longest text form accepted: a path of 108 bytes is the longest field,
 * this leaves room for every other family's form. */
#define SB_ADDR_TEXT_MAX 256u
