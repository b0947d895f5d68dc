/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Numbers written as text (socket specs, addresses, the policy file): one
 * strict reader, with the few variations its users differ in. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum {
	/* Take "-0x1f" as -31; refused otherwise. */
	SB_NUMBER_NEGATIVE_HEX = 1 << 0,
	/* Take "010" as 10; refused otherwise, so that nobody expects
	 * octal. */
	SB_NUMBER_LEADING_ZEROS = 1 << 1,
};

/* The whole of text as a decimal number with an optional '-', or a 0x hex
 * one: its sign in *negative and its magnitude in *magnitude. -EINVAL
 * when text is not such a number, -ERANGE when the magnitude is beyond max
 * (or, for a negative number, beyond 2^63). */
int sb_number_parse(const char *text, unsigned flags, uint64_t max, bool *negative,
		    uint64_t *magnitude);

/* A sign and magnitude within int64_t (magnitude up to 2^63 when
 * negative, INT64_MAX otherwise) as one value. */
int64_t sb_number_int64(bool negative, uint64_t magnitude);

/* sb_number_parse() of a number within int64_t. */
int sb_number_parse_int64(const char *text, unsigned flags, int64_t *ret);
