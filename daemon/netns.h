/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Creating sockets inside a named network namespace (/run/netns/NAME, as
 * ip-netns(8) makes them). The daemon is single-threaded, so switching the
 * thread's namespace around one socket() call affects nothing else. */
#pragma once

#include <stdbool.h>

#include "proto/error.h"
#include "proto/netns-name.h"

/* Open the daemon's own namespace once, to return to it. */
int sb_netns_init(void);
/* Enter /run/netns/NAME. 0 or -errno with *err filled. */
int sb_netns_enter(const char *name, struct sb_error *err);
/* Return to the daemon's namespace. Failing here would leave the daemon
 * serving from the wrong namespace, so it aborts instead. */
void sb_netns_leave(void);
