/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd unit of a connection's peer, for unit:NAME rules: the first
 * unit below the slices of its cgroup v2 path, as systemd names it. An
 * unprivileged process cannot move itself into a cgroup of a system unit
 * (only root writes their cgroup.procs), and a delegated subtree stays
 * below the unit it was delegated by, so the name cannot be forged. The
 * cgroup is read through a pidfd, so that a pid recycled meanwhile
 * cannot lend another process's cgroup (docs/SECURITY.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Longest unit name systemd allows, without the NUL. */
#define SB_UNIT_NAME_MAX 255

/* A unit name that can hold processes: [A-Za-z0-9:_.\-@], ending in
 * .service, .scope, .socket, .mount or .swap (slices hold units). */
bool sb_unit_name_valid(const char *name);

/* The unit of the cgroup path (as /proc/PID/cgroup gives it, "/" at the
 * root of the reader's cgroup namespace) into unit (size bytes): 1 when
 * in a unit, 0 when in none (the root cgroup, a slice, a cgroup no unit
 * made), -EINVAL when the path cannot be read (outside the reader's
 * namespace, not a path). */
int sb_unit_from_cgroup(const char *path, char *unit, size_t size);

/* The unit of the process at the other end of conn, which the kernel
 * reported as cred: 1 found (in unit), 0 in none, -errno when it cannot
 * be known (the process is gone, /proc hides it, no cgroup v2). Reads
 * /proc with the current filesystem identity: with /proc mounted
 * hidepid=invisible, the caller becomes the peer's first (fsid.h). */
int sb_peer_unit(int conn, const struct ucred *cred, char *unit, size_t size);
