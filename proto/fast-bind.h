/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Bind call for an IPv4 or IPv6 address and its successful reply,
 * written and recognized without json-c. Building the call and parsing
 * the reply with json-c cost sockbroker_bind() more instructions than the
 * broker spent on the whole request (docs/PERFORMANCE.md §5.10).
 *
 * Only the client reads a plain form here: the broker reads every Bind
 * call with the general parser (message.c), so the privileged process
 * has no second reader of client input for it. The call is an ordinary
 * Varlink message to that parser; the reply is one the broker writes
 * and libsockbroker recognizes, declining anything else to the general
 * parser. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Longest message of either form. */
#define SB_FAST_BIND_MAX 192

/* Write {"method":"org.sockbroker.Bind","parameters":{"fd":0,"address":A}}
 * where A is the address object the general writer (addr.c) makes for an
 * AF_INET address, or an AF_INET6 one without a scope (a scope is written
 * by interface name there). The length, or -1 for any other address. */
int sb_fast_bind_call_format(char *buf, size_t size, const struct sockaddr *sa, socklen_t len);

/* Write {"parameters":{"address":A}}, A as above. The length, or -1. */
int sb_fast_bind_reply_format(char *buf, size_t size, const struct sockaddr *sa, socklen_t len);
/* True when data (len bytes, no NUL) is exactly a reply
 * sb_fast_bind_reply_format() writes: a success, final, carrying no
 * descriptor. (A flowinfo above INT_MAX is left to the general parser.) */
bool sb_fast_bind_reply_parse(const char *data, size_t len);
