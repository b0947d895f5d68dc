/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A strict reader over one message, for the compact spellings that are read
 * without json-c (compact-socket.c, compact-bind.c): each step consumes
 * exactly one expected piece or fails, and a failed reader stays
 * failed. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <string.h>

struct sb_cursor {
	const char *p, *end;
	bool ok;
};

static inline void sb_cursor_expect(struct sb_cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if (c->ok && (size_t)(c->end - c->p) >= n && memcmp(c->p, lit, n) == 0)
		c->p += n;
	else
		c->ok = false;
}

/* A number as "%d" writes a non-negative int: no sign, no leading zero.
 * Overflow is checked before each step, so no width of long matters. */
static inline int sb_cursor_number(struct sb_cursor *c)
{
	int v = 0;
	const char *start = c->p;

	if (!c->ok)
		return 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		int d = *c->p - '0';

		if (v > (INT_MAX - d) / 10) {
			c->ok = false;
			return 0;
		}
		v = v * 10 + d;
		c->p++;
	}
	if (c->p == start || (*start == '0' && c->p - start > 1))
		c->ok = false;
	return v;
}
