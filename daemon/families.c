/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* socket() of a family whose module is not loaded makes the kernel load
 * it (net-pf-N), whatever the caller's capabilities: rarely used
 * protocol code, which distributions leave unloaded because kernel holes
 * are found there. A probe of every family loaded some twenty. So the
 * families a kernel already has are read from the protocols it has
 * registered, and socket() is called only for those a rule allows
 * asking for. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/families.h"
#include "daemon/log.h"
#include "proto/util.h"

#define PROTOCOLS_FILE "/proc/self/net/protocols"

/* The kernel's names of its protocols (struct proto), the first column
 * of PROTOCOLS_FILE, and the family each belongs to. */
static const struct {
	const char *name;
	int family;
} protocol_families[] = {
	{"UNIX", AF_UNIX},
	{"UNIX-STREAM", AF_UNIX},
	{"TCP", AF_INET},
	{"UDP", AF_INET},
	{"UDP-Lite", AF_INET},
	{"RAW", AF_INET},
	{"PING", AF_INET},
	{"MPTCP", AF_INET},
	{"SCTP", AF_INET},
	{"DCCP", AF_INET},
	{"L2TP/IP", AF_INET},
	{"AX25", AF_AX25},
	{"DDP", AF_APPLETALK},
	{"NETROM", AF_NETROM},
	{"VCC", AF_ATMPVC},
	{"VCC", AF_ATMSVC},
	{"X25", AF_X25},
	{"TCPv6", AF_INET6},
	{"UDPv6", AF_INET6},
	{"UDPLITEv6", AF_INET6},
	{"RAWv6", AF_INET6},
	{"PINGv6", AF_INET6},
	{"MPTCPv6", AF_INET6},
	{"SCTPv6", AF_INET6},
	{"DCCPv6", AF_INET6},
	{"L2TP/IPv6", AF_INET6},
	{"ROSE", AF_ROSE},
	{"KEY", AF_KEY},
	{"NETLINK", AF_NETLINK},
	{"PACKET", AF_PACKET},
	{"RDS", AF_RDS},
	{"PPPOE", AF_PPPOX},
	{"PPTP", AF_PPPOX},
	{"PPPOL2TP", AF_PPPOX},
	{"LLC", AF_LLC},
	{"CAN_RAW", AF_CAN},
	{"CAN_BCM", AF_CAN},
	{"CAN_ISOTP", AF_CAN},
	{"CAN_J1939", AF_CAN},
	{"TIPC", AF_TIPC},
	{"HCI", AF_BLUETOOTH},
	{"L2CAP", AF_BLUETOOTH},
	{"SCO", AF_BLUETOOTH},
	{"ISO", AF_BLUETOOTH},
	{"RFCOMM", AF_BLUETOOTH},
	{"BNEP", AF_BLUETOOTH},
	{"HIDP", AF_BLUETOOTH},
	{"CMTP", AF_BLUETOOTH},
	{"AF_IUCV", AF_IUCV},
	{"RXRPC", AF_RXRPC},
	{"IEEE-802.15.4-RAW", AF_IEEE802154},
	{"IEEE-802.15.4-MAC", AF_IEEE802154},
	{"CAIF", AF_CAIF},
	{"PHONET", AF_PHONET},
	{"PNPIPE", AF_PHONET},
	{"ALG", AF_ALG},
	{"NFC_RAW", AF_NFC},
	{"NFC_LLCP", AF_NFC},
	{"AF_VSOCK", AF_VSOCK},
	{"KCM", AF_KCM},
	{"QIPCRTR", AF_QIPCRTR},
	{"SMC", AF_SMC},
	{"SMC6", AF_SMC},
	{"XDP", AF_XDP},
	{"MCTP", AF_MCTP},
};

struct family_set {
	int *v;
	unsigned n, max;
};

static bool set_has(const struct family_set *set, int family)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->v[i] == family)
			return true;
	return false;
}

static void set_add(struct family_set *set, int family)
{
	if (set->n < set->max && !set_has(set, family))
		set->v[set->n++] = family;
}

static void add_registered(struct family_set *set)
{
	FILE *f = fopen(PROTOCOLS_FILE, "re");
	char line[512], name[64];

	if (!f) {
		log_warn("cannot read %s: %m; families the policy names are still probed",
			 PROTOCOLS_FILE);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s", name) == 1)
			for (size_t i = 0; i < ELEMENTSOF(protocol_families); i++)
				if (strcmp(name, protocol_families[i].name) == 0)
					set_add(set, protocol_families[i].family);
	fclose(f);
}

/* Whether the kernel has family (after loading its module if need be). */
static bool probe(int family)
{
	static const int types[] = {SOCK_DGRAM, SOCK_STREAM, SOCK_RAW, SOCK_SEQPACKET};

	for (size_t t = 0; t < ELEMENTSOF(types); t++) {
		int fd = socket(family, types[t] | SOCK_CLOEXEC, 0);

		if (fd >= 0) {
			close(fd);
			return true;
		}
		/* EPERM, EPROTONOSUPPORT...: the family is there. */
		if (errno != EAFNOSUPPORT && errno != EINVAL && errno != ESOCKTNOSUPPORT &&
		    errno != EPROTOTYPE)
			return true;
	}
	return false;
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

unsigned sb_families_learn(const struct sb_policy *p, int *ret, unsigned max)
{
	struct family_set set = {.v = ret, .max = max};

	/* Never modules: the daemon speaks over the one, and the other
	 * cannot be built as one. */
	set_add(&set, AF_UNIX);
	set_add(&set, AF_NETLINK);
	add_registered(&set);
	for (int af = 1; af < AF_MAX; af++)
		if (!set_has(&set, af) && sb_policy_names_family(p, SB_PM_SOCKET, af) && probe(af))
			set_add(&set, af);
	qsort(ret, set.n, sizeof(*ret), compare_ints);
	return set.n;
}
