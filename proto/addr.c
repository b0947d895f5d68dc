/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address codec's JSON form: one object shape per family (and per
 * protocol for AF_CAN and AF_BLUETOOTH), every key read through a typed
 * getter and range-checked, and the exact inverse from struct sockaddr.
 * Numbers are written as numbers; some are also read by name (VSOCK and
 * QRTR's special ids, from the constant table). */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <linux/can.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#ifdef HAVE_LINUX_CAN_J1939_H
#include <linux/can/j1939.h>
#endif
#ifdef HAVE_LINUX_TIPC_H
#include <linux/tipc.h>
#endif
#ifdef HAVE_LINUX_IF_ALG_H
#include <linux/if_alg.h>
#endif
#ifdef HAVE_LINUX_VM_SOCKETS_H
#include <linux/vm_sockets.h>
#endif
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/sco.h>
#endif

#include "proto/addr-internal.h"
#include "proto/consts.h"
#include "proto/params.h"

/* Bytes a sockaddr must have for member to be complete. */
#define REQUIRED_SIZE(type, member) (offsetof(type, member) + sizeof(((type *)NULL)->member))
/* Longest hardware address of struct sockaddr_ll, as text. */
#define HWADDR_TEXT_MAX (8 * 3 - 1)
#define BDADDR_TEXT_LEN (6 * 3 - 1)

/* A value of a key that may also be given by name. */
struct named {
	const char *name;
	int64_t value;
};

static const struct named packet_types[] = {
	{"PACKET_HOST", PACKET_HOST},		{"PACKET_BROADCAST", PACKET_BROADCAST},
	{"PACKET_MULTICAST", PACKET_MULTICAST}, {"PACKET_OTHERHOST", PACKET_OTHERHOST},
	{"PACKET_OUTGOING", PACKET_OUTGOING},
#ifdef PACKET_LOOPBACK
	{"PACKET_LOOPBACK", PACKET_LOOPBACK},
#endif
#ifdef PACKET_USER
	{"PACKET_USER", PACKET_USER},
#endif
#ifdef PACKET_KERNEL
	{"PACKET_KERNEL", PACKET_KERNEL},
#endif
};

#ifdef HAVE_LINUX_TIPC_H
/* The classic names come first: they are the ones reported. */
static const struct named tipc_addr_types[] = {
	{"TIPC_ADDR_NAMESEQ", TIPC_ADDR_NAMESEQ},
	{"TIPC_ADDR_NAME", TIPC_ADDR_NAME},
	{"TIPC_ADDR_ID", TIPC_ADDR_ID},
#ifdef TIPC_SERVICE_RANGE
	{"TIPC_SERVICE_RANGE", TIPC_SERVICE_RANGE},
	{"TIPC_SERVICE_ADDR", TIPC_SERVICE_ADDR},
	{"TIPC_SOCKET_ADDR", TIPC_SOCKET_ADDR},
#endif
};

static const struct named tipc_scopes[] = {
	{"TIPC_ZONE_SCOPE", TIPC_ZONE_SCOPE},
	{"TIPC_CLUSTER_SCOPE", TIPC_CLUSTER_SCOPE},
	{"TIPC_NODE_SCOPE", TIPC_NODE_SCOPE},
};
#endif

const char *sb_addr_printable(const char *s, char *buf)
{
	const size_t keep = SB_PRINTABLE_MAX - 4; /* room for "..." and NUL */
	size_t i;

	for (i = 0; s[i] && i < keep; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

int sb_addr_unsupported(int family, struct sb_error *err)
{
	const char *name = sb_const_name(SB_C_AF, family);

	if (name)
		return sb_error_set(err, SB_ERR_NOT_SUPPORTED, EAFNOSUPPORT, "family",
				    "no address format for %s", name);
	return sb_error_set(err, SB_ERR_NOT_SUPPORTED, EAFNOSUPPORT, "family",
			    "no address format for address family %d", family);
}

enum sb_addr_shape sb_addr_shape(int family, int protocol)
{
	switch (family) {
	case AF_UNIX:
		return SB_ADDR_UNIX;
	case AF_INET:
	case AF_RDS: /* RDS binds a struct sockaddr_in */
		return SB_ADDR_INET;
	case AF_INET6:
		return SB_ADDR_INET6;
	case AF_NETLINK:
		return SB_ADDR_NETLINK;
	case AF_PACKET:
		return SB_ADDR_PACKET;
	case AF_CAN:
		if (protocol == CAN_ISOTP)
			return SB_ADDR_CAN_ISOTP;
#if defined(HAVE_LINUX_CAN_J1939_H) && defined(CAN_J1939)
		if (protocol == CAN_J1939)
			return SB_ADDR_CAN_J1939;
#endif
		return SB_ADDR_CAN;
#ifdef HAVE_LINUX_TIPC_H
	case AF_TIPC:
		return SB_ADDR_TIPC;
#endif
#ifdef HAVE_LINUX_IF_ALG_H
	case AF_ALG:
		return SB_ADDR_ALG;
#endif
#ifdef HAVE_LINUX_VM_SOCKETS_H
	case AF_VSOCK:
		return SB_ADDR_VSOCK;
#endif
#ifdef HAVE_LINUX_QRTR_H
	case AF_QIPCRTR:
		return SB_ADDR_QRTR;
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	case AF_BLUETOOTH:
		switch (protocol) {
		case BTPROTO_L2CAP:
			return SB_ADDR_L2CAP;
		case BTPROTO_RFCOMM:
			return SB_ADDR_RFCOMM;
		case BTPROTO_HCI:
			return SB_ADDR_HCI;
		case BTPROTO_SCO:
			return SB_ADDR_SCO;
		default:
			return SB_ADDR_NONE;
		}
#endif
	default:
		return SB_ADDR_NONE;
	}
}

int sb_addr_bind_family(int domain)
{
	return domain == AF_RDS ? AF_INET : domain;
}

bool sb_addr_family_supported(int family)
{
	return sb_addr_shape(family, 0) != SB_ADDR_NONE;
}

/* ------------------------------------------------------------------ */
/* Reading keys */

/* A value given as one of names, or as an integer in min..max. */
static int get_named(json_object *obj, const char *key, const struct named *names, size_t n,
		     bool required, int64_t min, int64_t max, int64_t *ret, struct sb_error *err)
{
	json_object *v = sb_json_get(obj, key);
	char buf[SB_PRINTABLE_MAX];
	const char *s;

	if (!v || !json_object_is_type(v, json_type_string))
		return sb_param_int(obj, key, required, min, max, ret, err);
	s = json_object_get_string(v);
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i].name) == 0) {
			*ret = names[i].value;
			return 1;
		}
	return sb_error_param(err, key, "%s: unknown name '%s'", key, sb_addr_printable(s, buf));
}

