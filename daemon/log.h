/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daemon logging: the journal with structured fields when stderr is
 * connected to it, plain lines on stderr otherwise. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#include "proto/util.h"

void log_setup(bool verbose);
void log_full(int priority, const char *fmt, ...) _printf_(2, 3);
/* A line already formatted (len bytes, NUL-terminated), cut at
 * LOG_LINE_MAX. */
void log_text(int priority, const char *text, size_t len);
#define LOG_LINE_MAX 1024

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

/* Is a message of this priority emitted at all? Lets callers skip the
 * cost of building it. */
bool log_enabled(int priority);
/* Whether records go to the journal (structured fields available). */
bool log_to_journal(void);
