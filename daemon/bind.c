/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <linux/vm_sockets.h>
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/bind.h"
#include "daemon/ifname.h"
#include "daemon/log.h"
#include "proto/addr.h"
#include "proto/consts.h"
#include "proto/strbuf.h"

int sb_sockaddr_port(const struct sockaddr *sa, socklen_t len)
{
	switch (sa->sa_family) {
	case AF_INET: /* and RDS, which binds a sockaddr_in */
		if (len >= sizeof(struct sockaddr_in))
			return ntohs(((const struct sockaddr_in *)sa)->sin_port);
		break;
	case AF_INET6:
		if (len >= sizeof(struct sockaddr_in6))
			return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
		break;
	case AF_VSOCK:
		if (len >= sizeof(struct sockaddr_vm) &&
		    ((const struct sockaddr_vm *)sa)->svm_port <= INT32_MAX)
			return (int)((const struct sockaddr_vm *)sa)->svm_port;
		break;
#ifdef HAVE_LINUX_QRTR_H
	case AF_QIPCRTR:
		if (len >= sizeof(struct sockaddr_qrtr) &&
		    ((const struct sockaddr_qrtr *)sa)->sq_port <= INT32_MAX)
			return (int)((const struct sockaddr_qrtr *)sa)->sq_port;
		break;
#endif
	}
	return -1;
}

/* The bind request for sa on a socket like si. */
static void bind_request(struct sb_policy_request *preq, const struct sb_sockinfo *si, int family,
			 const struct sockaddr *sa, socklen_t len, const char *netns)
{
	sb_policy_request_init(preq, SB_PM_BIND);
	preq->family = family;
	preq->type = si->type;
	preq->protocol = si->protocol;
	preq->address = sa;
	preq->address_len = len;
	preq->port = sb_sockaddr_port(sa, len);
	preq->netns = netns;
}

/* "AF_INET6/SOCK_STREAM [::]:80", and more, for the log. */
static void summarize(char *summary, size_t size, int family, const struct sb_sockinfo *si,
		      const char *address, const char *more)
{
	struct sb_strbuf b;

	sb_strbuf_init(&b, summary, size);
	sb_strbuf_str(&b, sb_const_name(SB_C_AF, family) ?: "?");
	sb_strbuf_mem(&b, "/", 1);
	sb_strbuf_str(&b, sb_const_name(SB_C_SOCK, si->type) ?: "?");
	sb_strbuf_mem(&b, " ", 1);
	sb_strbuf_str(&b, address);
	sb_strbuf_str(&b, more);
}

/* An AF_INET6 bind to "::" binds 0.0.0.0 too (dual-stack) unless the
 * socket is IPV6_V6ONLY, and one to ::ffff:a.b.c.d binds a.b.c.d: the
 * IPv4 address the kernel will bind, as *v4, for its own decision. Raw
 * and ICMPv6 sockets never get IPv4 traffic. *any: sa is "::" on a
 * socket that may have dual-stack binds. */
static bool ipv4_side(int fd, const struct sb_sockinfo *si, const struct sockaddr *sa,
		      socklen_t len, struct sockaddr_in *v4, bool *any)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	socklen_t optlen = sizeof(int);
	int v6only = 0;

	*any = false;
	if (si->family != AF_INET6 || sa->sa_family != AF_INET6 || len < sizeof(*sin6) ||
	    si->type == SOCK_RAW || si->protocol == IPPROTO_ICMPV6)
		return false;
	*v4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = sin6->sin6_port};
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(&v4->sin_addr, &sin6->sin6_addr.s6_addr[12], sizeof(v4->sin_addr));
		return true;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		return false;
	*any = true;
	/* Unreadable counts as dual-stack, the stricter reading. */
	return getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &optlen) < 0 || !v6only;
}

/* Would the policy deny the IPv4 side v4 of a bind? Asked without a
 * record: the bind decided on is the IPv6-only one. */
static bool ipv4_side_denied(struct sb_request *req, const struct sb_sockinfo *si,
			     const struct sockaddr_in *v4, const char *netns)
{
	struct sb_policy_request preq;
	struct sb_policy_subject who;
	struct sb_decision d;

	bind_request(&preq, si, AF_INET, (const struct sockaddr *)v4, sizeof(*v4), netns);
	sb_client_subject(req->conn, &who);
	sb_policy_check(req->conn->server->policy, &who, &preq, &d);
	return !d.allow;
}

/* A socket the client sent is the client's too: it may clear
 * IPV6_V6ONLY between the daemon's look and bind() (the kernel fixes it
 * at bind). Holding 0.0.0.0 on the port meanwhile makes a dual-stack
 * bind fail with EADDRINUSE. The holding socket, or -1. */
