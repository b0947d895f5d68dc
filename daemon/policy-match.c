/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Deciding: rules are indexed by method and by subject (any, uid, gid), so
 * a check only looks at the rules that can apply to the caller, from the
 * latest down, and stops at the first that matches. */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/policy-internal.h"
#include "daemon/subid.h"

static int id_rule_compare(const void *a, const void *b)
{
	const struct sb_id_rule *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return 0;
}

void sb_policy_index_done(struct sb_policy *p)
{
	for (size_t m = 0; m < SB_PM_MAX; m++) {
		free(p->index[m].any);
		free(p->index[m].by_uid);
		free(p->index[m].by_gid);
		free(p->index[m].by_unit);
		p->index[m] = (struct sb_method_index){0};
	}
	sb_policy_strv_free(p->units, p->n_units);
	p->units = NULL;
	p->n_units = 0;
}

static int name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The index of name in p->units, or -1. */
static int64_t unit_index(const struct sb_policy *p, const char *name)
{
	char *const *hit;

	if (p->n_units == 0)
		return -1;
	hit = bsearch(&name, p->units, p->n_units, sizeof(*p->units), name_compare);
	return hit ? hit - p->units : -1;
}

/* The unit names rules name, sorted and once each; each unit rule's id
 * becomes its name's index, so unit rules are indexed like uid ones. */
static int build_units(struct sb_policy *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		int rc;

		if (p->rules[i].who != SB_WHO_UNIT)
			continue;
		rc = sb_policy_strv_add(&p->units, &p->n_units, p->rules[i].unit);
		if (rc < 0)
			return rc;
	}
	if (p->n_units == 0)
		return 0;
	qsort(p->units, p->n_units, sizeof(*p->units), name_compare);
	for (size_t i = 1; i < p->n_units; i++) {
		if (strcmp(p->units[i], p->units[n]) == 0)
			free(p->units[i]);
		else
			p->units[++n] = p->units[i];
	}
	p->n_units = n + 1;
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].who == SB_WHO_UNIT)
			p->rules[i].id = (uint32_t)unit_index(p, p->rules[i].unit);
	return 0;
}

int sb_policy_build_index(struct sb_policy *p)
{
	sb_policy_index_done(p);
	if (build_units(p) < 0) {
		sb_policy_index_done(p);
		return -ENOMEM;
	}
	for (size_t m = 0; m < SB_PM_MAX; m++) {
		struct sb_method_index *ix = &p->index[m];
		size_t n_any = 0, n_uid = 0, n_gid = 0, n_unit = 0;

		for (size_t i = 0; i < p->n_rules; i++) {
			const struct sb_rule *r = &p->rules[i];

			if (!(r->methods & (1u << m)))
				continue;
			if (r->who == SB_WHO_ANY)
				n_any++;
			else if (r->who == SB_WHO_UID)
				n_uid++;
			else if (r->who == SB_WHO_GID)
				n_gid++;
			else
				n_unit++;
		}
		ix->any = calloc(n_any ? n_any : 1, sizeof(*ix->any));
		ix->by_uid = calloc(n_uid ? n_uid : 1, sizeof(*ix->by_uid));
		ix->by_gid = calloc(n_gid ? n_gid : 1, sizeof(*ix->by_gid));
		ix->by_unit = calloc(n_unit ? n_unit : 1, sizeof(*ix->by_unit));
		if (!ix->any || !ix->by_uid || !ix->by_gid || !ix->by_unit) {
			sb_policy_index_done(p);
			return -ENOMEM;
		}
		for (size_t i = 0; i < p->n_rules; i++) {
			const struct sb_rule *r = &p->rules[i];
			struct sb_id_rule entry = {.id = r->id, .rule = (uint32_t)i};

			if (!(r->methods & (1u << m)))
				continue;
			if (r->who == SB_WHO_ANY)
				ix->any[ix->n_any++] = (uint32_t)i;
			else if (r->who == SB_WHO_UID)
				ix->by_uid[ix->n_by_uid++] = entry;
			else if (r->who == SB_WHO_GID)
				ix->by_gid[ix->n_by_gid++] = entry;
			else
				ix->by_unit[ix->n_by_unit++] = entry;
		}
		qsort(ix->by_uid, ix->n_by_uid, sizeof(*ix->by_uid), id_rule_compare);
		qsort(ix->by_gid, ix->n_by_gid, sizeof(*ix->by_gid), id_rule_compare);
		qsort(ix->by_unit, ix->n_by_unit, sizeof(*ix->by_unit), id_rule_compare);
	}
	return 0;
}

static bool range_set_has(const struct sb_range_set *set, int64_t v)
{
	for (size_t i = 0; i < set->n; i++)
		if (v >= set->v[i].lo && v <= set->v[i].hi)
			return true;
	return false;
}