static const char *named_name(const struct named *names, size_t n, int64_t value)
{
	for (size_t i = 0; i < n; i++)
		if (names[i].value == value)
			return names[i].name;
	return NULL;
}

/* An unsigned 64-bit key, which sb_param_int() cannot hold. json-c turns
 * numbers beyond 64 bits into UINT64_MAX, so that value is refused. */
static int get_u64(json_object *obj, const char *key, bool required, uint64_t *ret,
		   struct sb_error *err)
{
	json_object *v = sb_json_get(obj, key);
	uint64_t u;

	if (!v) {
		if (required)
			return sb_error_param(err, key, "%s: missing required parameter", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return sb_error_param(err, key, "%s: expected an unsigned 64-bit integer", key);
	if (json_object_get_int64(v) < 0)
		return sb_error_param(err, key,
				      "%s: expected an unsigned 64-bit integer, got %" PRId64, key,
				      json_object_get_int64(v));
	u = json_object_get_uint64(v);
	if (u == UINT64_MAX)
		return sb_error_param(err, key, "%s: number too large", key);
	*ret = u;
	return 1;
}

/* The kernel's own lookup, for clients: unprivileged, it loads nothing. */
static int kernel_ifindex(const char *name)
{
	unsigned idx = if_nametoindex(name);

	if (idx == 0)
		return -ENODEV;
	return idx > INT_MAX ? -ERANGE : (int)idx;
}

static int resolve_ifname(const char *key, const char *name, sb_ifname_resolver resolve, int *ret,
			  struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];
	int r;

	if (!*name) {
		*ret = 0;
		return 1;
	}
	r = resolve(name);
	if (r == -ENODEV)
		return sb_error_set(err, SB_ERR_INVALID_PARAMETER, ENODEV, key,
				    "%s: no network interface named '%s'", key,
				    sb_addr_printable(name, buf));
	if (r < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, -r, key,
				    "%s: cannot look up network interface '%s': %s", key,
				    sb_addr_printable(name, buf), strerror(-r));
	*ret = r;
	return 1;
}

/* An interface by name ("" for none or any) or by index. */
static int get_ifindex(json_object *obj, const char *key, bool required, int64_t max,
		       sb_ifname_resolver resolve, int *ret, struct sb_error *err)
{
	json_object *v = sb_json_get(obj, key);
	const char *name;
	int64_t idx;
	int r;

	if (v && json_object_is_type(v, json_type_string)) {
		r = sb_param_string(obj, key, required, IF_NAMESIZE - 1, &name, err);
		if (r <= 0)
			return r;
		return resolve_ifname(key, name, resolve, ret, err);
	}
	r = sb_param_int(obj, key, required, 0, max, &idx, err);
	if (r > 0)
		*ret = (int)idx;
	return r;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "00:11:22:33:44:55": up to max bytes of exactly two hex digits each;
 * "" is no bytes. */
static int parse_hex_bytes(const char *s, uint8_t *buf, size_t max, size_t *n)
{
	size_t count = 0;

	if (*s) {
		for (;;) {
			int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

			if (count == max || lo < 0)
				return -EINVAL;
			buf[count++] = (uint8_t)(hi << 4 | lo);
			s += 2;
			if (*s == '\0')
				break;
			if (*s != ':')
				return -EINVAL;
			s++;
		}
	}
	*n = count;
	return 0;
}

static void format_hex_bytes(const uint8_t *b, size_t n, bool upper, char *out)
{
	*out = '\0';
	for (size_t i = 0; i < n; i++)
		out += sprintf(out, upper ? "%s%02X" : "%s%02x", i ? ":" : "", b[i]);
}

/* ------------------------------------------------------------------ */
/* Writing keys: a failed allocation is remembered and reported once. */

struct out {
	json_object *obj;
	bool oom;
};

static void put(struct out *o, const char *key, json_object *v)
{
	if (sb_json_add(o->obj, key, v) < 0)
		o->oom = true;
}

static json_object *int_json(int64_t v)
{
	return json_object_new_int64(v);
}

static json_object *ifname_json(int index)
{
	char name[IF_NAMESIZE];

	if (index == 0)
		return json_object_new_string("");
	if (index > 0 && if_indextoname((unsigned)index, name))
		return json_object_new_string(name);
	return json_object_new_int(index);
}

/* The interface of an AF_CAN or AF_PACKET address. */
static int put_ifindex(struct out *o, int index, struct sb_error *err)
{
	if (index < 0)
		return sb_error_param(err, "ifname", "ifname: negative interface index %d", index);
	put(o, "ifname", ifname_json(index));
	return 0;
}

/* An address of len bytes must have need of them for its fields. */
static int need_bytes(socklen_t len, size_t need, const char *what, struct sb_error *err)
{
	if (len < need)
		return sb_error_param(err, "address",
				      "address: %s address truncated (%u of %zu bytes)", what,
				      (unsigned)len, need);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Integer members: one description serves both directions. */

enum byte_order {
	HOST_ORDER,
	NET_ORDER, /* big-endian: ports, flow labels */
	LE_ORDER,  /* little-endian: Bluetooth */
};

/* Flags of an integer member. Without INT_REQUIRED an absent key is 0. */
#define INT_REQUIRED 1u	 /* the JSON form must have the key */
#define INT_OMIT_ZERO 2u /* the JSON form leaves the key out when it is 0 */

struct int_member {
	const char *key;
	size_t offset;
	size_t size; /* 1, 2 or 4 bytes */
	enum byte_order order;
	unsigned flags;
	int64_t max;		   /* the least is 0 */
	enum sb_const_group names; /* names it is read by, or SB_C_MAX_GROUP */
};

#define INT_NAMED(type, member, key, order, flags, max, names)                                  \
	{                                                                                       \
		key, offsetof(type, member), sizeof(((type *)NULL)->member), order, flags, max, \
			names                                                                   \
	}
#define INT_MEMBER(type, member, key, order, flags, max) \
	INT_NAMED(type, member, key, order, flags, max, SB_C_MAX_GROUP)

static void store_int(void *sa, const struct int_member *m, uint32_t v)
{
	uint8_t *p = (uint8_t *)sa + m->offset;
	uint16_t v16 = (uint16_t)v;

	switch (m->size) {
	case 1:
		*p = (uint8_t)v;
		break;
	case 2:
		if (m->order == NET_ORDER)
			v16 = htons(v16);
		else if (m->order == LE_ORDER)
			v16 = htole16(v16);
		memcpy(p, &v16, sizeof(v16));
		break;
	case 4:
		if (m->order == NET_ORDER)
			v = htonl(v);
		else if (m->order == LE_ORDER)
			v = htole32(v);
		memcpy(p, &v, sizeof(v));
		break;
	}
}

static uint32_t load_int(const void *sa, const struct int_member *m)
{
	const uint8_t *p = (const uint8_t *)sa + m->offset;
	uint16_t v16;
	uint32_t v = 0;

	switch (m->size) {
	case 1:
		v = *p;
		break;
	case 2:
		memcpy(&v16, p, sizeof(v16));
		if (m->order == NET_ORDER)
			v16 = ntohs(v16);
		else if (m->order == LE_ORDER)
			v16 = le16toh(v16);
		v = v16;
		break;
	case 4:
		memcpy(&v, p, sizeof(v));
		if (m->order == NET_ORDER)
			v = ntohl(v);
		else if (m->order == LE_ORDER)
			v = le32toh(v);
		break;
	}
	return v;
}

/* Read the keys of members, in order, into the zeroed address sa. */
static int get_ints(json_object *obj, const struct int_member *members, size_t n, void *sa,
		    struct sb_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct int_member *m = &members[i];
		int64_t v = 0;
		int r;

		if (m->names == SB_C_MAX_GROUP)
			r = sb_param_int(obj, m->key, m->flags & INT_REQUIRED, 0, m->max, &v, err);
		else
			r = sb_param_const(obj, m->key, m->names, m->flags & INT_REQUIRED, 0,
					   m->max, &v, err);
		if (r < 0)
			return r;
		store_int(sa, m, (uint32_t)v);
	}
	return 0;
}

static void put_ints(struct out *o, const struct int_member *members, size_t n, const void *sa)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v = load_int(sa, &members[i]);

		if (v != 0 || !(members[i].flags & INT_OMIT_ZERO))
			put(o, members[i].key, int_json(v));
	}
}

