/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a socket descriptor is, as the kernel reports it, with the gaps in
 * that report filled in. The daemon decides on this and the library picks
 * the address shape with it. */
#pragma once

/* family, type and protocol of fd (getsockopt, so non-sockets and O_PATH
 * descriptors fail: -ENOTSOCK / -EBADF). 0 or -errno. */
int sb_socket_identity(int fd, int *family, int *type, int *protocol);
