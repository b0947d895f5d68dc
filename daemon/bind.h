/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Binding on a client's behalf, shared by Socket and Bind. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "daemon/dispatch.h"
#include "daemon/sockinfo.h"

/* The port of an INET/INET6 (and RDS), VSOCK or QRTR address, or -1. */
int sb_sockaddr_port(const struct sockaddr *sa, socklen_t len);

/* What a bind the policy allowed needs when it is carried out. */
struct sb_bind_guard {
	/* The IPv4 side of a bind to "::" that the policy decides as
	 * IPv6-only: held by the daemon during the bind of a client's socket
	 * (the client may clear IPV6_V6ONLY meanwhile), and checked after. */
	int hold;
	bool must_stay_v6only;
	bool v6only_cleared; /* set by sb_bind_guarded(): say so on the loop */
	char text[128];	     /* the address, for errors and the log */
};

/* Ask the policy (method bind) about an address for socket fd, and about
 * the IPv4 side of an AF_INET6 bind that also binds IPv4 (":: without
 * IPV6_V6ONLY, a v4-mapped address). Fills g. 0 or -EACCES with
 * req->error; g needs sb_bind_guarded() either way once it returned 0. */
int sb_bind_authorize(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns,
		      struct sb_bind_guard *g);
/* A client's bind address in JSON, decided by the policy before any of
 * its interface names is looked up, then looked up (sb_ifname_index(), in
 * the calling thread's network namespace). 0 or -errno with req->error. */
int sb_bind_address(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    json_object *address, const char *netns, struct sockaddr_storage *ss,
		    socklen_t *len, struct sb_bind_guard *g);
/* bind() to an address the policy allowed, then let go of what g holds
 * and check what it says. Touches nothing but fd, g and err: safe on a
 * worker (a client's socket is bound there, offload.h). 0 or -errno. */
int sb_bind_guarded(int fd, const struct sockaddr_storage *ss, socklen_t len,
		    struct sb_bind_guard *g, struct sb_error *err);
/* On the loop after sb_bind_guarded(): log what went wrong of c's. */
void sb_bind_guard_report(const struct sb_client *c, const struct sb_bind_guard *g);

/* The socket's local address, false when it has none. */
bool sb_local_sockaddr(int fd, struct sockaddr_storage *ss, socklen_t *len);
/* The same as JSON, NULL when it has none. */
json_object *sb_local_address(int fd, int protocol);