/* ------------------------------------------------------------------ */
/* AF_UNIX */

static int unix_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			  struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	const char *path = NULL, *abstract = NULL;
	size_t n;
	int r;

	r = sb_param_string(obj, "path", false, sizeof(sun->sun_path), &path, err);
	if (r < 0)
		return r;
	r = sb_param_string(obj, "abstract", false, sizeof(sun->sun_path) - 1, &abstract, err);
	if (r < 0)
		return r;
	if (path && abstract)
		return sb_error_param(
			err, "abstract",
			"abstract: an address has a path or an abstract name, not both");
	if (!path && !abstract)
		return sb_error_param(err, "path",
				      "path: an AF_UNIX address needs path or abstract");

	sun->sun_family = AF_UNIX;
	if (abstract) {
		/* A leading NUL makes the name abstract; no terminator. */
		n = strlen(abstract);
		memcpy(sun->sun_path + 1, abstract, n);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	} else {
		/* An empty path is the unnamed address (autobind on bind). A
		 * path that fills sun_path has no room for its NUL, which the
		 * kernel allows. */
		n = strlen(path);
		memcpy(sun->sun_path, path, n);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
				   (n > 0 && n < sizeof(sun->sun_path)));
	}
	return 0;
}

static int unix_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_un *sun = sa;
	size_t n = len - offsetof(struct sockaddr_un, sun_path);

	if (n > sizeof(sun->sun_path))
		n = sizeof(sun->sun_path);
	if (n > 0 && sun->sun_path[0] == '\0') {
		if (memchr(sun->sun_path + 1, '\0', n - 1))
			return sb_error_param(err, "abstract",
					      "abstract: name contains a NUL byte");
		put(o, "abstract", json_object_new_string_len(sun->sun_path + 1, (int)(n - 1)));
	} else {
		put(o, "path",
		    json_object_new_string_len(sun->sun_path, (int)strnlen(sun->sun_path, n)));
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* AF_INET, AF_RDS and AF_INET6 */

/* A numeric host of family into addr; "" is the any address, which the
 * zeroed address already holds. */
static int parse_host(int family, const char *host, void *addr, struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];

	if (!*host || inet_pton(family, host, addr) == 1)
		return 0;
	return sb_error_param(err, "host",
			      "host: '%s' is not a numeric IPv%d address (names are not resolved)",
			      sb_addr_printable(host, buf), family == AF_INET ? 4 : 6);
}

static int put_host(struct out *o, int family, const void *addr, struct sb_error *err)
{
	char host[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, host, sizeof(host)))
		return sb_error_set(err, SB_ERR_SYSTEM, errno, "address", "address: inet_ntop: %m");
	put(o, "host", json_object_new_string(host));
	return 0;
}

static const struct int_member inet_ints[] = {
	INT_MEMBER(struct sockaddr_in, sin_port, "port", NET_ORDER, INT_REQUIRED, UINT16_MAX),
};

static int inet_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			  struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	const char *host;
	int r;

	r = sb_param_string(obj, "host", true, INET6_ADDRSTRLEN, &host, err);
	if (r < 0)
		return r;
	r = get_ints(obj, inet_ints, ELEMENTSOF(inet_ints), sin, err);
	if (r < 0)
		return r;

	sin->sin_family = AF_INET;
	if (strcmp(host, "<broadcast>") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
	else if ((r = parse_host(AF_INET, host, &sin->sin_addr, err)) < 0)
		return r;
	*len = sizeof(*sin);
	return 0;
}

static int inet_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_in *sin = sa;
	int r;

	r = put_host(o, AF_INET, &sin->sin_addr, err);
	if (r < 0)
		return r;
	put_ints(o, inet_ints, ELEMENTSOF(inet_ints), sin);
	return 0;
}

static const struct int_member inet6_ints[] = {
	INT_MEMBER(struct sockaddr_in6, sin6_port, "port", NET_ORDER, INT_REQUIRED, UINT16_MAX),
	INT_MEMBER(struct sockaddr_in6, sin6_flowinfo, "flowinfo", NET_ORDER, 0, UINT32_MAX),
};

