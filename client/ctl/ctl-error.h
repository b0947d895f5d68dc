/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl's error messages. */
#pragma once

#include "proto/util.h"

/* Print "sockbrokerctl: MESSAGE" on stderr (control characters
 * escaped); ctl_usage_error() adds a hint to --help and returns
 * CTL_EXIT_USAGE. */
void ctl_error(const char *fmt, ...) _printf_(1, 2);
int ctl_usage_error(const char *fmt, ...) _printf_(1, 2);
