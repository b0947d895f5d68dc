/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policies of the bench daemons. */
#include <stdio.h>

#include "tests/bench/bench.h"

const char bench_policy[] =
	"# make bench: what the bench clients (uid " BENCH_UID ") ask for\n"
	"allow user:" BENCH_UID " socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n"
	"allow user:" BENCH_UID " socket family=AF_INET type=SOCK_DGRAM\n"
	"allow user:" BENCH_UID " bind family=AF_INET port=80\n";

/* bench_policy followed by BENCH_EXTRA_RULES rules that rule() writes;
 * NULL when out of memory. */
static char *policy_with_rules(void (*rule)(FILE *f, unsigned i))
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	fputs(bench_policy, f);
	for (unsigned i = 0; i < BENCH_EXTRA_RULES; i++)
		rule(f, i);
	return fclose(f) == 0 ? text : (free(text), NULL);
}

static void other_users_rule(FILE *f, unsigned i)
{
	fprintf(f, "allow %s:%u socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n",
		i % 2 ? "group" : "user", 20000 + i);
}

/* A real site's policy: rules for many other users and groups. */
char *bench_policy_other_rules(void)
{
	return policy_with_rules(other_users_rule);
}

static void own_rule(FILE *f, unsigned i)
{
	fprintf(f, "deny user:%s socket family=AF_INET type=SOCK_RAW protocol=%u\n", BENCH_UID,
		2 + i % 250);
}

/* The last matching rule wins, so rules for the caller written after the
 * one that allows the request are each looked at and rejected. */
char *bench_policy_own_rules(void)
{
	return policy_with_rules(own_rule);
}
