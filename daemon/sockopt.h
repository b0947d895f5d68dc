/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket options the daemon sets for clients: the privileged ones that
 * are the point of brokering, and a few harmless ones needed before bind
 * in a one-round-trip Socket call. Everything else the client sets itself. */
#pragma once

#include <json-c/json.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/client-fd.h"
#include "daemon/policy.h"
#include "proto/error.h"
#include "proto/option-msg.h"
#include "proto/sockopt.h"

/* What the policy needs that the request does not say: the name of the
 * interface an index stands for, in the calling thread's network
 * namespace (the socket's). 0, or -ENODEV with err filled. */
int sb_sockopt_resolve(struct sb_sockopt *opt, struct sb_error *err);
int sb_sockopt_apply(int fd, const struct sb_sockopt *opt, struct sb_error *err);
/* "SO_MARK=256" for logs. */
void sb_sockopt_summary(const struct sb_sockopt *opt, char *buf, size_t size);
/* Fill the setsockopt fields of a policy request. */
void sb_sockopt_policy(const struct sb_sockopt *opt, struct sb_policy_request *req);
