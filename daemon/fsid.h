/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Acting with a client's filesystem identity for one system call. The
 * fsuid decides the owner the kernel records for a new socket and the
 * access to /proc/PID/fd; changing it keeps the CAP_NET_* capabilities. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Remember the daemon's own identity; call once at start. */
void sb_fsid_init(void);
void sb_fsid_become(uid_t uid, gid_t gid);
/* Back to the daemon's own identity. Returns false when the switch of
 * the last sb_fsid_become() had not taken effect (the kernel refuses
 * without CAP_SETUID/CAP_SETGID and says so only in the return value),
 * so work done meanwhile was done as the daemon, not the client. */
bool sb_fsid_restore(void);
