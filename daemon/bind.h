/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Binding on a client's behalf, shared by Socket and Bind. */
#pragma once

#include <json-c/json.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "daemon/client-fd.h"
#include "daemon/request.h"

/* The port of an INET/INET6 (and RDS), VSOCK or QRTR address, or -1. */
int sb_sockaddr_port(const struct sockaddr *sa, socklen_t len);

/* What a bind the policy allowed needs when it is carried out. */
struct sb_bind_guard {
	/* A client's bind to "::" whose IPv4 side the policy denies: allowed
	 * only IPv6-only, which the worker checks on the socket, holding the
	 * IPv4 side (v4) meanwhile (sb_bind_guarded()). */
	bool must_stay_v6only;
	struct sockaddr_in v4;
	int type, protocol;   /* of the socket, for the hold */
	char rule[256];	      /* the rule that denies the IPv4 side */
	char v4_summary[256]; /* that request, for the log */
	bool v4_refused;      /* set by sb_bind_guarded(): dual-stack */
	bool v6only_cleared;  /* set by sb_bind_guarded(): cleared meanwhile */
	char text[128];	      /* the address, for errors and the log */
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
/* bind() to an address the policy allowed, as g says. Touches nothing
 * but fd, g and err: safe on a worker, where a client's socket is bound
 * (offload.h). 0 or -errno with err filled. */
int sb_bind_guarded(int fd, const struct sockaddr_storage *ss, socklen_t len,
		    struct sb_bind_guard *g, struct sb_error *err);
/* On the loop after sb_bind_guarded(): log (and count) what it refused. */
void sb_bind_guard_report(struct sb_client *c, const struct sb_bind_guard *g);

/* The socket's local address, false when it has none. */
bool sb_local_sockaddr(int fd, struct sockaddr_storage *ss, socklen_t *len);
/* The same as JSON, NULL when it has none. */
json_object *sb_local_address(int fd, int protocol);
