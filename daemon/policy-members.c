/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Group membership from the databases, for the groups that rules name. A
 * user stays a member of its groups when a process of its own drops them
 * (setgroups() in a user namespace it made with newgidmap), so group:
 * rules match by the databases as well as by what the kernel reports.
 * Read once at load: a decision looks its uid up in a sorted table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/policy-internal.h"
#include "daemon/userdb.h"

struct members {
	struct sb_member *v;
	size_t n;
	size_t alloc;
	const uint32_t *gids; /* the groups rules name, sorted */
	size_t n_gids;
	uint32_t gid; /* of the group entry being read */
};

static int u32_compare(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int member_compare(const void *a, const void *b)
{
	const struct sb_member *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return u32_compare(&x->gid, &y->gid);
}

static int add(struct members *m, uid_t uid, gid_t gid)
{
	if (m->n == m->alloc) {
		size_t n = m->alloc ? m->alloc * 2 : 16;
		struct sb_member *v = reallocarray(m->v, n, sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->v = v;
		m->alloc = n;
	}
	m->v[m->n++] = (struct sb_member){.uid = uid, .gid = gid};
	return 0;
}

/* A user whose primary group a rule names. */
static int add_primary(uid_t uid, gid_t gid, void *arg)
{
	struct members *m = arg;
	uint32_t key = gid;

	if (!bsearch(&key, m->gids, m->n_gids, sizeof(*m->gids), u32_compare))
		return 0;
	return add(m, uid, gid);
}

static int add_listed(uid_t uid, void *arg)
{
	struct members *m = arg;

	return add(m, uid, m->gid);
}

/* The distinct gids of the group: rules, sorted; NULL with *n 0 when
 * there are none. */
static int named_gids(const struct sb_policy *p, uint32_t **ret, size_t *n)
{
	uint32_t *v = NULL;
	size_t k = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		if (p->rules[i].who != SB_WHO_GID)
			continue;
		if (!v) {
			v = calloc(p->n_rules, sizeof(*v));
			if (!v)
				return -ENOMEM;
		}
		v[k++] = p->rules[i].id;
	}
	if (k > 0)
		qsort(v, k, sizeof(*v), u32_compare);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || v[i] != v[*n - 1])
			v[(*n)++] = v[i];
	*ret = v;
	return 0;
}

int sb_policy_resolve_members(struct sb_policy *p, char *errbuf, size_t errsize)
{
	_cleanup_free_ uint32_t *gids = NULL;
	struct members m = {0};
	size_t kept = 0;
	int r;

	free(p->members);
	p->members = NULL;
	p->n_members = 0;
	r = named_gids(p, &gids, &m.n_gids);
	if (r < 0 || m.n_gids == 0)
		return r;
	m.gids = gids;
	r = sb_userdb_each_user(add_primary, &m);
	for (size_t i = 0; i < m.n_gids && r >= 0; i++) {
		m.gid = gids[i];
		r = sb_userdb_each_member(gids[i], add_listed, &m);
	}
	if (r < 0) {
		free(m.v);
		if (r != -ENOMEM)
			sb_policy_error(errbuf, errsize, "cannot read the group members: %s",
					strerror(-r));
		return r;
	}
	if (m.n > 0)
		qsort(m.v, m.n, sizeof(*m.v), member_compare);
	for (size_t i = 0; i < m.n; i++)
		if (kept == 0 || member_compare(&m.v[i], &m.v[kept - 1]) != 0)
			m.v[kept++] = m.v[i];
	p->members = m.v;
	p->n_members = kept;
	return 0;
}