static int inet6_from_json(json_object *obj, sb_ifname_resolver resolve,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	const char *host;
	int64_t scope = 0;
	json_object *v;
	int r;

	r = sb_param_string(obj, "host", true, INET6_ADDRSTRLEN, &host, err);
	if (r < 0)
		return r;
	r = get_ints(obj, inet6_ints, ELEMENTSOF(inet6_ints), sin6, err);
	if (r < 0)
		return r;
	/* scope_id: a number, or an interface name. */
	v = sb_json_get(obj, "scope_id");
	if (v && json_object_is_type(v, json_type_string)) {
		int idx;

		r = get_ifindex(obj, "scope_id", false, UINT32_MAX, resolve, &idx, err);
		scope = idx;
	} else {
		r = sb_param_int(obj, "scope_id", false, 0, UINT32_MAX, &scope, err);
	}
	if (r < 0)
		return r;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_scope_id = (uint32_t)scope;
	r = parse_host(AF_INET6, host, &sin6->sin6_addr, err);
	if (r < 0)
		return r;
	*len = sizeof(*sin6);
	return 0;
}

static int inet6_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_in6 *sin6 = sa;
	int r;

	r = put_host(o, AF_INET6, &sin6->sin6_addr, err);
	if (r < 0)
		return r;
	put_ints(o, inet6_ints, ELEMENTSOF(inet6_ints), sin6);
	if (sin6->sin6_scope_id == 0 || sin6->sin6_scope_id > INT_MAX)
		put(o, "scope_id", int_json(sin6->sin6_scope_id));
	else
		put(o, "scope_id", ifname_json((int)sin6->sin6_scope_id));
	return 0;
}

/* ------------------------------------------------------------------ */
/* AF_NETLINK */

static const struct int_member netlink_ints[] = {
	INT_MEMBER(struct sockaddr_nl, nl_pid, "pid", HOST_ORDER, INT_REQUIRED, UINT32_MAX),
	INT_MEMBER(struct sockaddr_nl, nl_groups, "groups", HOST_ORDER, INT_REQUIRED, UINT32_MAX),
};

static int netlink_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			     struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_nl *snl = (struct sockaddr_nl *)ss;
	int r;

	r = get_ints(obj, netlink_ints, ELEMENTSOF(netlink_ints), snl, err);
	if (r < 0)
		return r;
	snl->nl_family = AF_NETLINK;
	*len = sizeof(*snl);
	return 0;
}

static int netlink_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	put_ints(o, netlink_ints, ELEMENTSOF(netlink_ints), sa);
	return 0;
}

/* ------------------------------------------------------------------ */
/* AF_TIPC: (addr_type, v1, v2, v3, scope) as in the socket API */

#ifdef HAVE_LINUX_TIPC_H
static int tipc_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			  struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_tipc *st = (struct sockaddr_tipc *)ss;
	int64_t type, v1, v2, v3, scope = 0;
	int r;

	r = get_named(obj, "addr_type", tipc_addr_types, ELEMENTSOF(tipc_addr_types), true,
		      TIPC_ADDR_NAMESEQ, TIPC_ADDR_ID, &type, err);
	if (r < 0)
		return r;
	r = sb_param_int(obj, "v1", true, 0, UINT32_MAX, &v1, err);
	if (r < 0)
		return r;
	r = sb_param_int(obj, "v2", true, 0, UINT32_MAX, &v2, err);
	if (r < 0)
		return r;
	r = sb_param_int(obj, "v3", true, 0, UINT32_MAX, &v3, err);
	if (r < 0)
		return r;
	/* A negative scope asks bind() to withdraw the binding. */
	r = get_named(obj, "scope", tipc_scopes, ELEMENTSOF(tipc_scopes), false, SCHAR_MIN,
		      SCHAR_MAX, &scope, err);
	if (r < 0)
		return r;

	st->family = AF_TIPC;
	st->addrtype = (unsigned char)type;
	st->scope = (signed char)scope;
	switch (type) {
	case TIPC_ADDR_NAMESEQ:
		st->addr.nameseq.type = (uint32_t)v1;
		st->addr.nameseq.lower = (uint32_t)v2;
		st->addr.nameseq.upper = (uint32_t)v3;
		break;
	case TIPC_ADDR_NAME:
		st->addr.name.name.type = (uint32_t)v1;
		st->addr.name.name.instance = (uint32_t)v2;
		st->addr.name.domain = (uint32_t)v3;
		break;
	default:
		if (v3 != 0)
			return sb_error_param(err, "v3", "v3: must be 0 for TIPC_ADDR_ID");
		st->addr.id.node = (uint32_t)v1;
		st->addr.id.ref = (uint32_t)v2;
		break;
	}
	*len = sizeof(*st);
	return 0;
}

static int tipc_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_tipc *st = sa;
	uint32_t v1, v2, v3 = 0;

	switch (st->addrtype) {
	case TIPC_ADDR_NAMESEQ:
		v1 = st->addr.nameseq.type;
		v2 = st->addr.nameseq.lower;
		v3 = st->addr.nameseq.upper;
		break;
	case TIPC_ADDR_NAME:
		v1 = st->addr.name.name.type;
		v2 = st->addr.name.name.instance;
		v3 = st->addr.name.domain;
		break;
	case TIPC_ADDR_ID:
		v1 = st->addr.id.node;
		v2 = st->addr.id.ref;
		break;
	default:
		return sb_error_param(err, "addr_type", "addr_type: unknown TIPC address type %u",
				      st->addrtype);
	}
	put(o, "addr_type",
	    json_object_new_string(
		    named_name(tipc_addr_types, ELEMENTSOF(tipc_addr_types), st->addrtype)));
	put(o, "v1", int_json(v1));
	put(o, "v2", int_json(v2));
	put(o, "v3", int_json(v3));
	put(o, "scope",
	    sb_json_name_or_int(named_name(tipc_scopes, ELEMENTSOF(tipc_scopes), st->scope),
				st->scope));
	return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* AF_CAN: raw and BCM, ISO-TP, J1939 */

/* An 11-bit id, or a 29-bit one flagged with CAN_EFF_FLAG; the RTR and
 * error flags mean nothing in an address. */
