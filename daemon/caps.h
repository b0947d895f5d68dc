/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Least privilege for a daemon started by hand: keep only the
 * capabilities brokering needs and forbid gaining more. */
#pragma once

/* Drop every other capability (effective, permitted, inheritable,
 * ambient, and the bounding set when allowed) and set no_new_privs.
 * Logs each needed capability the daemon does not hold (a warning, but
 * for CAP_SYS_ADMIN, which only netns requests need).
 * 0 or -errno. */
int sb_caps_restrict(void);
