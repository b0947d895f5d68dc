/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/subid.h"
#include "daemon/userdb.h"
#include "proto/number.h"

/* The ids from start to last, inclusive. */
struct range {
	uint32_t start;
	uint32_t last;
	uid_t owner;
	unsigned line; /* in its file, for the overlap warning */
};

struct table {
	struct range *v;
	size_t n;
};

struct sb_subids {
	struct table uids;
	struct table gids;
};

/* (uid_t)-1 names nobody, as in the policy. */
#define ID_MAX (UINT32_MAX - 1)

static void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void sb_subids_free(struct sb_subids *t)
{
	if (!t)
		return;
	free(t->uids.v);
	free(t->gids.v);
	free(t);
}

static bool parse_id(const char *text, uint64_t max, uint64_t *ret)
{
	bool negative;

	return sb_number_parse(text, SB_NUMBER_LEADING_ZEROS, max, &negative, ret) == 0 &&
	       !negative;
}

/* One line, without its newline, into *ret. 1 for a range, 0 for a blank
 * or comment line, -EINVAL with why filled for a line to ignore, or
 * -errno when the user database failed. */
static int parse_line(char *line, struct range *ret, char *why, size_t size)
{
	char *owner = line, *start, *count;
	uint64_t first, n, id;
	uint32_t uid;
	int r;

	if (!*line || *line == '#')
		return 0;
	start = strchr(owner, ':');
	count = start ? strchr(start + 1, ':') : NULL;
	if (!count || strchr(count + 1, ':')) {
		snprintf(why, size, "not OWNER:START:COUNT");
		return -EINVAL;
	}
	*start++ = 0;
	*count++ = 0;
	if (!parse_id(start, ID_MAX, &first) || !parse_id(count, ID_MAX, &n) || n == 0 ||
	    n - 1 > ID_MAX - first) {
		snprintf(why, size, "range %s:%s is not within 0-%u", start, count, ID_MAX);
		return -EINVAL;
	}
	if (*owner && strspn(owner, "0123456789") == strlen(owner)) {
		if (!parse_id(owner, ID_MAX, &id)) {
			snprintf(why, size, "uid %s is out of range", owner);
			return -EINVAL;
		}
		uid = (uint32_t)id;
	} else {
		r = sb_userdb_lookup(true, owner, &uid);
		if (r == -ENOENT) {
			snprintf(why, size, "unknown user '%s'", owner);
			return -EINVAL;
		}
		if (r < 0)
			return r;
	}
	*ret = (struct range){
		.start = (uint32_t)first, .last = (uint32_t)(first + n - 1), .owner = uid};
	return 1;
}

static int range_compare(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sort by first id and drop what overlaps a range of another owner that
 * starts before (an id of two owners would be decided as either); ranges
 * of one owner that overlap are merged. */
static void table_settle(struct table *t, const char *file)
{
	size_t kept = 0;

	if (t->n == 0)
		return;
	qsort(t->v, t->n, sizeof(*t->v), range_compare);
	for (size_t i = 0; i < t->n; i++) {
		struct range *r = &t->v[i], *prev = kept ? &t->v[kept - 1] : NULL;

		if (prev && r->start <= prev->last) {
			if (r->owner != prev->owner) {
				log_warn("%s:%u: ids %u-%u overlap those of line %u, ignored", file,
					 r->line, r->start, r->last, prev->line);
				continue;
			}
			if (r->last > prev->last)
				prev->last = r->last;
			continue;
		}
		t->v[kept++] = *r;
	}
	t->n = kept;
}

static int load_file(const char *file, struct table *t, char *errbuf, size_t errsize)
{
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, alloc = 0;
	unsigned lineno = 0;
	ssize_t len;

	f = fopen(file, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(errbuf, errsize, "%s: %m", file);
		return -errno;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct range range;
		char why[128];
		int r;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = 0;
		r = parse_line(line, &range, why, sizeof(why));
		if (r == -EINVAL) {
			log_warn("%s:%u: %s, ignored", file, lineno, why);
			continue;
		}
		if (r < 0) {
			snprintf(errbuf, errsize, "%s:%u: cannot look up the owner: %s", file,
				 lineno, strerror(-r));
			return r;
		}
		if (r == 0)
			continue;
		if (t->n == alloc) {
			size_t n = alloc ? alloc * 2 : 16;
			struct range *v = reallocarray(t->v, n, sizeof(*v));

			if (!v)
				return -ENOMEM;
			t->v = v;
			alloc = n;
		}
		range.line = lineno;
		t->v[t->n++] = range;
	}
	if (ferror(f)) {
		snprintf(errbuf, errsize, "%s: read error", file);
		return -EIO;
	}
	table_settle(t, file);
	return 0;
}

int sb_subids_load(const char *subuid_file, const char *subgid_file, struct sb_subids **ret,
		   char *errbuf, size_t errsize)
{
	struct sb_subids *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	r = load_file(subuid_file, &t->uids, errbuf, errsize);
	if (r >= 0)
		r = load_file(subgid_file, &t->gids, errbuf, errsize);
	if (r < 0) {
		if (r == -ENOMEM)
			snprintf(errbuf, errsize, "subordinate ids: out of memory");
		sb_subids_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

static const struct range *find(const struct table *t, uint32_t id)
{
	size_t lo = 0, hi = t->n;

	/* The last range starting at or before id. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].start <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && id <= t->v[lo - 1].last ? &t->v[lo - 1] : NULL;
}

static bool owner_of(const struct table *t, uint32_t id, uid_t *owner)
{
	const struct range *r = find(t, id);

	if (!r || r->owner == 0)
		return false;
	*owner = r->owner;
	return true;
}

bool sb_subids_uid_owner(const struct sb_subids *t, uid_t id, uid_t *owner)
{
	return t && owner_of(&t->uids, id, owner);
}

bool sb_subids_gid_owner(const struct sb_subids *t, gid_t id, uid_t *owner)
{
	return t && owner_of(&t->gids, id, owner);
}

uid_t sb_subids_principal(const struct sb_subids *t, uid_t uid)
{
	const struct range *r = t ? find(&t->uids, uid) : NULL;

	if (!r)
		return uid;
	return r->owner != 0 ? r->owner : r->start;
}
