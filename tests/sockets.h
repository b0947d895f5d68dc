/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel says of a socket, for checking brokered ones. */
#pragma once

#include <stdbool.h>

/* An int socket option of fd, -errno when it cannot be read. */
int sb_test_sockopt_int(int fd, int level, int name);
/* Does poll() report fd ready to read (or hung up) within ms? */
bool sb_test_readable(int fd, int ms);
