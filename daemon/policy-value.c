/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The values of a rule's keys: constants, numbers, ranges, prefixes,
 * socket options and namespace names, each parsed strictly and
 * range-checked. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/can/raw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/policy-internal.h"
#include "proto/consts.h"
#include "proto/number.h"
#include "proto/optval.h"

/* clang-format off */
static const char *const key_names[SB_PK_MAX] = {
	[SB_PK_FAMILY] = "family",
	[SB_PK_TYPE] = "type",
	[SB_PK_PROTOCOL] = "protocol",
	[SB_PK_PORT] = "port",
	[SB_PK_ADDRESS] = "address",
	[SB_PK_OPTION] = "option",
	[SB_PK_VALUE] = "value",
	[SB_PK_NETNS] = "netns",
	[SB_PK_GROUPS] = "groups",
	[SB_PK_PSM] = "psm",
	[SB_PK_CHANNEL] = "channel",
	[SB_PK_INTERFACE] = "interface",
};
/* clang-format on */

/* Families whose protocols have names, searched when a rule names a
 * protocol without naming its family. */
static const int named_protocol_families[] = {
	AF_INET, AF_INET6, AF_PACKET, AF_CAN, AF_NETLINK, AF_BLUETOOTH,
};

/* Levels whose option names a rule may use without a level. */
static const int named_option_levels[] = {
	SOL_SOCKET, SOL_IP, SOL_IPV6, SOL_TCP, SOL_PACKET, SOL_ALG, SOL_CAN_RAW, SOL_NETLINK,
};

#define TYPE_MAX 15 /* SOCK_TYPE_MASK: the flag bits are not part of a type */
#define PORT_MAX 65535
/* Netlink multicast groups a bind names (nl_groups has 32 bits). */
#define GROUP_MAX 32
/* L2CAP PSMs and HCI channels are 16 bits, RFCOMM channels 8. */
#define PSM_MAX 65535
#define CHANNEL_MAX 65535
#define NETNS_NAME_MAX 255

const char *sb_policy_key_to_string(enum sb_policy_key key)
{
	if ((unsigned)key >= SB_PK_MAX)
		return NULL;
	return key_names[key];
}

int sb_policy_key_from_string(const char *s, enum sb_policy_key *ret)
{
	for (size_t i = 0; i < SB_PK_MAX; i++)
		if (strcmp(s, key_names[i]) == 0) {
			*ret = (enum sb_policy_key)i;
			return 0;
		}
	return -EINVAL;
}

int sb_policy_parse_int(const char *key, const char *text, int64_t min, int64_t max, int64_t *ret,
			char *errbuf, size_t errsize)
{
	int64_t v;
	int r;

	/* Decimal with an optional '-', or 0x hex; nothing else (no '+',
	 * no blanks). "010" is ten: leading zeros never mean octal. */
	r = sb_number_parse_int64(text, SB_NUMBER_LEADING_ZEROS, &v);
	if (r == -EINVAL)
		return sb_policy_error(errbuf, errsize, "%s: '%s' is not a number", key, text);
	if (r < 0 || v < min || v > max)
		return sb_policy_error(errbuf, errsize,
				       "%s: %s is out of range (%" PRId64 "-%" PRId64 ")", key,
				       text, min, max);
	*ret = v;
	return 0;
}

/* A constant by name or number, checked against [min, max]. */
static int parse_const(enum sb_const_group group, const char *key, const char *text, int64_t min,
		       int64_t max, int64_t *ret, char *errbuf, size_t errsize)
{
	int64_t v;
	int r;

	if ((text[0] >= '0' && text[0] <= '9') || text[0] == '-')
		return sb_policy_parse_int(key, text, min, max, ret, errbuf, errsize);
	r = sb_const_value(group, text, &v);
	if (r < 0)
		return sb_policy_error(errbuf, errsize, "%s: unknown %s '%s'", key,
				       sb_const_group_name(group), text);
	if (v < min || v > max)
		return sb_policy_error(errbuf, errsize,
				       "%s: %s is out of range (%" PRId64 "-%" PRId64 ")", key,
				       text, min, max);
	*ret = v;
	return 0;
}

