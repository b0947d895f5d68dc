/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl: the state a command works on and the exit statuses it
 * returns. Calls run one way, from the top down:
 *   ctl.c                 global options and the command table
 *   ctl-<command>.c       one command each (ctl-commands.h)
 *   ctl-dry-run.c         the policy dry runs of check and info
 *   ctl-call.c, ctl-report-options.c, ctl-execute.c
 *                         calls to the broker, the reporting commands'
 *                         options, executing a command
 *   ctl-error.c           error messages
 *   ctl-output.c          tables, JSON and escaping */
#pragma once

#include <stdbool.h>

#include "client/lib/conn.h"

/* Exit statuses, documented in sockbrokerctl(8). run adds 126 and 127
 * for a command that could not be executed, as shells do. */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,	  /* the broker refused or failed; check: deny */
	CTL_EXIT_USAGE = 2,	  /* bad command line */
	CTL_EXIT_UNREACHABLE = 3, /* no broker at the socket, or it hung up */
};

struct ctl {
	const char *socket_path; /* --socket, $SOCKBROKER_SOCKET or the default */
	bool json;
	struct sb_conn *conn; /* connected on the first call */
};
