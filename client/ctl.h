/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl: what the command files share. Every command returns the
 * process exit status (enum ctl_exit) and prints its own errors. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "client/conn.h"
#include "proto/util.h"

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

/* One command: argv[0] is its name, options and arguments follow. */
typedef int (*ctl_command_fn)(struct ctl *ctl, int argc, char **argv);

int ctl_status(struct ctl *ctl, int argc, char **argv);
int ctl_list(struct ctl *ctl, int argc, char **argv);
int ctl_check(struct ctl *ctl, int argc, char **argv);
int ctl_info(struct ctl *ctl, int argc, char **argv);
int ctl_reload(struct ctl *ctl, int argc, char **argv);
int ctl_run(struct ctl *ctl, int argc, char **argv);
int ctl_exec(struct ctl *ctl, int argc, char **argv);

/* Print "sockbrokerctl: MESSAGE" on stderr (control characters
 * escaped); ctl_usage_error() adds a hint to --help and returns
 * CTL_EXIT_USAGE. */
void ctl_error(const char *fmt, ...) _printf_(1, 2);
int ctl_usage_error(const char *fmt, ...) _printf_(1, 2);

struct sb_json_builder;
/* Print what b built as JSON (ctl_print_json()): the exit status, with
 * the error printed when memory ran out. */
int ctl_output_json(struct sb_json_builder *b);

/* Parse the options every reporting command takes (--json, --help) and
 * leave optind at the first argument. help_text is printed for --help.
 * Returns -1 to go on, or the exit status to return at once. */
int ctl_parse_report_options(struct ctl *ctl, int argc, char **argv, const char *help_text);

/* Call method on the broker (connecting first when needed) with
 * parameters (ownership passes; NULL means {}). On failure the error is
 * printed, prefixed with what, and res is already released. Returns
 * CTL_EXIT_OK with res to be released by the caller, or the exit status:
 * CTL_EXIT_UNREACHABLE when the broker could not be reached or hung up,
 * CTL_EXIT_FAILED for an error reply. */
int ctl_call(struct ctl *ctl, const char *what, const char *method, json_object *parameters,
	     int recv_flags, struct sb_result *res);
/* The same with descriptors sent along (Bind, SetSockOpt). */
int ctl_call_fds(struct ctl *ctl, const char *what, const char *method, json_object *parameters,
		 const int *fds, size_t n_fds, int recv_flags, struct sb_result *res);
/* Report a reply that does not have the shape the interface promises. */
int ctl_bad_reply(const char *what, const struct sb_error *err);
/* Longest list a reply may hold (grants, files, families). */
#define CTL_REPLY_LIST_MAX 65536u
/* A copy of the array of strings at key (each at most max_len bytes),
 * or -EINVAL with *err naming what is wrong. */
int ctl_reply_strings(json_object *obj, const char *key, size_t max_len, json_object **ret,
		      struct sb_error *err);
/* The file $PATH leads to for cmd (cmd itself when it holds a '/') that
 * access(2) admits with amode, or NULL. To be freed. */
char *ctl_find_command(const char *cmd, int amode);
/* Execute cmd (searched in $PATH); on failure print why, prefixed with
 * what, and return 127 when it was not found, 126 otherwise. */
int ctl_execute(const char *what, char **cmd);
/* Close the connection (run must do so before it moves descriptors). */
void ctl_disconnect(struct ctl *ctl);
