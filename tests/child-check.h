/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks inside a forked client (a child that became nobody, say), where
 * ck_assert cannot report: each says what failed on stderr (the test's
 * log) and returns 1 from the child's function, which the test then sees
 * as the child's exit status. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/lib/sockbroker.h"

/* For clients of the raw wire protocol. */
#define REQUIRE(cond)                                                                         \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: %s (errno %m)\n", __FILE__, __LINE__, #cond); \
			return 1;                                                             \
		}                                                                             \
	} while (0)

/* For clients of libsockbroker: with the broker's last message. */
#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "%s:%d: check failed: %s (errno %s; broker: \"%s\")\n", \
				__FILE__, __LINE__, #cond, strerrorname_np(errno),              \
				sockbroker_last_message());                                     \
			return 1;                                                               \
		}                                                                               \
	} while (0)

/* call must fail with -1 and errno err. */
#define CHECK_FAILS(call, err)                                                                  \
	do {                                                                                    \
		long _r;                                                                        \
		errno = 0;                                                                      \
		_r = (long)(call);                                                              \
		if (_r != -1 || errno != (err)) {                                               \
			fprintf(stderr, "%s:%d: %s: want -1/%s, got %ld/%s (broker: \"%s\")\n", \
				__FILE__, __LINE__, #call, strerrorname_np(err), _r,            \
				strerrorname_np(errno), sockbroker_last_message());             \
			return 1;                                                               \
		}                                                                               \
	} while (0)
