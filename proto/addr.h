/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address codec: JSON and text <-> struct sockaddr, one shape per
 * family, mirroring the address tuples of the socket API. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "error.h"

/* protocol disambiguates families whose address depends on it (AF_CAN:
 * ISO-TP and J1939; AF_BLUETOOTH: L2CAP/RFCOMM/HCI/SCO). Hosts are
 * numeric only: the daemon never resolves names. Interface names resolve
 * to indexes with if_nametoindex(). 0 or -errno with *err filled. */
int sb_addr_from_json(json_object *obj, int family, int protocol, struct sockaddr_storage *ss,
		      socklen_t *len, struct sb_error *err);

/* An interface name's index (> 0), 0 to leave the interface unset, or
 * -errno (-ENODEV: no interface of that name). */
typedef int (*sb_ifname_resolver)(const char *name);
/* sb_addr_from_json() with interface names resolved by resolve: for the
 * daemon, in which if_nametoindex() would let the kernel load modules
 * (see sockbrokerd(8)). */
int sb_addr_from_json_with(json_object *obj, int family, int protocol, sb_ifname_resolver resolve,
			   struct sockaddr_storage *ss, socklen_t *len, struct sb_error *err);
/* NULL with *err filled when the address cannot be represented. */
json_object *sb_addr_to_json(const struct sockaddr *sa, socklen_t len, int protocol,
			     struct sb_error *err);

/* Text forms (the part after '@' of a socket spec, see spec.h). */
int sb_addr_from_text(const char *text, int family, int protocol, struct sockaddr_storage *ss,
		      socklen_t *len, struct sb_error *err);
/* Writes at most size bytes including the NUL; -ENOSPC when too small. */
int sb_addr_to_text(const struct sockaddr *sa, socklen_t len, int protocol, char *buf, size_t size,
		    struct sb_error *err);

/* The sa_family of the addresses bind(2) takes on a socket of this domain:
 * AF_INET for AF_RDS (a struct sockaddr_in), the domain itself for the
 * rest. */
int sb_addr_bind_family(int domain);

/* The optional address formats this build has, by the names Info reports
 * in features: up to max of them into names, in a fixed order; returns how
 * many there are. Bluetooth's needs BlueZ's headers (libbluetooth-dev),
 * the others linux-libc-dev's. */
#define SB_FEATURE_BLUETOOTH_ADDRESSES "bluetooth-addresses"
size_t sb_addr_features(const char **names, size_t max);

/* Does this family have an address codec in this build? */
bool sb_addr_family_supported(int family);
