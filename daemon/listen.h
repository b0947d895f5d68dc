/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's own listening socket, when systemd passes none. */
#pragma once

#include <stddef.h>

/* Listen on path with mode 0666, creating its directory (mode 0755) when
 * missing and replacing a stale socket there. Refused unless every
 * directory on the way is root's or the daemon's user's, and only the
 * socket's own directory is writable by no one else. The listening
 * descriptor, or -errno with errbuf saying why. */
int sb_listen_on(const char *path, char *errbuf, size_t errsize);
