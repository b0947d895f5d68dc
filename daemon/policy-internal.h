/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy's insides, shared by policy*.c and its test suite only. */
#pragma once

#include <stdarg.h>

#include "daemon/policy.h"
#include "proto/util.h"

#define SB_POLICY_MAX_RULES 65536
#define SB_POLICY_MAX_FILE_SIZE (1024 * 1024)
#define SB_POLICY_MAX_LINE 4096

/* The keys a rule may name; bit positions in sb_rule.keys. */
enum sb_policy_key {
	SB_PK_FAMILY,
	SB_PK_TYPE,
	SB_PK_PROTOCOL,
	SB_PK_PORT,
	SB_PK_ADDRESS,
	SB_PK_OPTION,
	SB_PK_VALUE,
	SB_PK_NETNS,
	SB_PK_GROUPS,
	SB_PK_PSM,
	SB_PK_CHANNEL,
	SB_PK_INTERFACE,
	SB_PK_MAX,
};

/* Inclusive; a single value has lo == hi. */
struct sb_range {
	int64_t lo;
	int64_t hi;
};

struct sb_range_set {
	struct sb_range *v;
	size_t n;
};

/* A protocol as socket() takes it, for one family (-1: any family; a
 * number written in the rule applies whatever the family). */
struct sb_proto_entry {
	int family;
	int protocol;
};

/* An IPv4 or IPv6 prefix; addr holds the network bytes. */
struct sb_prefix {
	int family;
	uint8_t addr[16];
	unsigned len;
};

/* An option= value: level and option number. */
struct sb_policy_option {
	int level;
	int option;
};

enum sb_who {
	SB_WHO_ANY,
	SB_WHO_UID,
	SB_WHO_GID,
	SB_WHO_UNIT,
};

struct sb_rule {
	char *name; /* "file:line" */
	bool allow;
	enum sb_who who;
	uint32_t id;	  /* uid or gid; for a unit, its index in sb_policy.units */
	char *unit;	  /* SB_WHO_UNIT: the unit's name */
	unsigned methods; /* bit per enum sb_policy_method */
	unsigned keys;	  /* bit per enum sb_policy_key */
	struct sb_range_set family, type, port, value, groups, psm, channel;
	/* value= names, for options set from text (TCP_CONGESTION) */
	char **value_names;
	size_t n_value_names;
	char **interfaces;
	size_t n_interfaces;
	struct sb_proto_entry *protocols;
	size_t n_protocols;
	struct sb_prefix *addresses;
	size_t n_addresses;
	struct sb_policy_option *options;
	size_t n_options;
	char **netns;
	size_t n_netns;
	bool netns_any;
};

/* (uid or gid, rule index), sorted by id then rule, so the rules of one
 * id are a contiguous run in policy order. */
struct sb_id_rule {
	uint32_t id;
	uint32_t rule;
};

struct sb_method_index {
	uint32_t *any; /* rules for every subject, ascending */
	size_t n_any;
	struct sb_id_rule *by_uid;
	size_t n_by_uid;
	struct sb_id_rule *by_gid;
	size_t n_by_gid;
	struct sb_id_rule *by_unit; /* id: the index of the unit's name */
	size_t n_by_unit;
};

/* The databases say that uid is in group gid. */
struct sb_member {
	uint32_t uid;
	uint32_t gid;
};

/* Rules are stored in policy order: the index of a rule is its order
 * number, so "later" simply means "higher index". */
struct sb_policy {
	struct sb_rule *rules;
	size_t n_rules;
	size_t alloc_rules;
	char **files;
	size_t n_files;
	struct sb_method_index index[SB_PM_MAX];
	/* For the groups rules name, sorted by uid then gid. */
	struct sb_member *members;
	size_t n_members;
	struct sb_subids *subids; /* NULL: no subordinate ids */
	/* The unit names rules name, sorted and unique (strcmp). */
	char **units;
	size_t n_units;
};

/* policy.c */
struct sb_policy *sb_policy_new(void);
int sb_policy_add_file(struct sb_policy *p, const char *filename);
/* Append an empty rule; NULL when out of memory. */
struct sb_rule *sb_policy_add_rule(struct sb_policy *p);
void sb_rule_done(struct sb_rule *r);
/* Append a copy of s to the array v of n strings: 0 or -ENOMEM (v and n
 * unchanged). */
int sb_policy_strv_add(char ***v, size_t *n, const char *s);
void sb_policy_strv_free(char **v, size_t n);
/* Fill errbuf like snprintf; always returns -EINVAL for convenience. */
int sb_policy_error(char *errbuf, size_t errsize, const char *fmt, ...) _printf_(3, 4);

/* policy-parse.c: append the rules of one file's text (len bytes, which
 * may hold NUL bytes; they are refused) to p. */
int sb_policy_parse_buffer(struct sb_policy *p, const char *text, size_t len, const char *filename,
			   char *errbuf, size_t errsize);

/* policy-value.c: one KEY's value list, as the rule file writes it, into
 * r. Protocol names are looked up for the families in r->family, so
 * family= is parsed first. Error messages start with the key name. */
int sb_policy_parse_key(struct sb_rule *r, enum sb_policy_key key, const char *value, char *errbuf,
			size_t errsize);
const char *sb_policy_key_to_string(enum sb_policy_key key);
int sb_policy_key_from_string(const char *s, enum sb_policy_key *ret);
/* Single values, shared with sb_policy_request_set_key(). */
int sb_policy_parse_option(const char *text, struct sb_policy_option *ret, char *errbuf,
			   size_t errsize);
int sb_policy_parse_address(const char *text, struct sb_prefix *ret, bool allow_prefix,
			    char *errbuf, size_t errsize);
int sb_policy_parse_int(const char *key, const char *text, int64_t min, int64_t max, int64_t *ret,
			char *errbuf, size_t errsize);
bool sb_policy_netns_name_valid(const char *name);

/* policy-members.c: fill p->members from the user and group databases.
 * 0, or -errno with errbuf filled. */
int sb_policy_resolve_members(struct sb_policy *p, char *errbuf, size_t errsize);

/* policy-match.c */
int sb_policy_build_index(struct sb_policy *p);
void sb_policy_index_done(struct sb_policy *p);
/* sb_policy_check(), also returning how many rules it examined (tests
 * prove with it that the cost does not depend on unrelated rules). */
size_t sb_policy_check_counted(const struct sb_policy *p, const struct sb_policy_subject *who,
			       const struct sb_policy_request *req, struct sb_decision *ret);
