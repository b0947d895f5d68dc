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

/* Ask the policy (method bind) about an address. 0 or -EACCES with
 * req->error. */
int sb_bind_authorize(struct sb_request *req, const struct sb_sockinfo *si,
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns);
/* A client's bind address in JSON, decided by the policy before any of
 * its interface names is looked up, then looked up (sb_ifname_index(), in
 * the calling thread's network namespace). 0 or -errno with req->error. */
int sb_bind_address(struct sb_request *req, const struct sb_sockinfo *si, json_object *address,
		    const char *netns, struct sockaddr_storage *ss, socklen_t *len);
/* bind() to an address the policy allowed. 0 or -errno with req->error. */
int sb_bind_allowed(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    const struct sockaddr_storage *ss, socklen_t len);
/* The same touching nothing but fd and err: safe on a worker (a client's
 * socket is bound there, offload.h). protocol: the socket's, for the
 * address as the error writes it. */
int sb_bind_fd(int fd, const struct sockaddr_storage *ss, socklen_t len, int protocol,
	       struct sb_error *err);

/* The socket's local address, false when it has none. */
bool sb_local_sockaddr(int fd, struct sockaddr_storage *ss, socklen_t *len);
/* The same as JSON, NULL when it has none. */
json_object *sb_local_address(int fd, int protocol);
