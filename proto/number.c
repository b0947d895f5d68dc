/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one reader of numbers written as text. */
#include <errno.h>

#include "proto/number.h"

static int digit_value(char c, bool hex)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (hex && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (hex && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sb_number_parse(const char *text, unsigned flags, uint64_t max, bool *negative,
		    uint64_t *magnitude)
{
	const char *p = text;
	bool neg = false, hex = false;
	uint64_t v = 0, limit;
	unsigned base;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (neg && !(flags & SB_NUMBER_NEGATIVE_HEX))
			return -EINVAL;
		hex = true;
		p += 2;
	} else if (p[0] == '0' && p[1] != '\0' && !(flags & SB_NUMBER_LEADING_ZEROS)) {
		return -EINVAL;
	}
	if (*p == '\0')
		return -EINVAL;

	base = hex ? 16 : 10;
	limit = neg ? (uint64_t)INT64_MAX + 1 : max;
	for (; *p; p++) {
		int digit = digit_value(*p, hex);

		if (digit < 0)
			return -EINVAL;
		/* A digit above a small limit would wrap the subtraction. */
		if ((unsigned)digit > limit || v > (limit - (unsigned)digit) / base)
			return -ERANGE;
		v = v * base + (unsigned)digit;
	}
	*negative = neg;
	*magnitude = v;
	return 0;
}

int64_t sb_number_int64(bool negative, uint64_t magnitude)
{
	if (!negative)
		return (int64_t)magnitude;
	return magnitude > INT64_MAX ? INT64_MIN : -(int64_t)magnitude;
}

int sb_number_parse_int64(const char *text, unsigned flags, int64_t *ret)
{
	uint64_t magnitude;
	bool negative;
	int r;

	r = sb_number_parse(text, flags, INT64_MAX, &negative, &magnitude);
	if (r < 0)
		return r;
	*ret = sb_number_int64(negative, magnitude);
	return 0;
}
