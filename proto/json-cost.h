/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a JSON text would cost to parse, learned without parsing it. */
#pragma once

#include <stddef.h>

/* The '{', '[' and ',' outside strings in len bytes of data: one per
 * object and array, one per member or element after the first, so about
 * one per value json-c would allocate. Counting stops past max (the
 * result is then max + 1): one pass over the bytes, no allocation. The
 * text need not be valid JSON. */
size_t sb_json_values(const char *data, size_t len, size_t max);