static int get_can_id(json_object *obj, const char *key, uint32_t *ret, struct sb_error *err)
{
	int64_t id;
	int r;

	r = sb_param_int(obj, key, true, 0, UINT32_MAX, &id, err);
	if (r < 0)
		return r;
	if (id & CAN_EFF_FLAG) {
		if (id & ~(int64_t)(CAN_EFF_FLAG | CAN_EFF_MASK))
			return sb_error_param(
				err, key,
				"%s: 0x%" PRIx64
				" is not an extended CAN id (CAN_EFF_FLAG with 29 bits)",
				key, id);
	} else if (id > CAN_SFF_MASK) {
		return sb_error_param(
			err, key,
			"%s: 0x%" PRIx64
			" is beyond 0x7ff (add CAN_EFF_FLAG 0x80000000 for a 29-bit id)",
			key, id);
	}
	*ret = (uint32_t)id;
	return 1;
}

static int can_fill(json_object *obj, sb_ifname_resolver resolve, struct sockaddr_can *scan,
		    socklen_t *len, struct sb_error *err)
{
	int ifindex;
	int r;

	r = get_ifindex(obj, "ifname", true, INT_MAX, resolve, &ifindex, err);
	if (r < 0)
		return r;
	scan->can_family = AF_CAN;
	scan->can_ifindex = ifindex;
	*len = sizeof(*scan);
	return 0;
}

static int can_from_json(json_object *obj, sb_ifname_resolver resolve, struct sockaddr_storage *ss,
			 socklen_t *len, struct sb_error *err)
{
	return can_fill(obj, resolve, (struct sockaddr_can *)ss, len, err);
}

static int can_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_can *scan = sa;

	return put_ifindex(o, scan->can_ifindex, err);
}

static int isotp_from_json(json_object *obj, sb_ifname_resolver resolve,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_can *scan = (struct sockaddr_can *)ss;
	int r;

	r = can_fill(obj, resolve, scan, len, err);
	if (r < 0)
		return r;
	r = get_can_id(obj, "rx_id", &scan->can_addr.tp.rx_id, err);
	if (r < 0)
		return r;
	r = get_can_id(obj, "tx_id", &scan->can_addr.tp.tx_id, err);
	return r < 0 ? r : 0;
}

static int isotp_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_can *scan = sa;
	int r;

	r = put_ifindex(o, scan->can_ifindex, err);
	if (r < 0)
		return r;
	put(o, "rx_id", int_json(scan->can_addr.tp.rx_id));
	put(o, "tx_id", int_json(scan->can_addr.tp.tx_id));
	return 0;
}

#if defined(HAVE_LINUX_CAN_J1939_H) && defined(CAN_J1939)
static const struct int_member j1939_ints[] = {
	/* J1939_NO_PGN, one past the largest PGN, means "none". */
	INT_MEMBER(struct sockaddr_can, can_addr.j1939.pgn, "pgn", HOST_ORDER, INT_REQUIRED,
		   J1939_NO_PGN),
	INT_MEMBER(struct sockaddr_can, can_addr.j1939.addr, "addr", HOST_ORDER, INT_REQUIRED,
		   UINT8_MAX),
};

static int j1939_from_json(json_object *obj, sb_ifname_resolver resolve,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_can *scan = (struct sockaddr_can *)ss;
	uint64_t name = 0;
	int r;

	r = can_fill(obj, resolve, scan, len, err);
	if (r < 0)
		return r;
	r = get_u64(obj, "name", true, &name, err);
	if (r < 0)
		return r;
	r = get_ints(obj, j1939_ints, ELEMENTSOF(j1939_ints), scan, err);
	if (r < 0)
		return r;
	scan->can_addr.j1939.name = name;
	return 0;
}

static int j1939_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_can *scan = sa;
	uint64_t name = scan->can_addr.j1939.name;
	int r;

	r = put_ifindex(o, scan->can_ifindex, err);
	if (r < 0)
		return r;
	put(o, "name", name > INT64_MAX ? json_object_new_uint64(name) : int_json((int64_t)name));
	put_ints(o, j1939_ints, ELEMENTSOF(j1939_ints), scan);
	return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* AF_PACKET: (ifname, proto, pkttype, hatype, addr) */

static int packet_from_json(json_object *obj, sb_ifname_resolver resolve,
			    struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_ll *sll = (struct sockaddr_ll *)ss;
	char buf[SB_PRINTABLE_MAX];
	const char *hwaddr = "";
	int64_t protocol = 0, pkttype = PACKET_HOST, hatype = 0;
	json_object *v;
	size_t halen;
	int ifindex;
	int r;

	r = get_ifindex(obj, "ifname", true, INT_MAX, resolve, &ifindex, err);
	if (r < 0)
		return r;
	/* An ethertype name, or the number as socket() takes it (network
	 * byte order), as for the protocol of an AF_PACKET socket. */
	v = sb_json_get(obj, "protocol");
	if (v && json_object_is_type(v, json_type_string)) {
		const char *name = json_object_get_string(v);

		if (sb_const_value(SB_C_ETH_P, name, &protocol) < 0 || protocol > UINT16_MAX)
			return sb_error_param(err, "protocol", "protocol: unknown ethertype '%s'",
					      sb_addr_printable(name, buf));
		protocol = htons((uint16_t)protocol);
	} else {
		r = sb_param_int(obj, "protocol", false, 0, UINT16_MAX, &protocol, err);
		if (r < 0)
			return r;
	}
	r = get_named(obj, "pkttype", packet_types, ELEMENTSOF(packet_types), false, 0, UINT8_MAX,
		      &pkttype, err);
	if (r < 0)
		return r;
	r = sb_param_int(obj, "hatype", false, 0, UINT16_MAX, &hatype, err);
	if (r < 0)
		return r;
	r = sb_param_string(obj, "addr", false, HWADDR_TEXT_MAX, &hwaddr, err);
	if (r < 0)
		return r;
	if (parse_hex_bytes(hwaddr, sll->sll_addr, sizeof(sll->sll_addr), &halen) < 0)
		return sb_error_param(
			err, "addr",
			"addr: '%s' is not a hardware address (up to 8 hex bytes, 00:11:22:33:44:55)",
			sb_addr_printable(hwaddr, buf));

	sll->sll_family = AF_PACKET;
	sll->sll_protocol = (uint16_t)protocol;
	sll->sll_ifindex = ifindex;
	sll->sll_hatype = (unsigned short)hatype;
	sll->sll_pkttype = (unsigned char)pkttype;
	sll->sll_halen = (unsigned char)halen;
	*len = sizeof(*sll);
	return 0;
}

