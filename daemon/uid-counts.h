/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A count per uid (connections, descriptors in flight), for the per-uid
 * limits: a small open addressing hash so accept() stays O(1) with
 * thousands of clients. */
#pragma once

#include <sys/types.h>

struct sb_uid_counts;

struct sb_uid_counts *sb_uid_counts_new(void);
void sb_uid_counts_free(struct sb_uid_counts *t);
unsigned sb_uid_counts_get(const struct sb_uid_counts *t, uid_t uid);
/* 0, or -ENOMEM (the count is unchanged then). */
int sb_uid_counts_inc(struct sb_uid_counts *t, uid_t uid);
void sb_uid_counts_dec(struct sb_uid_counts *t, uid_t uid);
/* The same by n; sub stops at 0. */
int sb_uid_counts_add(struct sb_uid_counts *t, uid_t uid, unsigned n);
void sb_uid_counts_sub(struct sb_uid_counts *t, uid_t uid, unsigned n);
