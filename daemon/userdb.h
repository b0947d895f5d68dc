/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The user and group databases (NSS), read with buffers grown until an
 * entry fits (up to 1 MiB). Lookups may block on a remote database: the
 * daemon makes them when it loads the policy, never per request. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The uid of a user or the gid of a group by name: 0, -ENOENT for an
 * unknown name, or -errno. */
int sb_userdb_lookup(bool user, const char *name, uint32_t *ret);

/* fn(uid, primary gid, arg) for every user of the passwd database, until
 * fn returns < 0. 0 or that value, or -errno. */
int sb_userdb_each_user(int (*fn)(uid_t uid, gid_t gid, void *arg), void *arg);

/* fn(uid, arg) for every member that the group entry of gid lists (gr_mem)
 * and that is a known user, until fn returns < 0. 0 (also for an unknown
 * gid) or that value, or -errno. */
int sb_userdb_each_member(gid_t gid, int (*fn)(uid_t uid, void *arg), void *arg);
