/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl output: aligned tables for people, JSON for programs, and
 * the formatting of times, durations and names. Text that comes from
 * elsewhere (process names, policy paths, broker messages) is printed
 * with control characters escaped so it cannot drive the terminal. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "proto/json-util.h"
#include "proto/util.h"

struct ctl_table;

/* A table of n_columns; headers (n_columns strings) is printed as its
 * first line, or nothing when NULL. NULL on allocation failure. */
struct ctl_table *ctl_table_new(size_t n_columns, const char *const *headers);
struct ctl_table *ctl_table_free(struct ctl_table *t);
/* Right-align a column (numbers). */
void ctl_table_align_right(struct ctl_table *t, size_t column);
/* Append one cell; rows fill left to right. The text is escaped. An
 * allocation failure is remembered and reported by ctl_table_print(). */
void ctl_table_cell(struct ctl_table *t, const char *text);
void ctl_table_cellf(struct ctl_table *t, const char *fmt, ...) _printf_(2, 3);
size_t ctl_table_rows(const struct ctl_table *t);
/* Columns separated by two spaces, the last one not padded. 0 or
 * -errno (-ENOMEM, -EINVAL for an unfinished row). */
int ctl_table_print(const struct ctl_table *t, FILE *f);

/* text with bytes outside printable ASCII written as \xNN and backslash
 * as \\. NULL on allocation failure. */
char *ctl_escape(const char *text);

/* What b built, as pretty JSON with a final newline; keys keep the
 * order they were added in. 0, or -ENOMEM when building or formatting
 * ran out of memory (nothing printed). */
int ctl_print_json(struct sb_json_builder *b);

/* "3d 4h 5min 6s", "2.5s", "17ms". */
void ctl_format_timespan(uint64_t usec, char *buf, size_t size);
/* Local time "2024-11-24 23:11:03" of a CLOCK_REALTIME microsecond
 * count; the number itself when it cannot be converted. */
void ctl_format_time(uint64_t usec, char *buf, size_t size);
/* "1000 (alice)", or "1000" when the user or group has no name. */
void ctl_format_uid(uid_t uid, char *buf, size_t size);
void ctl_format_gid(gid_t gid, char *buf, size_t size);
