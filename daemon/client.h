/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who a connection's peer is, as the policy and the limits see it. */
#pragma once

#include <sys/types.h>

#include "daemon/policy.h"
#include "daemon/state.h"

/* The policy subject for a connection's peer. Reads its unit first when
 * the policy names units and it was not read yet. */
void sb_client_subject(struct sb_client *c, struct sb_policy_subject *who);
/* The uid whose shares of the daemon (connections, workers, descriptors
 * in flight) the peer's use counts against. */
uid_t sb_client_owner(const struct sb_client *c);
