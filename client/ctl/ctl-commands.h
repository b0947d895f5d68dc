/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands of sockbrokerctl, which ctl.c's table runs. Each returns
 * the process exit status (enum ctl_exit) and prints its own errors;
 * argv[0] is its name, options and arguments follow. */
#pragma once

#include "client/ctl/ctl.h"

typedef int (*ctl_command_fn)(struct ctl *ctl, int argc, char **argv);

/* ctl-admin.c */
int ctl_status(struct ctl *ctl, int argc, char **argv);
int ctl_list(struct ctl *ctl, int argc, char **argv);
int ctl_reload(struct ctl *ctl, int argc, char **argv);
/* ctl-check.c */
int ctl_check(struct ctl *ctl, int argc, char **argv);
/* ctl-info.c */
int ctl_info(struct ctl *ctl, int argc, char **argv);
/* ctl-run.c */
int ctl_run(struct ctl *ctl, int argc, char **argv);
/* ctl-exec.c */
int ctl_exec(struct ctl *ctl, int argc, char **argv);
