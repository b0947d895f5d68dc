/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl's error messages. */
#pragma once

#include "proto/util.h"

/* Print "sockbrokerctl: MESSAGE" on stderr (control characters
 * escaped); ctl_usage_error() adds a hint to --help and returns
 * CTL_EXIT_USAGE. */
void ctl_error(const char *fmt, ...) _printf_(1, 2);
int ctl_usage_error(const char *fmt, ...) _printf_(1, 2);

struct sb_json_builder;
/* Print what b built as JSON (ctl_print_json()): the exit status, with
 * the error printed when memory ran out. */
int ctl_output_json(struct sb_json_builder *b);
