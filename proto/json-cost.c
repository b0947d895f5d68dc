/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>

#include "proto/json-cost.h"

size_t sb_json_values(const char *data, size_t len, size_t max)
{
	bool in_string = false;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in_string) {
			if (data[i] == '\\')
				i++; /* the escaped byte, a quote maybe */
			else if (data[i] == '"')
				in_string = false;
			continue;
		}
		switch (data[i]) {
		case '"':
			in_string = true;
			break;
		case '{':
		case '[':
		case ',':
			if (++n > max)
				return n;
			break;
		}
	}
	return n;
}
