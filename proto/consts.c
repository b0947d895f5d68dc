/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The constant table: every name of consts.list that this system's headers
 * define, looked up by name (binary search in an index built once) and by
 * value (a scan of one group; the first listed name wins). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <linux/can/bcm.h>
#include <linux/netlink.h>
#ifdef HAVE_LINUX_CAN_ISOTP_H
#include <linux/can/isotp.h>
#endif
#ifdef HAVE_LINUX_CAN_J1939_H
#include <linux/can/j1939.h>
#endif
#ifdef HAVE_LINUX_TIPC_H
#include <linux/tipc.h>
#endif
#ifdef HAVE_LINUX_VM_SOCKETS_H
#include <linux/vm_sockets.h>
#endif
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#ifdef HAVE_LINUX_RDS_H
#include <linux/rds.h>
#endif
#ifdef HAVE_LINUX_IF_ALG_H
#include <linux/if_alg.h>
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/sco.h>
#endif

#include "proto/consts.h"
#include "proto/number.h"
#include "proto/util.h"

struct sb_const {
	enum sb_const_group group;
	const char *name;
	int64_t value;
};

static const struct sb_const table[] = {
#include "proto/consts-table.h"
};

/* Indexes into table, sorted by group then name; group_start[g] is the
 * first position of group g, group_start[g + 1] one past its last. */
static uint16_t by_name[ELEMENTSOF(table)];
_Static_assert(ELEMENTSOF(table) <= UINT16_MAX, "the name index holds 16-bit positions");
static size_t group_start[SB_C_MAX_GROUP + 1];
/* The same positions sorted by group, value, then list order: the name
 * of a value (the reply of every Socket call) is a binary search. */
static uint16_t by_value[ELEMENTSOF(table)];
/* Names of the small values, the most looked up (families, types,
 * IPPROTO_ numbers on every Socket call and reply): the position in table
 * plus one of the entry by_value finds first, 0 for none. */
