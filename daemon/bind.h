/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Binding on a client's behalf, shared by Socket and Bind. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "daemon/dispatch.h"
#include "daemon/sockinfo.h"

/* The port of an INET/INET6/RDS/VSOCK address, or -1. */
int sb_sockaddr_port(const struct sockaddr *sa, socklen_t len);

/* An address as the logs and errors write it, at most this long. */
#define SB_BIND_TEXT_MAX 128

/* Ask the policy (method bind) and log the decision; text gets the
 * address as text. 0 or -EACCES with req->error. */
int sb_bind_authorize(struct sb_request *req, const struct sb_sockinfo *si,
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns,
		      char *text, size_t text_size);
/* bind(), with an error that names text. Touches nothing but fd and err:
 * safe on a worker. 0 or -errno. */
int sb_bind_as_asked(int fd, const struct sockaddr_storage *ss, socklen_t len, const char *text,
		     struct sb_error *err);
/* Ask the policy (method bind), then bind. 0 or -errno with req->error. */
int sb_bind_checked(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    const struct sockaddr_storage *ss, socklen_t len, const char *netns);

/* The socket's local address, false when it has none. */
bool sb_local_sockaddr(int fd, struct sockaddr_storage *ss, socklen_t *len);
/* The same as JSON, NULL when it has none. */
json_object *sb_local_address(int fd, int protocol);
