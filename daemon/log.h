/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daemon logging: the journal with structured fields when stderr is
 * connected to it, plain lines on stderr otherwise.
 *
 * Records of notice, info and debug level are held for a moment once the
 * event loop runs (log_hold_start()) and written together: every request
 * is logged, and one write(2) or journald datagram per batch replaces one
 * per request (docs/PERFORMANCE.md, "Logging"). Warnings and worse are written
 * at once, after what is held. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-event.h>

#include "proto/util.h"

void log_setup(bool verbose);
void log_full(int priority, const char *fmt, ...) _printf_(2, 3);
/* A line already formatted (len bytes, NUL-terminated), cut at
 * LOG_LINE_MAX. */
void log_text(int priority, const char *text, size_t len);
#define LOG_LINE_MAX 1024
/* A record with journal fields ("NAME=value", at most LOG_FIELDS_MAX;
 * MESSAGE, PRIORITY and SYSLOG_IDENTIFIER included) and its line for
 * stderr (len bytes, without prefix or newline). */
void log_record(int priority, const struct iovec *fields, size_t n_fields, const char *line,
		size_t len);
#define LOG_FIELDS_MAX 16

/* Hold records for at most usec from now on (0: never). */
int log_hold_start(sd_event *e, uint64_t usec);
/* Write what is held now. */
void log_flush(void);
/* Write what is held and hold no more (before the loop ends). */
void log_hold_stop(void);

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
