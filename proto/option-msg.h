/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SocketOption, the option a Socket call sets and the one a SetSockOpt
 * call sets: {level, name, value | text} read into a struct. Which
 * options the broker sets at all is the protocol's (proto/sockopt.c), so
 * an option it does not set is refused here, as the reading of one. */
#pragma once

#include <json-c/json.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto/error.h"
#include "proto/sockopt.h"

struct sb_sockopt {
	/* NULL for an option the broker does not set: then only a writer
	 * (sb_sockopt_json()) takes it, by level and name, and the broker
	 * refuses it in its own words. */
	const struct sb_sockopt_def *def;
	int level, name;
	int64_t value;
	const char *text; /* points into the request */
	/* SB_OPTVAL_IFINDEX: the name of interface value, once the daemon
	 * found it (daemon/sockopt.h); "" for 0. */
	char ifname[IFNAMSIZ];
};

/* Read {level, name, value | text} from obj. param names the object in
 * errors ("options[2]" or "" for SetSockOpt's top level, whose other
 * members the caller checks). Options not in the table are NotSupported.
 * With privileged_only, harmless options are refused too (SetSockOpt
 * brokers only what needs privilege). */
int sb_sockopt_parse(json_object *obj, const char *param, bool privileged_only,
		     struct sb_sockopt *opt, struct sb_error *err);
/* The SocketOption object for opt: level and name by name (by number
 * without a def), value or text. NULL when out of memory. */
json_object *sb_sockopt_json(const struct sb_sockopt *opt);
