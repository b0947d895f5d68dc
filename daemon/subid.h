/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subordinate ids (subuid(5), subgid(5)): the uids and gids a user may
 * map into user namespaces of its own (newuidmap(1), newgidmap(1)). A
 * process running as one is its owner's doing: it is decided, and its
 * connections counted, as the owner. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SB_SUBUID_FILE "/etc/subuid"
#define SB_SUBGID_FILE "/etc/subgid"

struct sb_subids;

/* Read the ranges of both files, "OWNER:START:COUNT" a line, OWNER a user
 * name or uid; a missing file holds none. Lines that do not parse, name
 * an unknown user, or overlap a range of another owner that starts
 * before theirs are ignored with a warning in the log. 0 or -errno with
 * errbuf "file: reason". */
int sb_subids_load(const char *subuid_file, const char *subgid_file, struct sb_subids **ret,
		   char *errbuf, size_t errsize);
void sb_subids_free(struct sb_subids *t);

/* The owner of subordinate uid (gid) id, for policy decisions: true with
 * *owner set when id is in a range of a user other than root. Root's
 * ranges hold the ids of the containers it runs, which are not root.
 * t may be NULL (no ranges). */
bool sb_subids_uid_owner(const struct sb_subids *t, uid_t id, uid_t *owner);
bool sb_subids_gid_owner(const struct sb_subids *t, gid_t id, uid_t *owner);

/* Whom a connection from uid counts against: the owner of the range that
 * holds uid (for a range of root's, the range itself, as its first id),
 * else uid. t may be NULL. */
uid_t sb_subids_principal(const struct sb_subids *t, uid_t uid);
