/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "daemon/uid-counts.h"

struct slot {
	uid_t uid;
	unsigned count; /* 0: free (entries are removed by backward shift) */
};

struct sb_uid_counts {
	struct slot *slots;
	size_t size; /* power of two */
	size_t used;
};

static size_t hash(uid_t uid, size_t size)
{
	return (size_t)(((uint32_t)uid * 2654435761u) & (size - 1));
}

struct sb_uid_counts *sb_uid_counts_new(void)
{
	struct sb_uid_counts *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->size = 64;
	t->slots = calloc(t->size, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void sb_uid_counts_free(struct sb_uid_counts *t)
{
	if (t)
		free(t->slots);
	free(t);
}

static struct slot *find(const struct sb_uid_counts *t, uid_t uid)
{
	for (size_t i = hash(uid, t->size);; i = (i + 1) & (t->size - 1)) {
		struct slot *s = &t->slots[i];

		if (s->count == 0 || s->uid == uid)
			return s;
	}
}

unsigned sb_uid_counts_get(const struct sb_uid_counts *t, uid_t uid)
{
	return find(t, uid)->count;
}

static int grow(struct sb_uid_counts *t)
{
	struct sb_uid_counts n = {.size = t->size * 2, .used = t->used};

	n.slots = calloc(n.size, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->size; i++)
		if (t->slots[i].count)
			*find(&n, t->slots[i].uid) = t->slots[i];
	free(t->slots);
	*t = n;
	return 0;
}

int sb_uid_counts_add(struct sb_uid_counts *t, uid_t uid, unsigned n)
{
	struct slot *s;

	if (n == 0)
		return 0;
	if ((t->used + 1) * 2 > t->size && grow(t) < 0)
		return -ENOMEM;
	s = find(t, uid);
	if (s->count == 0) {
		s->uid = uid;
		t->used++;
	}
	s->count += n;
	return 0;
}

int sb_uid_counts_inc(struct sb_uid_counts *t, uid_t uid)
{
	return sb_uid_counts_add(t, uid, 1);
}

void sb_uid_counts_sub(struct sb_uid_counts *t, uid_t uid, unsigned n)
{
	struct slot *s = find(t, uid);
	size_t i, j;

	if (s->count == 0 || n == 0)
		return;
	if (s->count > n) {
		s->count -= n;
		return;
	}
	t->used--;
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	i = (size_t)(s - t->slots);
	for (j = (i + 1) & (t->size - 1); t->slots[j].count; j = (j + 1) & (t->size - 1)) {
		size_t home = hash(t->slots[j].uid, t->size);

		if (((j - home) & (t->size - 1)) >= ((j - i) & (t->size - 1))) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].count = 0;
}

void sb_uid_counts_dec(struct sb_uid_counts *t, uid_t uid)
{
	sb_uid_counts_sub(t, uid, 1);
}