static int hold_ipv4_side(const struct sb_request *req, int fd, const struct sb_sockinfo *si,
			  const struct sockaddr_in *v4)
{
	int hold;

	if (req->frame->n_fds == 0 || req->frame->fds[0] != fd || v4->sin_port == 0)
		return -1;
	hold = socket(AF_INET, si->type | SOCK_CLOEXEC, si->protocol);
	if (hold >= 0 && bind(hold, (const struct sockaddr *)v4, sizeof(*v4)) < 0)
		hold = safe_close(hold);
	return hold;
}

int sb_bind_authorize(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns,
		      struct sb_bind_guard *g)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	struct sb_policy_request preq;
	char summary[256];
	struct sockaddr_in v4;
	bool any;

	*g = (struct sb_bind_guard){ .hold = -1 };
	if (sb_addr_to_text(sa, len, si->protocol, g->text, sizeof(g->text), NULL) < 0)
		snprintf(g->text, sizeof(g->text), "?");
	bind_request(&preq, si, si->family, sa, len, netns);
	summarize(summary, sizeof(summary), si->family, si, g->text, "");
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	if (ipv4_side(fd, si, sa, len, &v4, &any)) {
		char v4text[INET_ADDRSTRLEN + 8], more[160];

		inet_ntop(AF_INET, &v4.sin_addr, v4text, sizeof(v4text));
		snprintf(v4text + strlen(v4text), 8, ":%u", ntohs(v4.sin_port));
		snprintf(more, sizeof(more), " (the IPv4 side of %s)", g->text);
		bind_request(&preq, si, AF_INET, (const struct sockaddr *)&v4, sizeof(v4), netns);
		summarize(summary, sizeof(summary), AF_INET, si, v4text, more);
		if (sb_authorize(req, &preq, summary) < 0)
			return -EACCES;
	} else if (any && ipv4_side_denied(req, si, &v4, netns)) {
		g->must_stay_v6only = true;
		g->hold = hold_ipv4_side(req, fd, si, &v4);
	}
	return 0;
}

int sb_bind_address(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    json_object *address, const char *netns, struct sockaddr_storage *ss,
		    socklen_t *len, struct sb_bind_guard *g)
{
	int r;

	/* The same address with every interface unset decides as this one
	 * would: the policy reads its family, host and port only. */
	r = sb_addr_from_json_with(address, si->family, si->protocol, sb_ifname_unset, ss, len,
				   &req->error);
	if (r < 0)
		return r;
	r = sb_bind_authorize(req, fd, si, ss, *len, netns, g);
	if (r < 0)
		return r;
	return sb_addr_from_json_with(address, si->family, si->protocol, sb_ifname_index, ss, len,
				      &req->error);
}

int sb_bind_guarded(int fd, const struct sockaddr_storage *ss, socklen_t len,
		    struct sb_bind_guard *g, struct sb_error *err)
{
	socklen_t optlen = sizeof(int);
	int v6only = 0, errnum;

	if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
		errnum = errno;
		g->hold = safe_close(g->hold);
		return sb_error_set(err, SB_ERR_SYSTEM, errnum, "address", "bind %s: %s", g->text,
				    strerror(errnum));
	}
	g->hold = safe_close(g->hold);
	/* Bound, IPV6_V6ONLY is final: had the client cleared it with
	 * nothing holding the IPv4 side, the socket would be dual-stack
	 * against the policy. It stays the client's; the call fails. */
	if (g->must_stay_v6only &&
	    (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &optlen) < 0 || !v6only)) {
		g->v6only_cleared = true;
		return sb_error_set(err, SB_ERR_SYSTEM, EACCES, "address",
				    "IPV6_V6ONLY was cleared during the bind to %s", g->text);
	}
	return 0;
}

void sb_bind_guard_report(const struct sb_client *c, const struct sb_bind_guard *g)
{
	if (g->v6only_cleared)
		log_error("uid=%u pid=%d: IPV6_V6ONLY was cleared during the bind to %s, which "
			  "the policy allows only IPv6-only",
			  (unsigned)c->cred.uid, (int)c->cred.pid, g->text);
}

bool sb_local_sockaddr(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	return getsockname(fd, (struct sockaddr *)ss, len) == 0 && *len > sizeof(sa_family_t);
}

json_object *sb_local_address(int fd, int protocol)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!sb_local_sockaddr(fd, &ss, &len))
		return NULL;
	return sb_addr_to_json((struct sockaddr *)&ss, len, protocol, NULL);
}
