/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a client's descriptor really is, read from the kernel: decisions
 * are made on this, never on what a request claims. */
#pragma once

#include "proto/error.h"

struct sb_sockinfo {
	int family;
	int type;
	int protocol;
};

/* Record this process's network namespace, to recognise sockets from
 * other namespaces later. Call once at start. */
void sb_sockinfo_init(void);

/* Check fd is a socket (getsockopt, not fstat: O_PATH descriptors and
 * non-sockets fail here) living in the daemon's network namespace, and
 * read its family, type and protocol. 0 or -errno with BadDescriptor. */
int sb_sockinfo_get(int fd, struct sb_sockinfo *si, struct sb_error *err);
