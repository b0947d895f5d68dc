/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A TAP front end for Check suites. Every test runs in a test case of its
 * own, named after the test function, so results, skips and failures are
 * reported per test under Automake's TAP driver. */
#pragma once

#include <check.h>

#include "proto/util.h"

/* Add test function fn to suite s as its own test case. */
#define SB_TEST(s, fn) sb_test_add(s, #fn, fn, NULL, NULL, 0)
/* Same, with a per-test timeout in seconds (default 30). */
#define SB_TEST_TIMEOUT(s, fn, secs) sb_test_add(s, #fn, fn, NULL, NULL, secs)
/* Same, with a checked fixture run in the test's own process. */
#define SB_TEST_FIXTURE(s, fn, setup, teardown) sb_test_add(s, #fn, fn, setup, teardown, 0)

void sb_test_add(Suite *s, const char *name, const TTest *fn, SFun setup, SFun teardown,
		 int timeout);

/* Record the running test as skipped with a reason; the caller returns
 * right after (SB_SKIP does both). Never use this to hide a failure:
 * only for missing privileges or kernel features, or a sanitizer that
 * cannot run the test. */
void sb_test_skip(const char *fmt, ...) _printf_(1, 2);
#define SB_SKIP(...)                       \
	do {                               \
		sb_test_skip(__VA_ARGS__); \
		return;                    \
	} while (0)

/* Skip the whole program (TAP "1..0 # SKIP") and exit. */
_noreturn_ void sb_test_skip_all(const char *fmt, ...) _printf_(1, 2);

/* Run every test, print TAP on stdout, return the exit status for main(). */
int sb_test_run(Suite *s);
