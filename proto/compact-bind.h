/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Bind call for an IPv4 or IPv6 address and
 * of its successful reply, written and recognized without json-c: a
 * detail of the codec (codec.h). Building, parsing and freeing json-c
 * trees for one address cost both ends more instructions than the bind
 * itself (docs/PERFORMANCE.md).
 *
 * Each reader takes every literal in its place, numbers as "%u" writes
 * them and the host in inet_ntop()'s spelling, so it accepts exactly
 * what the writer writes (fuzz-compact-bind checks the two against each
 * other). The writer's forms are
 * the general writer's own spelling (addr.c, message.c), and anything
 * else is declined to the general parser, so no message means anything
 * different here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Longest message of either form. */
#define SB_COMPACT_BIND_MAX 192

/* Write {"method":"org.sockbroker.Bind","parameters":{"fd":0,"address":A}}
 * where A is the address object the general writer (addr.c) makes for an
 * AF_INET address, or an AF_INET6 one without a scope (a scope is written
 * by interface name there). The length, or -1 for any other address. */
int sb_compact_bind_call_format(char *buf, size_t size, const struct sockaddr *sa, socklen_t len);
/* True, with the address in *ss and *sslen, when data (len bytes, no
 * NUL) is exactly a call sb_compact_bind_call_format() writes. (A flowinfo
 * above INT_MAX is left to the general parser.) */
bool sb_compact_bind_call_parse(const char *data, size_t len, struct sockaddr_storage *ss,
				socklen_t *sslen);

/* Write {"parameters":{"address":A}}, A as above. The length, or -1. */
int sb_compact_bind_reply_format(char *buf, size_t size, const struct sockaddr *sa, socklen_t len);
/* True when data (len bytes, no NUL) is exactly a reply
 * sb_compact_bind_reply_format() writes: a success, final, carrying no
 * descriptor. (A flowinfo above INT_MAX is left to the general parser.) */
bool sb_compact_bind_reply_parse(const char *data, size_t len);
/* The same, with the address in *ss and *sslen. */
bool sb_compact_bind_reply_read(const char *data, size_t len, struct sockaddr_storage *ss,
				socklen_t *sslen);
