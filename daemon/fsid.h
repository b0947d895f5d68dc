/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's filesystem identity. The fsuid decides the owner the
 * kernel records for a new socket and the access to /proc/PID/fd, the
 * fsgid the group of the socket's file credentials; changing them keeps
 * the CAP_NET_* capabilities.
 *
 * A switch is kept until the next one: each switch costs the kernel a new
 * set of credentials, and a daemon serving one client after another of
 * the same uid would otherwise pay two pairs per request. So between
 * requests the daemon may act with the last client's fsuid and fsgid.
 * That opens different files than its own, not only fewer: the daemon
 * has no CAP_DAC_OVERRIDE, so a client's private files become readable.
 * Hence the rule: whatever the daemon opens, creates or looks up for
 * itself (policy, network namespaces, accepted connections, user lookups
 * of admin calls, exit) is preceded by sb_fsid_restore(), and no path a
 * client names is opened at all. sd_notify() and sd_journal_send() may
 * run with a client's ids: their sockets are writable by every user. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Remember the daemon's own identity; call once at start. */
void sb_fsid_init(void);
/* Act as uid/gid on the filesystem from now on. False when the kernel
 * refused (it does without CAP_SETUID/CAP_SETGID, and says so only by
 * not changing the id): the identity is then unknown, and the caller
 * must not act. */
bool sb_fsid_become(uid_t uid, gid_t gid);
/* Back to the daemon's own identity. False when the kernel refused. */
bool sb_fsid_restore(void);