static bool prefix_match(const uint8_t *addr, const struct sb_prefix *pf)
{
	unsigned full = pf->len / 8, rest = pf->len % 8;

	if (memcmp(addr, pf->addr, full) != 0)
		return false;
	if (rest && ((addr[full] ^ pf->addr[full]) & (0xff00 >> rest) & 0xff))
		return false;
	return true;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) binds the IPv4 address,
 * so IPv4 prefixes apply to it too. */
static bool address_matches(const struct sb_rule *r, const struct sockaddr *sa, socklen_t len)
{
	static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *v4 = NULL, *v6 = NULL;

	if (!sa)
		return false;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		v4 = (const uint8_t *)sa + offsetof(struct sockaddr_in, sin_addr);
	} else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		v6 = (const uint8_t *)sa + offsetof(struct sockaddr_in6, sin6_addr);
		if (memcmp(v6, v4_mapped, sizeof(v4_mapped)) == 0)
			v4 = v6 + 12;
	} else {
		return false;
	}
	for (size_t i = 0; i < r->n_addresses; i++) {
		const struct sb_prefix *pf = &r->addresses[i];

		if (pf->family == AF_INET && v4 && prefix_match(v4, pf))
			return true;
		if (pf->family == AF_INET6 && v6 && prefix_match(v6, pf))
			return true;
	}
	return false;
}

static bool protocol_matches(const struct sb_rule *r, int family, int protocol)
{
	for (size_t i = 0; i < r->n_protocols; i++)
		if ((r->protocols[i].family == -1 || r->protocols[i].family == family) &&
		    r->protocols[i].protocol == protocol)
			return true;
	return false;
}

static bool option_matches(const struct sb_rule *r, int level, int option)
{
	for (size_t i = 0; i < r->n_options; i++)
		if (r->options[i].level == level && r->options[i].option == option)
			return true;
	return false;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* An integer value in the ranges, a value set from text in the names. */
static bool value_matches(const struct sb_rule *r, const struct sb_policy_request *req)
{
	if (req->text)
		return strv_has(r->value_names, r->n_value_names, req->text);
	return req->has_value && range_set_has(&r->value, req->value);
}

/* Creating a socket in another namespace is a privilege of its own:
 * only rules that name netns apply to such requests, and only to them. */
static bool netns_matches(const struct sb_rule *r, const char *netns)
{
	if (!(r->keys & (1u << SB_PK_NETNS)))
		return !netns;
	if (!netns)
		return false;
	if (r->netns_any)
		return true;
	for (size_t i = 0; i < r->n_netns; i++)
		if (strcmp(r->netns[i], netns) == 0)
			return true;
	return false;
}

#define NAMES(r, k) ((r)->keys & (1u << (k)))

/* WHO and METHOD already match (the index says so); a key the rule does
 * not name matches anything, a request field that is unset matches no
 * rule that names its key. */
static bool rule_matches(const struct sb_rule *r, const struct sb_policy_request *req)
{
	if (!netns_matches(r, req->netns))
		return false;
	if (NAMES(r, SB_PK_FAMILY) && (req->family < 0 || !range_set_has(&r->family, req->family)))
		return false;
	if (NAMES(r, SB_PK_TYPE) && (req->type < 0 || !range_set_has(&r->type, req->type)))
		return false;
	if (NAMES(r, SB_PK_PROTOCOL) &&
	    (req->protocol < 0 || !protocol_matches(r, req->family, req->protocol)))
		return false;
	if (NAMES(r, SB_PK_PORT) && (req->port < 0 || !range_set_has(&r->port, req->port)))
		return false;
	if (NAMES(r, SB_PK_ADDRESS) && !address_matches(r, req->address, req->address_len))
		return false;
	if (NAMES(r, SB_PK_OPTION) &&
	    (req->level < 0 || req->option < 0 || !option_matches(r, req->level, req->option)))
		return false;
	if (NAMES(r, SB_PK_VALUE) && !value_matches(r, req))
		return false;
	if (NAMES(r, SB_PK_INTERFACE) &&
	    (!req->interface || !strv_has(r->interfaces, r->n_interfaces, req->interface)))
		return false;
	if (NAMES(r, SB_PK_GROUPS) && (req->group < 0 || !range_set_has(&r->groups, req->group)))
		return false;
	if (NAMES(r, SB_PK_PSM) && (req->psm < 0 || !range_set_has(&r->psm, req->psm)))
		return false;
	if (NAMES(r, SB_PK_CHANNEL) &&
	    (req->channel < 0 || !range_set_has(&r->channel, req->channel)))
		return false;
	return true;
}

struct scan {
	const struct sb_policy *policy;
	const struct sb_policy_request *req;
	int64_t best; /* index of the latest matching rule so far, or -1 */
	size_t scanned;
};

/* Walk one candidate list from its latest rule down; anything at or
 * below the best match found so far cannot win any more. */
static void scan_rule(struct scan *s, uint32_t idx, bool *stop)
{
	if ((int64_t)idx <= s->best) {
		*stop = true;
		return;
	}
	s->scanned++;
	if (rule_matches(&s->policy->rules[idx], s->req)) {
		s->best = idx;
		*stop = true;
	}
}

static void scan_any(struct scan *s, const uint32_t *rules, size_t n)
{
	bool stop = false;

	for (size_t i = n; i > 0 && !stop; i--)
		scan_rule(s, rules[i - 1], &stop);
}

static void scan_id(struct scan *s, const struct sb_id_rule *v, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n, end;
	bool stop = false;

	/* First entry with this id... */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ...and the first one after it. */
	end = lo;
	hi = n;
	while (end < hi) {
		size_t mid = end + (hi - end) / 2;

		if (v[mid].id <= id)
			end = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = end; i > lo && !stop; i--)
		scan_rule(s, v[i - 1].rule, &stop);
}

/* The rules of the groups the databases put uid in (policy-members.c). */
static void scan_members(struct scan *s, const struct sb_method_index *ix, uid_t uid)
{
	const struct sb_member *v = s->policy->members;
	size_t lo = 0, hi = s->policy->n_members;

	if (ix->n_by_gid == 0)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < s->policy->n_members && v[i].uid == uid; i++)
		scan_id(s, ix->by_gid, ix->n_by_gid, v[i].gid);
}