static int packet_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_ll *sll = sa;
	char hw[HWADDR_TEXT_MAX + 1];
	int r;

	/* The hardware address is as long as the address says. */
	if (sll->sll_halen > sizeof(sll->sll_addr))
		return sb_error_param(err, "addr", "addr: hardware address length %u exceeds %zu",
				      sll->sll_halen, sizeof(sll->sll_addr));
	r = need_bytes(len, offsetof(struct sockaddr_ll, sll_addr) + sll->sll_halen, "AF_PACKET",
		       err);
	if (r < 0)
		return r;
	r = put_ifindex(o, sll->sll_ifindex, err);
	if (r < 0)
		return r;
	put(o, "protocol",
	    sb_json_name_or_int(sb_protocol_name(AF_PACKET, sll->sll_protocol), sll->sll_protocol));
	put(o, "pkttype", int_json(sll->sll_pkttype));
	put(o, "hatype", int_json(sll->sll_hatype));
	format_hex_bytes(sll->sll_addr, sll->sll_halen, false, hw);
	put(o, "addr", json_object_new_string(hw));
	return 0;
}

/* ------------------------------------------------------------------ */
/* AF_ALG: (type, name, feat, mask) */

#ifdef HAVE_LINUX_IF_ALG_H
/* Algorithm types and names are printable words without ':' (which the
 * text form uses as separator; no kernel algorithm name has one). */
static int check_alg_word(const char *key, const char *s, struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];

	if (!*s)
		return sb_error_param(err, key, "%s: must not be empty", key);
	for (const char *p = s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return sb_error_param(
				err, key, "%s: '%s' has a character not allowed in an algorithm %s",
				key, sb_addr_printable(s, buf), key);
	return 0;
}

/* The kernel forces a NUL into the last byte of each field: the word
 * fills at most size - 1 bytes. */
static int get_alg_word(json_object *obj, const char *key, size_t size, uint8_t *field,
			struct sb_error *err)
{
	const char *s;
	int r;

	r = sb_param_string(obj, key, true, size - 1, &s, err);
	if (r < 0)
		return r;
	r = check_alg_word(key, s, err);
	if (r < 0)
		return r;
	memcpy(field, s, strlen(s));
	return 0;
}

static const struct int_member alg_ints[] = {
	INT_MEMBER(struct sockaddr_alg, salg_feat, "feat", HOST_ORDER, 0, UINT32_MAX),
	INT_MEMBER(struct sockaddr_alg, salg_mask, "mask", HOST_ORDER, 0, UINT32_MAX),
};

static int alg_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			 struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_alg *salg = (struct sockaddr_alg *)ss;
	int r;

	r = get_alg_word(obj, "type", sizeof(salg->salg_type), salg->salg_type, err);
	if (r < 0)
		return r;
	r = get_alg_word(obj, "name", sizeof(salg->salg_name), salg->salg_name, err);
	if (r < 0)
		return r;
	r = get_ints(obj, alg_ints, ELEMENTSOF(alg_ints), salg, err);
	if (r < 0)
		return r;
	salg->salg_family = AF_ALG;
	*len = sizeof(*salg);
	return 0;
}

static int alg_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_alg *salg = sa;
	const char *type = (const char *)salg->salg_type, *name = (const char *)salg->salg_name;
	int r;

	if (strnlen(type, sizeof(salg->salg_type)) == sizeof(salg->salg_type))
		return sb_error_param(err, "type", "type: not NUL-terminated");
	if (strnlen(name, sizeof(salg->salg_name)) == sizeof(salg->salg_name))
		return sb_error_param(err, "name", "name: not NUL-terminated");
	r = check_alg_word("type", type, err);
	if (r < 0)
		return r;
	r = check_alg_word("name", name, err);
	if (r < 0)
		return r;
	put(o, "type", json_object_new_string(type));
	put(o, "name", json_object_new_string(name));
	put_ints(o, alg_ints, ELEMENTSOF(alg_ints), salg);
	return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* AF_VSOCK: (cid, port) and, where the kernel has them, flags */

#ifdef HAVE_LINUX_VM_SOCKETS_H
static const struct int_member vsock_ints[] = {
	INT_NAMED(struct sockaddr_vm, svm_cid, "cid", HOST_ORDER, INT_REQUIRED, UINT32_MAX,
		  SB_C_VMADDR_CID),
	INT_NAMED(struct sockaddr_vm, svm_port, "port", HOST_ORDER, INT_REQUIRED, UINT32_MAX,
		  SB_C_VMADDR_PORT),
#ifdef VMADDR_FLAG_TO_HOST
	INT_MEMBER(struct sockaddr_vm, svm_flags, "flags", HOST_ORDER, INT_OMIT_ZERO, UINT8_MAX),
#endif
};

static int vsock_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_vm *svm = (struct sockaddr_vm *)ss;
	int r;

	r = get_ints(obj, vsock_ints, ELEMENTSOF(vsock_ints), svm, err);
	if (r < 0)
		return r;
#ifndef VMADDR_FLAG_TO_HOST
	/* Headers older than svm_flags: only "no flags" can be honoured. */
	r = sb_param_int(obj, "flags", false, 0, 0, NULL, err);
	if (r < 0)
		return r;
#endif
	svm->svm_family = AF_VSOCK;
	*len = sizeof(*svm);
	return 0;
}

static int vsock_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	put_ints(o, vsock_ints, ELEMENTSOF(vsock_ints), sa);
	return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* AF_QIPCRTR: (node, port). Ports below the ephemeral range (0x4000) need
 * CAP_NET_ADMIN: brokered binds. */

#ifdef HAVE_LINUX_QRTR_H
static const struct int_member qrtr_ints[] = {
	INT_NAMED(struct sockaddr_qrtr, sq_node, "node", HOST_ORDER, INT_REQUIRED, UINT32_MAX,
		  SB_C_QRTR_NODE),
	INT_NAMED(struct sockaddr_qrtr, sq_port, "port", HOST_ORDER, INT_REQUIRED, UINT32_MAX,
		  SB_C_QRTR_PORT),
};

static int qrtr_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			  struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_qrtr *sq = (struct sockaddr_qrtr *)ss;
	int r;

	r = get_ints(obj, qrtr_ints, ELEMENTSOF(qrtr_ints), sq, err);
	if (r < 0)
		return r;
	sq->sq_family = AF_QIPCRTR;
	*len = sizeof(*sq);
	return 0;
}

