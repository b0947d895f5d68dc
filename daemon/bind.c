/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/bind.h"
#include "daemon/log.h"
#include "proto/addr.h"
#include "proto/consts.h"
#include "proto/strbuf.h"

int sb_sockaddr_port(const struct sockaddr *sa, socklen_t len)
{
	switch (sa->sa_family) {
	case AF_INET:
	case AF_RDS: /* RDS binds a sockaddr_in */
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

int sb_bind_checked(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    const struct sockaddr_storage *ss, socklen_t len, const char *netns)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	_cleanup_close_ int hold = -1;
	struct sb_policy_request preq;
	char summary[256], text[128];
	socklen_t optlen = sizeof(int);
	bool any, must_stay_v6only = false;
	struct sockaddr_in v4;
	int v6only = 0;

	if (sb_addr_to_text(sa, len, si->protocol, text, sizeof(text), NULL) < 0)
		snprintf(text, sizeof(text), "?");
	bind_request(&preq, si, si->family, sa, len, netns);
	summarize(summary, sizeof(summary), si->family, si, text, "");
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	if (ipv4_side(fd, si, sa, len, &v4, &any)) {
		char v4text[INET_ADDRSTRLEN + 8], more[160];

		inet_ntop(AF_INET, &v4.sin_addr, v4text, sizeof(v4text));
		snprintf(v4text + strlen(v4text), 8, ":%u", ntohs(v4.sin_port));
		snprintf(more, sizeof(more), " (the IPv4 side of %s)", text);
		bind_request(&preq, si, AF_INET, (const struct sockaddr *)&v4, sizeof(v4), netns);
		summarize(summary, sizeof(summary), AF_INET, si, v4text, more);
		if (sb_authorize(req, &preq, summary) < 0)
			return -EACCES;
	} else if (any && ipv4_side_denied(req, si, &v4, netns)) {
		must_stay_v6only = true;
		hold = hold_ipv4_side(req, fd, si, &v4);
	}
	if (bind(fd, sa, len) < 0)
		return sb_error_set(&req->error, SB_ERR_SYSTEM, errno, "address", "bind %s: %m",
				    text);
	/* Bound, IPV6_V6ONLY is final: had the client cleared it with
	 * nothing holding the IPv4 side, the socket would be dual-stack
	 * against the policy. It stays the client's; the call fails. */
	if (must_stay_v6only &&
	    (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &optlen) < 0 || !v6only)) {
		log_error("uid=%u pid=%d: IPV6_V6ONLY was cleared during the bind to %s, which "
			  "the policy allows only IPv6-only",
			  (unsigned)req->conn->cred.uid, (int)req->conn->cred.pid, text);
		return sb_error_set(&req->error, SB_ERR_SYSTEM, EACCES, "address",
				    "IPV6_V6ONLY was cleared during the bind to %s", text);
	}
	return 0;
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