/* "N" or "LO-HI"; a leading '-' is a sign, not a separator. */
static int parse_range(const char *key, char *text, int64_t min, int64_t max, struct sb_range *ret,
		       char *errbuf, size_t errsize)
{
	char *dash = strchr(text + (text[0] == '-'), '-');
	int r;

	if (!dash) {
		r = sb_policy_parse_int(key, text, min, max, &ret->lo, errbuf, errsize);
		ret->hi = ret->lo;
		return r;
	}
	*dash = 0;
	if (!*text || !dash[1]) {
		*dash = '-';
		return sb_policy_error(errbuf, errsize, "%s: range '%s' lacks an end", key, text);
	}
	r = sb_policy_parse_int(key, text, min, max, &ret->lo, errbuf, errsize);
	if (r >= 0)
		r = sb_policy_parse_int(key, dash + 1, min, max, &ret->hi, errbuf, errsize);
	*dash = '-';
	if (r < 0)
		return r;
	if (ret->hi < ret->lo)
		return sb_policy_error(errbuf, errsize, "%s: range '%s' ends before it starts", key,
				       text);
	return 0;
}

static int range_add(struct sb_range_set *set, struct sb_range range)
{
	struct sb_range *v = reallocarray(set->v, set->n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[set->n++] = range;
	set->v = v;
	return 0;
}

static int proto_add(struct sb_rule *r, int family, int protocol)
{
	struct sb_proto_entry *v;

	for (size_t i = 0; i < r->n_protocols; i++)
		if (r->protocols[i].family == family && r->protocols[i].protocol == protocol)
			return 0;
	v = reallocarray(r->protocols, r->n_protocols + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[r->n_protocols++] = (struct sb_proto_entry){.family = family, .protocol = protocol};
	r->protocols = v;
	return 0;
}

/* A name is looked up for every family the rule allows (all families
 * with named protocols when it names none): IPPROTO_ICMP means 1 for
 * AF_INET and AF_INET6, ETH_P_ALL means htons(3) for AF_PACKET. */
static int parse_protocol(struct sb_rule *r, const char *text, char *errbuf, size_t errsize)
{
	size_t n_families = 0, found = 0;
	int families[64];
	int64_t number;
	int rc;

	if ((text[0] >= '0' && text[0] <= '9') || text[0] == '-') {
		rc = sb_policy_parse_int("protocol", text, 0, 65535, &number, errbuf, errsize);
		return rc < 0 ? rc : proto_add(r, -1, (int)number);
	}
	if (r->keys & (1u << SB_PK_FAMILY)) {
		for (size_t i = 0; i < r->family.n && n_families < ELEMENTSOF(families); i++)
			families[n_families++] = (int)r->family.v[i].lo;
	} else {
		for (size_t i = 0; i < ELEMENTSOF(named_protocol_families); i++)
			families[n_families++] = named_protocol_families[i];
	}
	for (size_t i = 0; i < n_families; i++) {
		int protocol;

		if (sb_protocol_group(families[i]) == SB_C_MAX_GROUP)
			continue;
		if (sb_protocol_parse(families[i], text, &protocol) < 0)
			continue;
		rc = proto_add(r, families[i], protocol);
		if (rc < 0)
			return rc;
		found++;
	}
	if (found == 0) {
		if (r->keys & (1u << SB_PK_FAMILY))
			return sb_policy_error(
				errbuf, errsize,
				"protocol: unknown protocol '%s' for the rule's families", text);
		return sb_policy_error(errbuf, errsize, "protocol: unknown protocol '%s'", text);
	}
	return 0;
}

int sb_policy_parse_address(const char *text, struct sb_prefix *ret, bool allow_prefix,
			    char *errbuf, size_t errsize)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t host_len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned max_len;
	int64_t len;

	if (slash && !allow_prefix)
		return sb_policy_error(errbuf, errsize, "address: '%s' is a prefix, not an address",
				       text);
	if (host_len == 0 || host_len >= sizeof(host))
		return sb_policy_error(errbuf, errsize,
				       "address: '%s' is not an IPv4 or IPv6 address", text);
	memcpy(host, text, host_len);
	host[host_len] = 0;
	*ret = (struct sb_prefix){0};
	if (inet_pton(AF_INET, host, ret->addr) == 1) {
		ret->family = AF_INET;
		max_len = 32;
	} else if (inet_pton(AF_INET6, host, ret->addr) == 1) {
		ret->family = AF_INET6;
		max_len = 128;
	} else {
		return sb_policy_error(errbuf, errsize,
				       "address: '%s' is not an IPv4 or IPv6 address", text);
	}
	ret->len = max_len;
	if (!slash)
		return 0;
	/* Prefix lengths are plain decimal. */
	if (!slash[1] || strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    strlen(slash + 1) > 3)
		return sb_policy_error(errbuf, errsize, "address: '%s' has a bad prefix length",
				       text);
	len = strtol(slash + 1, NULL, 10);
	if (len > max_len)
		return sb_policy_error(errbuf, errsize,
				       "address: prefix length %" PRId64
				       " is too long for %s (at most %u)",
				       len, ret->family == AF_INET ? "IPv4" : "IPv6", max_len);
	ret->len = (unsigned)len;
	/* Bits after the prefix are almost always a typo for another
	 * network; refuse them rather than guess. */
	for (unsigned bit = ret->len; bit < max_len; bit++)
		if (ret->addr[bit / 8] & (0x80 >> (bit % 8)))
			return sb_policy_error(errbuf, errsize,
					       "address: '%s' has bits set after the /%u prefix",
					       text, ret->len);
	return 0;
}

static int parse_address(struct sb_rule *r, const char *text, char *errbuf, size_t errsize)
{
	struct sb_prefix prefix, *v;
	int rc;

	rc = sb_policy_parse_address(text, &prefix, true, errbuf, errsize);
	if (rc < 0)
		return rc;
	v = reallocarray(r->addresses, r->n_addresses + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[r->n_addresses++] = prefix;
	r->addresses = v;
	return 0;
}

/* "SO_MARK" (searched in the option groups of the known levels) or
 * "LEVEL:OPTION" with each part a name or a number. */
int sb_policy_parse_option(const char *text, struct sb_policy_option *ret, char *errbuf,
			   size_t errsize)
{
	const char *colon = strchr(text, ':');
	size_t found = 0;

	if (colon) {
		char level_text[64];
		size_t level_len = (size_t)(colon - text);
		enum sb_const_group group;
		int64_t level, option;
		int rc;

		if (level_len == 0 || level_len >= sizeof(level_text) || !colon[1])
			return sb_policy_error(errbuf, errsize, "option: '%s' is not LEVEL:OPTION",
					       text);
		memcpy(level_text, text, level_len);
		level_text[level_len] = 0;
		rc = parse_const(SB_C_SOL, "option", level_text, 0, INT_MAX, &level, errbuf,
				 errsize);
		if (rc < 0)
			return rc;
		group = sb_sockopt_group((int)level);
		if (group == SB_C_MAX_GROUP)
			rc = sb_policy_parse_int("option", colon + 1, 0, INT_MAX, &option, errbuf,
						 errsize);
		else
			rc = parse_const(group, "option", colon + 1, 0, INT_MAX, &option, errbuf,
					 errsize);
		if (rc < 0)
			return rc;
		*ret = (struct sb_policy_option){.level = (int)level, .option = (int)option};
		return 0;
	}
	if ((text[0] >= '0' && text[0] <= '9') || text[0] == '-')
		return sb_policy_error(errbuf, errsize,
				       "option: a number needs its level, as LEVEL:NUMBER");
	for (size_t i = 0; i < ELEMENTSOF(named_option_levels); i++) {
		enum sb_const_group group = sb_sockopt_group(named_option_levels[i]);
		int64_t v;

		if (group == SB_C_MAX_GROUP || sb_const_value(group, text, &v) < 0)
			continue;
		if (v < 0 || v > INT_MAX)
			continue;
		if (found++ == 0)
			*ret = (struct sb_policy_option){.level = named_option_levels[i],
							 .option = (int)v};
	}
	if (found == 0)
		return sb_policy_error(errbuf, errsize, "option: unknown socket option '%s'", text);
	if (found > 1)
		return sb_policy_error(errbuf, errsize,
				       "option: '%s' exists at several levels, write LEVEL:%s",
				       text, text);
	return 0;
}

static int parse_sockopt(struct sb_rule *r, const char *text, char *errbuf, size_t errsize)
{
	struct sb_policy_option opt, *v;
	int rc;

	rc = sb_policy_parse_option(text, &opt, errbuf, errsize);
	if (rc < 0)
		return rc;
	v = reallocarray(r->options, r->n_options + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[r->n_options++] = opt;
	r->options = v;
	return 0;
}

/* A file name under /run/netns: no '/', not "." or "..". */
bool sb_policy_netns_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NETNS_NAME_MAX)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return !strchr(name, '/');
}

static int parse_netns(struct sb_rule *r, const char *text, char *errbuf, size_t errsize)
{
	if (strcmp(text, "*") == 0) {
		if (r->n_netns > 0 || r->netns_any)
			return sb_policy_error(errbuf, errsize,
					       "netns: '*' cannot be combined with other values");
		r->netns_any = true;
		return 0;
	}
	if (r->netns_any)
		return sb_policy_error(errbuf, errsize,
				       "netns: '*' cannot be combined with other values");
	if (!sb_policy_netns_name_valid(text))
		return sb_policy_error(errbuf, errsize, "netns: '%s' is not a namespace name",
				       text);
	return sb_policy_strv_add(&r->netns, &r->n_netns, text);
}

/* Names start with a letter; numbers with a digit or '-'. */
#define IS_NAME(text) \
	(((text)[0] >= 'a' && (text)[0] <= 'z') || ((text)[0] >= 'A' && (text)[0] <= 'Z'))

static int parse_element(struct sb_rule *r, enum sb_policy_key key, char *text, char *errbuf,
			 size_t errsize)
{
	struct sb_range range;
	int64_t v;
	int rc;

	switch (key) {
	case SB_PK_FAMILY:
		rc = parse_const(SB_C_AF, "family", text, 0, 65535, &v, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->family, (struct sb_range){v, v});
	case SB_PK_TYPE:
		rc = parse_const(SB_C_SOCK, "type", text, 1, TYPE_MAX, &v, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->type, (struct sb_range){v, v});
	case SB_PK_PROTOCOL:
		return parse_protocol(r, text, errbuf, errsize);
	case SB_PK_PORT:
		rc = parse_range("port", text, 0, PORT_MAX, &range, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->port, range);
	case SB_PK_ADDRESS:
		return parse_address(r, text, errbuf, errsize);
	case SB_PK_OPTION:
		return parse_sockopt(r, text, errbuf, errsize);
	case SB_PK_VALUE:
		/* A name is the value of an option set from text. */
		if (IS_NAME(text)) {
			if (!sb_optval_name_valid(text))
				return sb_policy_error(
					errbuf, errsize,
					"value: '%s' is neither a number nor a name "
					"(a letter, then at most %d letters, digits, '_' or '-')",
					text, SB_OPTVAL_NAME_MAX - 1);
			return sb_policy_strv_add(&r->value_names, &r->n_value_names, text);
		}
		rc = parse_range("value", text, INT64_MIN, INT64_MAX, &range, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->value, range);
	case SB_PK_NETNS:
		return parse_netns(r, text, errbuf, errsize);
	case SB_PK_GROUPS:
		rc = parse_range("groups", text, 1, GROUP_MAX, &range, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->groups, range);
	case SB_PK_PSM:
		rc = parse_range("psm", text, 0, PSM_MAX, &range, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->psm, range);
	case SB_PK_CHANNEL:
		rc = parse_range("channel", text, 0, CHANNEL_MAX, &range, errbuf, errsize);
		return rc < 0 ? rc : range_add(&r->channel, range);
	case SB_PK_INTERFACE:
		if (!sb_optval_ifname_valid(text))
			return sb_policy_error(errbuf, errsize,
					       "interface: '%s' is not an interface name", text);
		return sb_policy_strv_add(&r->interfaces, &r->n_interfaces, text);
	case SB_PK_MAX:
		break;
	}
	return sb_policy_error(errbuf, errsize, "unknown key");
}

int sb_policy_parse_key(struct sb_rule *r, enum sb_policy_key key, const char *value, char *errbuf,
			size_t errsize)
{
	_cleanup_free_ char *copy = NULL;
	char *next;
	int rc;

	if (!*value)
		return sb_policy_error(errbuf, errsize, "%s: empty value", key_names[key]);
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	next = copy;
	while (next) {
		char *element = strsep(&next, ",");

		if (!*element)
			return sb_policy_error(errbuf, errsize, "%s: empty element in '%s'",
					       key_names[key], value);
		rc = parse_element(r, key, element, errbuf, errsize);
		if (rc < 0)
			return rc;
	}
	r->keys |= 1u << key;
	return 0;
}