static int qrtr_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	put_ints(o, qrtr_ints, ELEMENTSOF(qrtr_ints), sa);
	return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* AF_BLUETOOTH: L2CAP, RFCOMM, HCI, SCO */

#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
/* Text order is most significant byte first; bdaddr_t is stored the other
 * way round. */
static int get_bdaddr(json_object *obj, bdaddr_t *ret, struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];
	uint8_t bytes[6];
	const char *s;
	size_t n;
	int r;

	r = sb_param_string(obj, "bdaddr", true, BDADDR_TEXT_LEN, &s, err);
	if (r < 0)
		return r;
	if (parse_hex_bytes(s, bytes, sizeof(bytes), &n) < 0 || n != sizeof(bytes))
		return sb_error_param(
			err, "bdaddr",
			"bdaddr: '%s' is not a Bluetooth address (6 hex bytes, 00:11:22:33:44:55)",
			sb_addr_printable(s, buf));
	for (size_t i = 0; i < sizeof(bytes); i++)
		ret->b[i] = bytes[sizeof(bytes) - 1 - i];
	return 0;
}

static json_object *bdaddr_json(const bdaddr_t *ba)
{
	char text[BDADDR_TEXT_LEN + 1];
	uint8_t bytes[6];

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = ba->b[sizeof(bytes) - 1 - i];
	format_hex_bytes(bytes, sizeof(bytes), true, text);
	return json_object_new_string(text);
}

static const struct int_member l2cap_ints[] = {
	INT_MEMBER(struct sockaddr_l2, l2_psm, "psm", LE_ORDER, INT_REQUIRED, UINT16_MAX),
	INT_MEMBER(struct sockaddr_l2, l2_cid, "cid", LE_ORDER, INT_OMIT_ZERO, UINT16_MAX),
	INT_MEMBER(struct sockaddr_l2, l2_bdaddr_type, "bdaddr_type", HOST_ORDER, INT_OMIT_ZERO,
		   UINT8_MAX),
};

static int l2cap_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_l2 *sl2 = (struct sockaddr_l2 *)ss;
	int r;

	r = get_bdaddr(obj, &sl2->l2_bdaddr, err);
	if (r < 0)
		return r;
	r = get_ints(obj, l2cap_ints, ELEMENTSOF(l2cap_ints), sl2, err);
	if (r < 0)
		return r;
	sl2->l2_family = AF_BLUETOOTH;
	*len = sizeof(*sl2);
	return 0;
}

static int l2cap_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_l2 *sl2 = sa;

	put(o, "bdaddr", bdaddr_json(&sl2->l2_bdaddr));
	put_ints(o, l2cap_ints, ELEMENTSOF(l2cap_ints), sl2);
	return 0;
}

static const struct int_member rfcomm_ints[] = {
	INT_MEMBER(struct sockaddr_rc, rc_channel, "channel", HOST_ORDER, INT_REQUIRED, UINT8_MAX),
};

static int rfcomm_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			    struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_rc *src = (struct sockaddr_rc *)ss;
	int r;

	r = get_bdaddr(obj, &src->rc_bdaddr, err);
	if (r < 0)
		return r;
	r = get_ints(obj, rfcomm_ints, ELEMENTSOF(rfcomm_ints), src, err);
	if (r < 0)
		return r;
	src->rc_family = AF_BLUETOOTH;
	*len = sizeof(*src);
	return 0;
}

static int rfcomm_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_rc *src = sa;

	put(o, "bdaddr", bdaddr_json(&src->rc_bdaddr));
	put_ints(o, rfcomm_ints, ELEMENTSOF(rfcomm_ints), src);
	return 0;
}

static const struct int_member hci_ints[] = {
	INT_MEMBER(struct sockaddr_hci, hci_dev, "dev", HOST_ORDER, INT_REQUIRED, UINT16_MAX),
	INT_MEMBER(struct sockaddr_hci, hci_channel, "channel", HOST_ORDER, INT_OMIT_ZERO,
		   UINT16_MAX),
};

static int hci_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			 struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_hci *shci = (struct sockaddr_hci *)ss;
	int r;

	r = get_ints(obj, hci_ints, ELEMENTSOF(hci_ints), shci, err);
	if (r < 0)
		return r;
	shci->hci_family = AF_BLUETOOTH;
	*len = sizeof(*shci);
	return 0;
}

static int hci_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	put_ints(o, hci_ints, ELEMENTSOF(hci_ints), sa);
	return 0;
}

static int sco_from_json(json_object *obj, sb_ifname_resolver resolve _unused_,
			 struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	struct sockaddr_sco *ssco = (struct sockaddr_sco *)ss;
	int r;

	r = get_bdaddr(obj, &ssco->sco_bdaddr, err);
	if (r < 0)
		return r;
	ssco->sco_family = AF_BLUETOOTH;
	*len = sizeof(*ssco);
	return 0;
}

static int sco_to_json(const void *sa, socklen_t len, struct out *o, struct sb_error *err)
{
	const struct sockaddr_sco *ssco = sa;

	put(o, "bdaddr", bdaddr_json(&ssco->sco_bdaddr));
	return 0;
}
#endif

/* ------------------------------------------------------------------ */
/* Dispatch */

