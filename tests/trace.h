/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A program's system calls as strace(1) records them: what a test cannot
 * see from outside (which sockets the daemon creates, whether it changes
 * a file by path), and strace's fault injection to hold a call open. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whether strace is installed and may trace here; if not, why. */
bool sb_test_strace_usable(char *why, size_t size);
/* Put in args (room for max, NULL-terminated) the command that runs
 * argv (argv[0] a path) under strace -D: the program keeps the pid of
 * the process that executes the command, so signals and waitpid() reach
 * it, not the tracer. Its threads and children are traced, the calls are
 * written to trace, and strace_opts (NULL-terminated: "-e",
 * "trace=socket", ...) say which. To be run with execvp(). */
void sb_test_strace_argv(const char **args, size_t max, const char *trace,
			 const char *const *strace_opts, const char *const *argv);
/* Once the traced program pid has exited: whether strace wrote its end
 * to trace within max_ms (the tracer is not our child to wait for). */
bool sb_test_trace_complete(const char *trace, pid_t pid, long max_ms);
