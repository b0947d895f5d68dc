/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requests written the way rules are, for dry runs (sockbrokerctl check
 * and the admin Check method). */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/policy-internal.h"
#include "proto/consts.h"
#include "proto/optval.h"

static int parse_one_const(enum sb_const_group group, const char *key, const char *value,
			   int64_t min, int64_t max, int *ret, char *errbuf, size_t errsize)
{
	int64_t v;
	int r;

	if ((value[0] >= '0' && value[0] <= '9') || value[0] == '-') {
		r = sb_policy_parse_int(key, value, min, max, &v, errbuf, errsize);
		if (r < 0)
			return r;
	} else {
		if (sb_const_value(group, value, &v) < 0)
			return sb_policy_error(errbuf, errsize, "%s: unknown %s '%s'", key,
					       sb_const_group_name(group), value);
		if (v < min || v > max)
			return sb_policy_error(errbuf, errsize, "%s: %s is out of range", key,
					       value);
	}
	*ret = (int)v;
	return 0;
}

static int parse_one_int(const char *key, const char *value, int64_t min, int64_t max, int *ret,
			 char *errbuf, size_t errsize)
{
	int64_t v;
	int r = sb_policy_parse_int(key, value, min, max, &v, errbuf, errsize);

	if (r < 0)
		return r;
	*ret = (int)v;
	return 0;
}

static int set_address(struct sb_policy_request *req, struct sockaddr_storage *storage,
		       const char *value, char *errbuf, size_t errsize)
{
	struct sb_prefix addr;
	int r;

	if (!storage)
		return sb_policy_error(errbuf, errsize, "address: no storage for the address");
	r = sb_policy_parse_address(value, &addr, false, errbuf, errsize);
	if (r < 0)
		return r;
	memset(storage, 0, sizeof(*storage));
	if (addr.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)storage;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr.addr, 4);
		req->address_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)storage;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr.addr, 16);
		req->address_len = sizeof(*sin6);
	}
	req->address = (const struct sockaddr *)storage;
	return 0;
}

int sb_policy_request_set_key(struct sb_policy_request *req, struct sockaddr_storage *storage,
			      const char *key, const char *value, char *errbuf, size_t errsize)
{
	enum sb_policy_key k;
	struct sb_policy_option opt;
	int64_t v;
	int r;

	if (!req || !key || !value)
		return sb_policy_error(errbuf, errsize, "invalid arguments");
	if (sb_policy_key_from_string(key, &k) < 0)
		return sb_policy_error(errbuf, errsize, "unknown key '%s'", key);
	if (!*value)
		return sb_policy_error(errbuf, errsize, "%s: empty value", key);
	if (strchr(value, ','))
		return sb_policy_error(errbuf, errsize, "%s: one value only, not a list", key);

	switch (k) {
	case SB_PK_FAMILY:
		return parse_one_const(SB_C_AF, key, value, 0, 65535, &req->family, errbuf,
				       errsize);
	case SB_PK_TYPE:
		return parse_one_const(SB_C_SOCK, key, value, 1, 15, &req->type, errbuf, errsize);
	case SB_PK_PROTOCOL:
		if ((value[0] >= '0' && value[0] <= '9') || value[0] == '-') {
			r = sb_policy_parse_int(key, value, 0, 65535, &v, errbuf, errsize);
			if (r < 0)
				return r;
			req->protocol = (int)v;
			return 0;
		}
		/* Names mean different numbers in different families. */
		if (req->family < 0)
			return sb_policy_error(errbuf, errsize,
					       "protocol: a protocol name needs family= first");
		if (sb_protocol_parse(req->family, value, &req->protocol) < 0) {
			const char *family = sb_const_name(SB_C_AF, req->family);

			if (family)
				return sb_policy_error(errbuf, errsize,
						       "protocol: unknown protocol '%s' for %s",
						       value, family);
			return sb_policy_error(errbuf, errsize,
					       "protocol: unknown protocol '%s' for family %d",
					       value, req->family);
		}
		return 0;
	case SB_PK_PORT:
		return parse_one_int(key, value, 0, 65535, &req->port, errbuf, errsize);
	case SB_PK_ADDRESS:
		return set_address(req, storage, value, errbuf, errsize);
	case SB_PK_OPTION:
		r = sb_policy_parse_option(value, &opt, errbuf, errsize);
		if (r < 0)
			return r;
		req->level = opt.level;
		req->option = opt.option;
		return 0;
	case SB_PK_VALUE:
		/* A name, as TCP_CONGESTION takes one; else a number. */
		if ((value[0] >= 'a' && value[0] <= 'z') || (value[0] >= 'A' && value[0] <= 'Z')) {
			if (!sb_optval_name_valid(value))
				return sb_policy_error(errbuf, errsize,
						       "value: '%s' is neither a number nor a name",
						       value);
			req->text = value;
			req->has_value = false;
			return 0;
		}
		r = sb_policy_parse_int(key, value, INT64_MIN, INT64_MAX, &v, errbuf, errsize);
		if (r < 0)
			return r;
		req->value = v;
		req->has_value = true;
		req->text = NULL;
		return 0;
	case SB_PK_INTERFACE:
		if (!sb_optval_ifname_valid(value))
			return sb_policy_error(errbuf, errsize,
					       "interface: '%s' is not an interface name", value);
		req->interface = value;
		return 0;
	case SB_PK_GROUPS:
		return parse_one_int(key, value, 1, 32, &req->group, errbuf, errsize);
	case SB_PK_PSM:
		return parse_one_int(key, value, 0, 65535, &req->psm, errbuf, errsize);
	case SB_PK_CHANNEL:
		return parse_one_int(key, value, 0, 65535, &req->channel, errbuf, errsize);
	case SB_PK_NETNS:
		/* Allowed in rules, but a request is in one namespace. */
		if (!sb_policy_netns_name_valid(value) || strcmp(value, "*") == 0)
			return sb_policy_error(errbuf, errsize,
					       "netns: '%s' is not a namespace name", value);
		req->netns = value;
		return 0;
	case SB_PK_MAX:
		break;
	}
	return sb_policy_error(errbuf, errsize, "unknown key '%s'", key);
}
