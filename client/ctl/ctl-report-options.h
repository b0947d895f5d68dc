/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The options every reporting command takes: --json and --help. */
#pragma once

#include "client/ctl/ctl.h"

/* Parse them and leave optind at the first argument. help_text is
 * printed for --help. Returns -1 to go on, or the exit status to return
 * at once. */
int ctl_parse_report_options(struct ctl *ctl, int argc, char **argv, const char *help_text);
