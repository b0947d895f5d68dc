/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Appending names and numbers to a fixed buffer without printf. The
 * request path formats a handful of them per call (the reply, the log
 * line), and vsnprintf's generality cost more there than the rest of the
 * request. Text that does not fit marks the buffer full and is cut; the
 * buffer stays NUL-terminated. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sb_strbuf {
	char *p;
	size_t size; /* > 0 */
	size_t len;
	bool full;
};

static inline void sb_strbuf_init(struct sb_strbuf *b, char *p, size_t size)
{
	*b = (struct sb_strbuf){.p = p, .size = size};
	p[0] = 0;
}

static inline void sb_strbuf_mem(struct sb_strbuf *b, const char *s, size_t n)
{
	size_t room = b->size - 1 - b->len;

	if (n > room) {
		n = room;
		b->full = true;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static inline void sb_strbuf_str(struct sb_strbuf *b, const char *s)
{
	sb_strbuf_mem(b, s, strlen(s));
}

static inline void sb_strbuf_uint(struct sb_strbuf *b, unsigned long long v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do
		digits[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	sb_strbuf_mem(b, digits + i, sizeof(digits) - i);
}

static inline void sb_strbuf_int(struct sb_strbuf *b, long long v)
{
	if (v < 0) {
		sb_strbuf_mem(b, "-", 1);
		sb_strbuf_uint(b, 0ULL - (unsigned long long)v);
	} else {
		sb_strbuf_uint(b, (unsigned long long)v);
	}
}

/* An IPv4 address as inet_ntop() writes it, without the sprintf() that
 * costs there (half of libsockbroker's instructions for a Bind, and a
 * share of every Bind's log record in the daemon). */
static inline void sb_strbuf_ipv4(struct sb_strbuf *b, const struct in_addr *addr)
{
	const uint8_t *octet = (const uint8_t *)addr;

	for (int i = 0; i < 4; i++) {
		if (i > 0)
			sb_strbuf_mem(b, ".", 1);
		sb_strbuf_uint(b, octet[i]);
	}
}