/* A gid the process holds; a subordinate one stands for its owner's
 * groups. */
static void scan_gid(struct scan *s, const struct sb_method_index *ix, uid_t uid, gid_t gid)
{
	uid_t owner;

	if (sb_subids_gid_owner(s->policy->subids, gid, &owner)) {
		if (owner != uid)
			scan_members(s, ix, owner);
		return;
	}
	scan_id(s, ix->by_gid, ix->n_by_gid, gid);
}

/* The rules of who's unit. A client whose unit could not be read might be
 * in any: every unit's denials apply to it, and no unit's allowance. */
static void scan_unit(struct scan *s, const struct sb_method_index *ix,
		      const struct sb_policy_subject *who)
{
	int64_t id;

	if (who->unit) {
		id = unit_index(s->policy, who->unit);
		if (id >= 0)
			scan_id(s, ix->by_unit, ix->n_by_unit, (uint32_t)id);
		return;
	}
	if (!who->unit_unknown)
		return;
	for (size_t i = 0; i < ix->n_by_unit; i++) {
		uint32_t idx = ix->by_unit[i].rule;

		if ((int64_t)idx <= s->best || s->policy->rules[idx].allow)
			continue;
		s->scanned++;
		if (rule_matches(&s->policy->rules[idx], s->req))
			s->best = idx;
	}
}

/* The rules of who: its uid, its groups as the kernel reports them and as
 * the databases say. A subordinate uid is decided as its owner, by the
 * owner's groups in the databases: the groups a process of a user
 * namespace holds are that namespace's choice. */
static void scan_subject(struct scan *s, const struct sb_method_index *ix,
			 const struct sb_policy_subject *who)
{
	uid_t owner;

	if (sb_subids_uid_owner(s->policy->subids, who->uid, &owner)) {
		scan_id(s, ix->by_uid, ix->n_by_uid, owner);
		scan_members(s, ix, owner);
		return;
	}
	scan_id(s, ix->by_uid, ix->n_by_uid, who->uid);
	scan_gid(s, ix, who->uid, who->gid);
	/* SO_PEERGROUPS lists groups sorted and usually includes the
	 * primary group; skipping repeats keeps each list scanned once in
	 * the common case. */
	for (size_t i = 0; i < who->n_groups; i++) {
		if (who->groups[i] == who->gid || (i > 0 && who->groups[i] == who->groups[i - 1]))
			continue;
		scan_gid(s, ix, who->uid, who->groups[i]);
	}
	scan_members(s, ix, who->uid);
}

size_t sb_policy_check_counted(const struct sb_policy *p, const struct sb_policy_subject *who,
			       const struct sb_policy_request *req, struct sb_decision *ret)
{
	struct scan s = {.policy = p, .req = req, .best = -1};

	if ((unsigned)req->method >= SB_PM_MAX) {
		*ret = (struct sb_decision){.allow = false, .rule = "default"};
		return 0;
	}
	if (p) {
		scan_any(&s, p->index[req->method].any, p->index[req->method].n_any);
		scan_subject(&s, &p->index[req->method], who);
		scan_unit(&s, &p->index[req->method], who);
	}
	if (s.best >= 0)
		*ret = (struct sb_decision){.allow = p->rules[s.best].allow,
					    .rule = p->rules[s.best].name};
	else
		*ret = (struct sb_decision){.allow = false, .rule = "default"};
	return s.scanned;
}

void sb_policy_check(const struct sb_policy *p, const struct sb_policy_subject *who,
		     const struct sb_policy_request *req, struct sb_decision *ret)
{
	sb_policy_check_counted(p, who, req, ret);
}
