/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerd --check-policy: read a policy file and its policy.d as the
 * daemon would, without serving, like nginx -t or visudo -c. */
#pragma once

/* Print the files read and the number of rules on stdout, or the first
 * error as "file:line: reason" on stderr. Returns the exit status: 0 for
 * a policy the daemon would load, 1 otherwise. */
int sb_policy_verify(const char *path);
