/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's server: the event loop's listening sockets and client
 * connections, read, served and answered (the types: state.h). */
#pragma once

#include <json-c/json.h>

#include "daemon/state.h"
#include "proto/error.h"
#include "proto/frame.h"

int sb_server_init(struct sb_server *s, sd_event *event, const char *policy_path,
		   const char *subuid_path, const char *subgid_path,
		   const struct sb_limits *limits);
void sb_server_done(struct sb_server *s);
/* Serve on an already listening socket (taken over). */
int sb_server_add_listener(struct sb_server *s, int fd);
/* Load the policy and the subordinate ids again; on failure the running
 * ones stay. errbuf gets "file:line: reason". */
int sb_server_reload(struct sb_server *s, char *errbuf, size_t errsize);
/* Stop accepting, let queued replies drain, then leave the loop. */
void sb_server_stop(struct sb_server *s);

/* Serve one complete call read from c: dispatch it and send its
 * answer. */
void sb_client_serve(struct sb_client *c, struct sb_frame *f);
