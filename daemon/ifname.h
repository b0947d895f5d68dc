/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface names to indexes and back, without the kernel loading
 * modules for them. */
#pragma once

/* An sb_ifname_resolver (proto/addr.h) for the daemon: the index of the
 * interface called name in the calling thread's network namespace, or
 * -ENODEV. Asks rtnetlink (RTM_GETLINK), which only looks the name up.
 * SIOCGIFINDEX, as if_nametoindex() does it, would first let dev_load()
 * request the module "netdev-NAME" for a caller with CAP_NET_ADMIN (and
 * "NAME" with CAP_SYS_MODULE): a confused deputy for any client. */
int sb_ifname_index(const char *name);
/* The name of the interface with index in the calling thread's network
 * namespace, into name (IFNAMSIZ bytes): 0, or -ENODEV (no such index)
 * or another -errno. */
int sb_ifname_name(int index, char *name);
/* The resolver for a policy decision: leaves every interface unset, as
 * no policy key reads one. */
int sb_ifname_unset(const char *name);
