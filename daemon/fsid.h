/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Acting with a client's filesystem identity for one system call. The
 * fsuid decides the owner the kernel records for a new socket and the
 * access to /proc/PID/fd; changing it keeps the CAP_NET_* capabilities. */
#pragma once

#include <sys/types.h>

/* Remember the daemon's own identity; call once at start. */
void sb_fsid_init(void);
void sb_fsid_become(uid_t uid, gid_t gid);
/* Back to the daemon's own identity. */
void sb_fsid_restore(void);
/* The uid half alone, when the group does not matter. */
void sb_fsuid_become(uid_t uid);
void sb_fsuid_restore(void);