struct codec {
	const char *const *keys; /* the keys an object of this shape may have */
	int (*from_json)(json_object *obj, sb_ifname_resolver resolve, struct sockaddr_storage *ss,
			 socklen_t *len, struct sb_error *err);
	/* Sees the address copied into a zeroed struct sockaddr_storage,
	 * and only once it holds min_len bytes. */
	int (*to_json)(const void *sa, socklen_t len, struct out *o, struct sb_error *err);
	size_t min_len;
	const char *what; /* the address's name in "truncated" errors */
};

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct codec codecs[SB_ADDR_MAX_SHAPE] = {
	[SB_ADDR_UNIX] = {KEYS("path", "abstract"), unix_from_json, unix_to_json,
			  offsetof(struct sockaddr_un, sun_path), "AF_UNIX"},
	[SB_ADDR_INET] = {KEYS("host", "port"), inet_from_json, inet_to_json,
			  sizeof(struct sockaddr_in), "AF_INET"},
	[SB_ADDR_INET6] = {KEYS("host", "port", "flowinfo", "scope_id"), inet6_from_json,
			   inet6_to_json, sizeof(struct sockaddr_in6), "AF_INET6"},
	[SB_ADDR_NETLINK] = {KEYS("pid", "groups"), netlink_from_json, netlink_to_json,
			     sizeof(struct sockaddr_nl), "AF_NETLINK"},
#ifdef HAVE_LINUX_TIPC_H
	[SB_ADDR_TIPC] = {KEYS("addr_type", "v1", "v2", "v3", "scope"), tipc_from_json,
			  tipc_to_json, sizeof(struct sockaddr_tipc), "AF_TIPC"},
#endif
	[SB_ADDR_CAN] = {KEYS("ifname"), can_from_json, can_to_json,
			 REQUIRED_SIZE(struct sockaddr_can, can_ifindex), "AF_CAN"},
	[SB_ADDR_CAN_ISOTP] = {KEYS("ifname", "rx_id", "tx_id"), isotp_from_json, isotp_to_json,
			       REQUIRED_SIZE(struct sockaddr_can, can_addr.tp), "AF_CAN"},
#if defined(HAVE_LINUX_CAN_J1939_H) && defined(CAN_J1939)
	[SB_ADDR_CAN_J1939] = {KEYS("ifname", "name", "pgn", "addr"), j1939_from_json,
			       j1939_to_json, REQUIRED_SIZE(struct sockaddr_can, can_addr.j1939),
			       "AF_CAN"},
#endif
	[SB_ADDR_PACKET] = {KEYS("ifname", "protocol", "pkttype", "hatype", "addr"),
			    packet_from_json, packet_to_json,
			    offsetof(struct sockaddr_ll, sll_addr), "AF_PACKET"},
#ifdef HAVE_LINUX_IF_ALG_H
	[SB_ADDR_ALG] = {KEYS("type", "name", "feat", "mask"), alg_from_json, alg_to_json,
			 sizeof(struct sockaddr_alg), "AF_ALG"},
#endif
#ifdef HAVE_LINUX_VM_SOCKETS_H
	[SB_ADDR_VSOCK] = {KEYS("cid", "port", "flags"), vsock_from_json, vsock_to_json,
			   sizeof(struct sockaddr_vm), "AF_VSOCK"},
#endif
#ifdef HAVE_LINUX_QRTR_H
	[SB_ADDR_QRTR] = {KEYS("node", "port"), qrtr_from_json, qrtr_to_json,
			  sizeof(struct sockaddr_qrtr), "AF_QIPCRTR"},
#endif
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	[SB_ADDR_L2CAP] = {KEYS("bdaddr", "psm", "cid", "bdaddr_type"), l2cap_from_json,
			   l2cap_to_json, sizeof(struct sockaddr_l2), "L2CAP"},
	[SB_ADDR_RFCOMM] = {KEYS("bdaddr", "channel"), rfcomm_from_json, rfcomm_to_json,
			    sizeof(struct sockaddr_rc), "RFCOMM"},
	[SB_ADDR_HCI] = {KEYS("dev", "channel"), hci_from_json, hci_to_json,
			 sizeof(struct sockaddr_hci), "HCI"},
	[SB_ADDR_SCO] = {KEYS("bdaddr"), sco_from_json, sco_to_json, sizeof(struct sockaddr_sco),
			 "SCO"},
#endif
};

size_t sb_addr_features(const char **names, size_t max)
{
	static const struct {
		enum sb_addr_shape shape;
		const char *name;
	} optional[] = {
		{SB_ADDR_TIPC, "tipc-addresses"}, {SB_ADDR_CAN_J1939, "j1939-addresses"},
		{SB_ADDR_ALG, "alg-addresses"},	  {SB_ADDR_VSOCK, "vsock-addresses"},
		{SB_ADDR_QRTR, "qrtr-addresses"}, {SB_ADDR_L2CAP, SB_FEATURE_BLUETOOTH_ADDRESSES},
	};
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(optional); i++)
		if (codecs[optional[i].shape].from_json) {
			if (n < max)
				names[n] = optional[i].name;
			n++;
		}
	return n;
}

static const struct codec *codec_for(int family, int protocol)
{
	const struct codec *c = &codecs[sb_addr_shape(family, protocol)];

	return c->from_json ? c : NULL;
}

int sb_addr_from_json(json_object *obj, int family, int protocol, struct sockaddr_storage *ss,
		      socklen_t *len, struct sb_error *err)
{
	return sb_addr_from_json_with(obj, family, protocol, kernel_ifindex, ss, len, err);
}

int sb_addr_from_json_with(json_object *obj, int family, int protocol, sb_ifname_resolver resolve,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err)
{
	const struct codec *c = codec_for(family, protocol);
	int r;

	if (!ss || !len)
		return sb_error_set(err, SB_ERR_SYSTEM, EINVAL, NULL, "no room for the address");
	if (!c)
		return sb_addr_unsupported(family, err);
	if (!obj || !json_object_is_type(obj, json_type_object))
		return sb_error_param(err, "address", "address: expected an object");
	r = sb_params_only(obj, c->keys, err);
	if (r < 0)
		return r;
	memset(ss, 0, sizeof(*ss));
	return c->from_json(obj, resolve, ss, len, err);
}

json_object *sb_addr_to_json(const struct sockaddr *sa, socklen_t len, int protocol,
			     struct sb_error *err)
{
	_cleanup_json_ json_object *obj = NULL;
	struct sockaddr_storage ss;
	const struct codec *c;
	sa_family_t family;
	struct out o;
	int r;

	if (!sa || len < sizeof(family)) {
		sb_error_param(err, "address", "address: truncated (%u bytes)", (unsigned)len);
		return NULL;
	}
	if (len > sizeof(struct sockaddr_storage)) {
		sb_error_param(err, "address",
			       "address: longer than struct sockaddr_storage (%u bytes)",
			       (unsigned)len);
		return NULL;
	}
	memcpy(&family, sa, sizeof(family));
	c = codec_for(family, protocol);
	if (!c) {
		sb_addr_unsupported(family, err);
		return NULL;
	}
	obj = json_object_new_object();
	if (!obj) {
		sb_error_oom(err);
		return NULL;
	}
	if (need_bytes(len, c->min_len, c->what, err) < 0)
		return NULL;
	/* Nothing past len is ever read: the rest is zeroes. */
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, len);

	/* Decoders fill *err themselves, except for a failed allocation. */
	o = (struct out){.obj = obj};
	r = c->to_json(&ss, len, &o, err);
	if (r == 0 && o.oom)
		r = sb_error_oom(err);
	if (r < 0)
		return NULL;
	return TAKE_PTR(obj);
}
