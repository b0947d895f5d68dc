/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of network namespaces a call may name: a file under
 * /run/netns, as "ip netns add" makes them. One rule for both ends, so the
 * client refuses exactly the names the daemon would. */
#pragma once

#include <stdbool.h>

/* 1 to SB_NETNS_NAME_MAX bytes of [A-Za-z0-9_.-], not starting with a
 * dot: a plain file name that is neither hidden nor "." or "..", and
 * that needs no quoting in a policy rule or a socket spec. */
bool sb_netns_name_valid(const char *name);
