/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket option values that travel as text ("text" in a SocketOption)
 * rather than as an int ("value"), and what such text may be. Shared by
 * the library, which writes them, and the daemon and its policy, which
 * read them. */
#pragma once

#include <stdbool.h>

/* The longest name TCP_CONGESTION takes (TCP_CA_NAME_MAX - 1). */
#define SB_OPTVAL_NAME_MAX 15

/* Does the option take a string (SO_BINDTODEVICE, TCP_CONGESTION)? */
bool sb_optval_is_text(int level, int name);
/* An interface name as the kernel accepts one (dev_valid_name()), and
 * printable, as it goes into logs. "" is not a name. */
bool sb_optval_ifname_valid(const char *name);
/* A name such as a congestion control algorithm: 1 to 15 of
 * [A-Za-z0-9_-], starting with a letter. It goes into logs and, for
 * TCP_CONGESTION, into the module name the kernel may load (tcp_NAME). */
bool sb_optval_name_valid(const char *name);
