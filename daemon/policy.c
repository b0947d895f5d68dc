/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy object: its rules, the files they came from, and the small
 * public helpers around them. Parsing, loading and matching live in
 * policy-parse.c, policy-value.c, policy-load.c and policy-match.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/policy-internal.h"
#include "daemon/subid.h"

static const char *const method_names[SB_PM_MAX] = {
	[SB_PM_SOCKET] = "socket",
	[SB_PM_BIND] = "bind",
	[SB_PM_SETSOCKOPT] = "setsockopt",
	[SB_PM_ADMIN] = "admin",
};

int sb_policy_method_from_string(const char *s, enum sb_policy_method *ret)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < SB_PM_MAX; i++)
		if (strcmp(s, method_names[i]) == 0) {
			*ret = (enum sb_policy_method)i;
			return 0;
		}
	return -EINVAL;
}

const char *sb_policy_method_to_string(enum sb_policy_method m)
{
	if ((unsigned)m >= SB_PM_MAX)
		return NULL;
	return method_names[m];
}

void sb_policy_request_init(struct sb_policy_request *req, enum sb_policy_method method)
{
	*req = (struct sb_policy_request){
		.method = method,
		.family = -1,
		.type = -1,
		.protocol = -1,
		.port = -1,
		.group = -1,
		.psm = -1,
		.channel = -1,
		.address = NULL,
		.address_len = 0,
		.level = -1,
		.option = -1,
		.has_value = false,
		.value = 0,
		.netns = NULL,
	};
}

int sb_policy_error(char *errbuf, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	if (errbuf && errsize > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errsize, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

struct sb_policy *sb_policy_new(void)
{
	return calloc(1, sizeof(struct sb_policy));
}

int sb_policy_strv_add(char ***v, size_t *n, const char *s)
{
	char **grown;
	char *copy;

	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	grown = reallocarray(*v, *n + 1, sizeof(*grown));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[(*n)++] = copy;
	*v = grown;
	return 0;
}

void sb_policy_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int sb_policy_add_file(struct sb_policy *p, const char *filename)
{
	return sb_policy_strv_add(&p->files, &p->n_files, filename);
}

struct sb_rule *sb_policy_add_rule(struct sb_policy *p)
{
	if (p->n_rules == p->alloc_rules) {
		size_t n = p->alloc_rules ? p->alloc_rules * 2 : 16;
		struct sb_rule *rules = reallocarray(p->rules, n, sizeof(*rules));

		if (!rules)
			return NULL;
		p->rules = rules;
		p->alloc_rules = n;
	}
	p->rules[p->n_rules] = (struct sb_rule){0};
	return &p->rules[p->n_rules++];
}

void sb_rule_done(struct sb_rule *r)
{
	free(r->name);
	free(r->unit);
	free(r->family.v);
	free(r->type.v);
	free(r->port.v);
	free(r->value.v);
	free(r->groups.v);
	free(r->psm.v);
	free(r->channel.v);
	sb_policy_strv_free(r->value_names, r->n_value_names);
	sb_policy_strv_free(r->interfaces, r->n_interfaces);
	free(r->protocols);
	free(r->addresses);
	free(r->options);
	sb_policy_strv_free(r->netns, r->n_netns);
	*r = (struct sb_rule){0};
}

void sb_policy_free(struct sb_policy *p)
{
	if (!p)
		return;
	sb_policy_index_done(p);
	for (size_t i = 0; i < p->n_rules; i++)
		sb_rule_done(&p->rules[i]);
	free(p->rules);
	sb_policy_strv_free(p->files, p->n_files);
	sb_policy_strv_free(p->units, p->n_units);
	free(p->members);
	sb_subids_free(p->subids);
	free(p);
}

void sb_policy_set_subids(struct sb_policy *p, struct sb_subids *t)
{
	sb_subids_free(p->subids);
	p->subids = t;
}

const struct sb_subids *sb_policy_subids(const struct sb_policy *p)
{
	return p ? p->subids : NULL;
}

bool sb_policy_names_units(const struct sb_policy *p)
{
	return p && p->n_units > 0;
}

size_t sb_policy_rule_count(const struct sb_policy *p)
{
	return p ? p->n_rules : 0;
}

size_t sb_policy_files(const struct sb_policy *p, const char *const **ret)
{
	if (!p) {
		*ret = NULL;
		return 0;
	}
	*ret = (const char *const *)p->files;
	return p->n_files;
}

bool sb_policy_names_family(const struct sb_policy *p, enum sb_policy_method m, int family)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sb_rule *r = &p->rules[i];

		if (!r->allow || !(r->methods & (1u << m)) || !(r->keys & (1u << SB_PK_FAMILY)))
			continue;
		for (size_t j = 0; j < r->family.n; j++)
			if (r->family.v[j].lo <= family && family <= r->family.v[j].hi)
				return true;
	}
	return false;
}

int sb_policy_parse_string(const char *text, const char *filename, struct sb_policy **ret,
			   char *errbuf, size_t errsize)
{
	struct sb_policy *p;
	int r;

	if (!text || !filename || !ret)
		return sb_policy_error(errbuf, errsize, "invalid arguments");
	p = sb_policy_new();
	if (!p)
		return -ENOMEM;
	r = sb_policy_add_file(p, filename);
	if (r >= 0)
		r = sb_policy_parse_buffer(p, text, strlen(text), filename, errbuf, errsize);
	if (r >= 0)
		r = sb_policy_build_index(p);
	if (r >= 0)
		r = sb_policy_resolve_members(p, errbuf, errsize);
	if (r < 0) {
		if (r == -ENOMEM)
			sb_policy_error(errbuf, errsize, "%s: out of memory", filename);
		sb_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}