#define SMALL_VALUES 64
static uint16_t small_value[SB_C_MAX_GROUP][SMALL_VALUES];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int compare_entries(const void *a, const void *b)
{
	const struct sb_const *x = &table[*(const uint16_t *)a];
	const struct sb_const *y = &table[*(const uint16_t *)b];

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int compare_values(const void *a, const void *b)
{
	uint16_t i = *(const uint16_t *)a, j = *(const uint16_t *)b;
	const struct sb_const *x = &table[i], *y = &table[j];

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return i < j ? -1 : i > j;
}

static void build_index(void)
{
	size_t i, pos = 0;

	for (i = 0; i < ELEMENTSOF(table); i++)
		by_name[i] = by_value[i] = (uint16_t)i;
	qsort(by_name, ELEMENTSOF(table), sizeof(by_name[0]), compare_entries);
	qsort(by_value, ELEMENTSOF(table), sizeof(by_value[0]), compare_values);
	for (int g = 0; g <= SB_C_MAX_GROUP; g++) {
		while (pos < ELEMENTSOF(table) && (int)table[by_name[pos]].group < g)
			pos++;
		group_start[g] = pos;
	}
	/* In by_value order, so the first of equal values wins, as in
	 * sb_const_name()'s search. */
	for (i = ELEMENTSOF(table); i-- > 0;) {
		const struct sb_const *c = &table[by_value[i]];

		if (c->value >= 0 && c->value < SMALL_VALUES)
			small_value[c->group][c->value] = (uint16_t)(by_value[i] + 1);
	}
}

static bool group_valid(enum sb_const_group group)
{
	return (int)group >= 0 && group < SB_C_MAX_GROUP;
}

int sb_const_value(enum sb_const_group group, const char *name, int64_t *ret)
{
	size_t lo, hi;

	if (!group_valid(group) || !name)
		return -EINVAL;
	pthread_once(&index_once, build_index);

	lo = group_start[group];
	hi = group_start[group + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sb_const *c = &table[by_name[mid]];
		int r = strcmp(name, c->name);

		if (r == 0) {
			if (ret)
				*ret = c->value;
			return 0;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -ENOENT;
}

const char *sb_const_name(enum sb_const_group group, int64_t value)
{
	size_t lo, hi;

	if (!group_valid(group))
		return NULL;
	pthread_once(&index_once, build_index);
	if (value >= 0 && value < SMALL_VALUES)
		return small_value[group][value] ? table[small_value[group][value] - 1].name : NULL;

	/* Of the group's entries with this value, the first in list order:
	 * the lowest position with (group, value) not below the key. A group
	 * occupies the same span in both indexes. */
	lo = group_start[group];
	hi = group_start[group + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (table[by_value[mid]].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < group_start[group + 1] && table[by_value[lo]].value == value)
		return table[by_value[lo]].name;
	return NULL;
}

static bool is_identifier(const char *text)
{
	if (!((*text >= 'A' && *text <= 'Z') || (*text >= 'a' && *text <= 'z') || *text == '_'))
		return false;
	for (const char *p = text + 1; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool looks_numeric(const char *text)
{
	return (*text >= '0' && *text <= '9') || *text == '-';
}

int sb_const_parse(enum sb_const_group group, const char *text, int64_t *ret)
{
	int64_t v;
	int r;

	if (!group_valid(group) || !text || !*text)
		return -EINVAL;
	if (looks_numeric(text))
		r = sb_number_parse_int64(text, 0, &v);
	else if (is_identifier(text))
		r = sb_const_value(group, text, &v);
	else
		r = -EINVAL;
	if (r < 0)
		return r;
	if (ret)
		*ret = v;
	return 0;
}

const char *sb_const_group_name(enum sb_const_group group)
{
	static const char *const names[SB_C_MAX_GROUP] = {
		[SB_C_AF] = "address family",
		[SB_C_SOCK] = "socket type",
		[SB_C_SOCK_FLAG] = "socket flag",
		[SB_C_IPPROTO] = "IP protocol",
		[SB_C_ETH_P] = "ethertype",
		[SB_C_CAN] = "CAN protocol",
		[SB_C_NETLINK] = "netlink protocol",
		[SB_C_BTPROTO] = "Bluetooth protocol",
		[SB_C_SOL] = "socket option level",
		[SB_C_SO] = "SOL_SOCKET option",
		[SB_C_IP] = "SOL_IP option",
		[SB_C_IPV6] = "SOL_IPV6 option",
		[SB_C_TCP] = "SOL_TCP option",
		[SB_C_PACKET] = "SOL_PACKET option or packet type",
		[SB_C_ALG] = "SOL_ALG option or operation",
		[SB_C_CAN_RAW] = "SOL_CAN_RAW option",
		[SB_C_NETLINK_OPT] = "SOL_NETLINK option",
		[SB_C_TIPC] = "TIPC constant",
		[SB_C_MSG] = "message flag",
		[SB_C_ERRNO] = "errno name",
		[SB_C_VMADDR_CID] = "VSOCK context id",
		[SB_C_VMADDR_PORT] = "VSOCK port",
		[SB_C_QRTR_NODE] = "QRTR node",
		[SB_C_QRTR_PORT] = "QRTR port",
		[SB_C_BACKLOG] = "listen() backlog",
	};

	if (!group_valid(group))
		return "constant";
	return names[group];
}

enum sb_const_group sb_protocol_group(int family)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		return SB_C_IPPROTO;
	case AF_PACKET:
		return SB_C_ETH_P;
	case AF_CAN:
		return SB_C_CAN;
	case AF_NETLINK:
		return SB_C_NETLINK;
	case AF_BLUETOOTH:
		return SB_C_BTPROTO;
	default:
		return SB_C_MAX_GROUP;
	}
}

int sb_protocol_parse(int family, const char *text, int *ret)
{
	enum sb_const_group group = sb_protocol_group(family);
	/* socket() truncates an AF_PACKET protocol to 16 bits: refuse what
	 * it would silently change. */
	int64_t max = family == AF_PACKET ? UINT16_MAX : INT_MAX;
	int64_t v;
	int r;

	if (!text || !*text)
		return -EINVAL;
	if (looks_numeric(text)) {
		r = sb_number_parse_int64(text, 0, &v);
		if (r < 0)
			return r;
		if (v < 0 || v > max)
			return -ERANGE;
	} else {
		if (!is_identifier(text))
			return -EINVAL;
		if (group == SB_C_MAX_GROUP)
			return -ENOENT;
		r = sb_const_value(group, text, &v);
		if (r < 0)
			return r;
		if (family == AF_PACKET)
			v = htons((uint16_t)v);
	}
	if (ret)
		*ret = (int)v;
	return 0;
}

const char *sb_protocol_name(int family, int protocol)
{
	enum sb_const_group group = sb_protocol_group(family);

	if (group == SB_C_MAX_GROUP)
		return NULL;
	if (family == AF_PACKET) {
		if (protocol < 0 || protocol > UINT16_MAX)
			return NULL;
		return sb_const_name(group, ntohs((uint16_t)protocol));
	}
	return sb_const_name(group, protocol);
}

enum sb_const_group sb_sockopt_group(int level)
{
	switch (level) {
	case SOL_SOCKET:
		return SB_C_SO;
	case SOL_IP:
		return SB_C_IP;
	case SOL_IPV6:
		return SB_C_IPV6;
	case SOL_TCP:
		return SB_C_TCP;
	case SOL_PACKET:
		return SB_C_PACKET;
	case SOL_ALG:
		return SB_C_ALG;
	case SOL_CAN_RAW:
		return SB_C_CAN_RAW;
	case SOL_NETLINK:
		return SB_C_NETLINK_OPT;
	default:
		return SB_C_MAX_GROUP;
	}
}
