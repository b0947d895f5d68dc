/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/util.h"
#include "tests/harness.h"
#include "tests/trace.h"

bool sb_test_strace_usable(char *why, size_t size)
{
	int status = system("strace -qq -o /dev/null true >/dev/null 2>&1");

	if (status == -1 || !WIFEXITED(status)) {
		snprintf(why, size, "cannot run strace");
		return false;
	}
	if (WEXITSTATUS(status) == 127) {
		snprintf(why, size, "strace is not installed");
		return false;
	}
	if (WEXITSTATUS(status) != 0) {
		snprintf(why, size, "strace cannot trace here (ptrace refused?)");
		return false;
	}
	return true;
}

void sb_test_strace_argv(const char **args, size_t max, const char *trace,
			 const char *const *strace_opts, const char *const *argv)
{
	static const char *const tracer[] = {"strace", "-D", "-f", "-q", "-E"};
	/* LeakSanitizer cannot work under ptrace: untraced runs check. */
	static char no_leak_check[1024];
	const char *asan = getenv("ASAN_OPTIONS");
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(tracer); i++) {
		ck_assert_uint_lt(n, max - 1);
		args[n++] = tracer[i];
	}
	snprintf(no_leak_check, sizeof(no_leak_check), "ASAN_OPTIONS=%s%sdetect_leaks=0",
		 asan ? asan : "", asan && *asan ? ":" : "");
	ck_assert_uint_lt(n, max - 3);
	args[n++] = no_leak_check;
	args[n++] = "-o";
	args[n++] = trace;
	for (size_t i = 0; strace_opts && strace_opts[i]; i++) {
		ck_assert_uint_lt(n, max - 1);
		args[n++] = strace_opts[i];
	}
	ck_assert_uint_lt(n, max - 1);
	args[n++] = "--";
	for (size_t i = 0; argv[i]; i++) {
		ck_assert_uint_lt(n, max - 1);
		args[n++] = argv[i];
	}
	args[n] = NULL;
}

/* strace -f starts each line with the task's id, padded with blanks. */
static bool trace_ended(const char *trace, pid_t pid)
{
	char line[4096];
	bool ended = false;
	FILE *f = fopen(trace, "re");

	if (!f)
		return false;
	while (!ended && fgets(line, sizeof(line), f)) {
		char *rest;

		if (strtol(line, &rest, 10) != pid)
			continue;
		rest += strspn(rest, " ");
		ended = strncmp(rest, "+++ exited with ", 16) == 0 ||
			strncmp(rest, "+++ killed by ", 14) == 0;
	}
	fclose(f);
	return ended;
}

bool sb_test_trace_complete(const char *trace, pid_t pid, long max_ms)
{
	long end = sb_test_now_ms() + max_ms;

	while (!trace_ended(trace, pid)) {
		if (sb_test_now_ms() >= end)
			return false;
		sb_test_sleep_ms(10);
	}
	return true;
}
