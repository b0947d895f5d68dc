/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The address families the daemon reports (Info), learnt without
 * loading kernel modules for families the policy does not name. */
#pragma once

#include "daemon/policy.h"

/* Into ret (room for max, ascending): the families of the protocols the
 * kernel has registered (/proc/self/net/protocols), AF_UNIX and
 * AF_NETLINK, and each family an allow rule for socket names that
 * socket() finds, which loads its module if need be. The count. */
unsigned sb_families_learn(const struct sb_policy *p, int *ret, unsigned max);
