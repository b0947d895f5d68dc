/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl's side of the conversation: one connection, calls whose
 * failures are reported in one place, and checked reading of replies. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "client/ctl/ctl.h"
#include "proto/fields.h"

/* Call def's method on the broker (connecting first when needed) with
 * args as its parameters, written by their definition (proto/fields.h),
 * and n_fds descriptors sent along (Bind, SetSockOpt). On failure the
 * error is printed, prefixed with what, and res is already released.
 * Returns CTL_EXIT_OK with res to be released by the caller, or the exit
 * status: CTL_EXIT_UNREACHABLE when the broker could not be reached or
 * hung up, CTL_EXIT_FAILED for an error reply. */
int ctl_call(struct ctl *ctl, const char *what, const struct sb_message_def *def, const void *args,
	     const int *fds, size_t n_fds, int recv_flags, struct sb_result *res);
/* Report a reply that does not have the shape the interface promises. */
int ctl_bad_reply(const char *what, const struct sb_error *err);
/* Longest list a reply may hold (grants, files, families). */
#define CTL_REPLY_LIST_MAX 65536u
/* A copy of array, a reply's member key, checked to hold strings of at
 * most max_len bytes; or -EINVAL with *err naming what is wrong. */
int ctl_reply_strings(json_object *array, const char *key, size_t max_len, json_object **ret,
		      struct sb_error *err);
/* Close the connection (run must do so before it moves descriptors; the
 * command table does after every command). */
void ctl_disconnect(struct ctl *ctl);
