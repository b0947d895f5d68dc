/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Socket call and its reply, written and
 * recognized without json-c: a detail of the codec (codec.h). sockbroker_socket() is the call a
 * client makes most, and building, parsing and freeing json-c trees for three numbers was most of
 * its cost (docs/PERFORMANCE.md). The forms here are fixed byte strings with numbers and constant
 * names in them; they are valid Varlink messages. A reader accepts exactly what the writer writes
 * and declines anything else, which then takes the general path through message.c, so no message
 * means anything different here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A Socket call with no parameters but these. type holds no flags;
 * flags is a mask of SOCK_NONBLOCK and SOCK_CLOEXEC. */
struct sb_compact_socket {
	int family;
	int type;
	int flags;
	int protocol;
};

/* Longest message of either form. */
#define SB_COMPACT_SOCKET_MAX 192

/* Write the call. The length, or -1 when type has flag bits or flags
 * other bits than the two. Negative numbers are written too: the reader
 * declines them, and the general path refuses them in its own words. */
int sb_compact_socket_call_format(char *buf, size_t size, const struct sb_compact_socket *s);
/* True, with *s filled, when data (len bytes, no NUL) is exactly what
 * sb_compact_socket_call_format() writes for some *s without a negative
 * number. */
bool sb_compact_socket_call_parse(const char *data, size_t len, struct sb_compact_socket *s);

/* Write the successful reply: {"parameters":{"fd":0,"family":...,
 * "type":...,"protocol":N}}, family and type by name when they have one,
 * as the general path writes them. The length, or -1 when it does not
 * fit or a number is negative. */
int sb_compact_socket_reply_format(char *buf, size_t size, int family, int type, int protocol);
/* True when data (len bytes, no NUL) is exactly a reply
 * sb_compact_socket_reply_format() writes: a success carrying descriptor 0. */
bool sb_compact_socket_reply_parse(const char *data, size_t len);
/* The same, with family, type and protocol in *s (flags 0). */
bool sb_compact_socket_reply_read(const char *data, size_t len, struct sb_compact_socket *s);
