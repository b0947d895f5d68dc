/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel says of a socket, for checking brokered ones. */
#pragma once

#include <stdbool.h>

/* An int socket option of fd, -errno when it cannot be read. */
int sb_test_sockopt_int(int fd, int level, int name);
/* Does poll() report fd ready to read (or hung up) within ms? */
bool sb_test_readable(int fd, int ms);
/* A TCP socket whose last close hangs: connected over loopback to a
 * peer that reads nothing, its send buffer full, SO_LINGER 30 s. The
 * close waits for the peer to take the data, until *peer (the reading
 * end) is closed with the data unread, which resets the connection.
 * -1 (nothing left open) on failure. */
int sb_test_hanging_socket(int *peer);
