/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Task names (/proc/PID/comm), as the log and replies show them. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* 15 bytes, each written as \xNN at worst, and the NUL. */
#define SB_COMM_MAX (15 * 4 + 1)

/* The name of task pid, read with the filesystem identity uid/gid (with
 * /proc mounted hidepid=invisible only one that may ptrace-read the
 * task sees it), every byte that is not printable ASCII and the
 * backslash written as \xNN. Leaves the daemon acting as uid/gid (see
 * fsid.h). False, with out empty, when it could not be read. */
bool sb_comm_read(pid_t pid, uid_t uid, gid_t gid, char out[SB_COMM_MAX]);
