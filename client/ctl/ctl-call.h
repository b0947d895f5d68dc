/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl's side of the conversation: one connection, calls whose
 * failures are reported in one place, and checked reading of replies. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "client/ctl/ctl.h"

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
/* Close the connection (run must do so before it moves descriptors; the
 * command table does after every command). */
void ctl_disconnect(struct ctl *ctl);
