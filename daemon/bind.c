/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>
#ifdef HAVE_LINUX_QRTR_H
#include <linux/qrtr.h>
#endif
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/audit.h"
#include "daemon/authorize.h"
#include "daemon/bind.h"
#include "daemon/client.h"
#include "daemon/ifname.h"
#include "daemon/log.h"
#include "proto/addr.h"
#include "proto/consts.h"
#include "proto/strbuf.h"

#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#endif

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

/* What psm= and channel= read of a Bluetooth address: the PSM of an
 * L2CAP one, the channel of an RFCOMM or HCI one. (Without libbluetooth's
 * headers no Bluetooth address is ever parsed.) */
static void bluetooth_fields(struct sb_policy_request *preq, int protocol,
			     const struct sockaddr *sa, socklen_t len)
{
#ifdef HAVE_BLUETOOTH_BLUETOOTH_H
	if (sa->sa_family != AF_BLUETOOTH)
		return;
	if (protocol == BTPROTO_L2CAP && len >= sizeof(struct sockaddr_l2))
		preq->psm = btohs(((const struct sockaddr_l2 *)sa)->l2_psm);
	else if (protocol == BTPROTO_RFCOMM && len >= sizeof(struct sockaddr_rc))
		preq->channel = ((const struct sockaddr_rc *)sa)->rc_channel;
	else if (protocol == BTPROTO_HCI && len >= sizeof(struct sockaddr_hci))
		preq->channel = ((const struct sockaddr_hci *)sa)->hci_channel;
#else
	(void)preq, (void)protocol, (void)sa, (void)len;
#endif
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
	bluetooth_fields(preq, si->protocol, sa, len);
}

/* The multicast groups of a netlink address, as a mask (0: none). */
static uint32_t netlink_groups(const struct sockaddr *sa, socklen_t len)
{
	if (sa->sa_family != AF_NETLINK || len < sizeof(struct sockaddr_nl))
		return 0;
	return ((const struct sockaddr_nl *)sa)->nl_groups;
}

/* A netlink bind joins each group of its mask: each is decided on its
 * own, and all must allow, so that "deny ... groups=N" holds whatever
 * other groups come with N. A bind to no group is decided once. */
static int authorize_groups(struct sb_request *req, struct sb_policy_request *preq,
			    const char *summary, uint32_t groups)
{
	char more[320];

	for (int bit = 0; bit < 32; bit++) {
		if (!(groups & (UINT32_C(1) << bit)))
			continue;
		preq->group = bit + 1;
		snprintf(more, sizeof(more), "%s (group %d)", summary, bit + 1);
		if (sb_authorize(req, preq, more) < 0)
			return -EACCES;
	}
	return 0;
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

/* An AF_INET6 bind binds IPv4 too: to ::ffff:a.b.c.d always, to "::"
 * unless the socket is IPV6_V6ONLY (dual-stack). The IPv4 address the
 * kernel will bind, as *v4, for its own decision; *any: sa is "::", so
 * the socket's IPV6_V6ONLY decides. Raw and ICMPv6 sockets never get
 * IPv4 traffic. Reads nothing of the socket: a client's socket is read
 * only on a worker (offload.h), as some families' getsockopt() take the
 * lock its owner may hold (MPTCP's). */
static bool ipv4_side(const struct sb_sockinfo *si, const struct sockaddr *sa, socklen_t len,
		      struct sockaddr_in *v4, bool *any)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	*any = false;
	if (si->family != AF_INET6 || sa->sa_family != AF_INET6 || len < sizeof(*sin6) ||
	    si->type == SOCK_RAW || si->protocol == IPPROTO_ICMPV6)
		return false;
	*v4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = sin6->sin6_port};
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(&v4->sin_addr, &sin6->sin6_addr.s6_addr[12], sizeof(v4->sin_addr));
		return true;
	}
	*any = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	return *any;
}

/* Is the socket IPv6-only? Unreadable counts as dual-stack, the stricter
 * reading. */
static bool is_v6only(int fd)
{
	socklen_t optlen = sizeof(int);
	int v6only = 0;

	return getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &optlen) == 0 && v6only;
}

/* The descriptor the call carried, not a socket the daemon made. */
static bool clients_socket(const struct sb_request *req, int fd)
{
	return req->frame && req->frame->n_fds > 0 && req->frame->fds[0] == fd;
}

/* The policy's word on the IPv4 side v4 of a client's bind to "::",
 * asked without a record: whether it holds is up to the socket's
 * IPV6_V6ONLY, which the worker reads (sb_bind_guarded()). */
static bool ipv4_side_denied(struct sb_request *req, const struct sb_sockinfo *si,
			     const struct sockaddr_in *v4, const char *netns,
			     struct sb_bind_guard *g)
{
	struct sb_policy_request preq;
	struct sb_policy_subject who;
	struct sb_decision d;

	bind_request(&preq, si, AF_INET, (const struct sockaddr *)v4, sizeof(*v4), netns);
	sb_client_subject(req->conn, &who);
	sb_policy_check(req->conn->server->policy, &who, &preq, &d);
	if (!d.allow)
		snprintf(g->rule, sizeof(g->rule), "%s", d.rule);
	return !d.allow;
}

int sb_bind_authorize(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns,
		      struct sb_bind_guard *g)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	struct sb_policy_request preq;
	char summary[256], v4text[INET_ADDRSTRLEN + 8], more[160];
	struct sockaddr_in v4;
	bool any;

	*g = (struct sb_bind_guard){.type = si->type, .protocol = si->protocol};
	if (sb_addr_to_text(sa, len, si->protocol, g->text, sizeof(g->text), NULL) < 0)
		snprintf(g->text, sizeof(g->text), "?");
	bind_request(&preq, si, si->family, sa, len, netns);
	summarize(summary, sizeof(summary), si->family, si, g->text, "");
	if (netlink_groups(sa, len))
		return authorize_groups(req, &preq, summary, netlink_groups(sa, len));
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	if (!ipv4_side(si, sa, len, &v4, &any))
		return 0;
	inet_ntop(AF_INET, &v4.sin_addr, v4text, sizeof(v4text));
	snprintf(v4text + strlen(v4text), 8, ":%u", ntohs(v4.sin_port));
	snprintf(more, sizeof(more), " (the IPv4 side of %s)", g->text);
	if (any && clients_socket(req, fd)) {
		/* Decided now, enforced by the worker as the socket is then. */
		if (ipv4_side_denied(req, si, &v4, netns, g)) {
			g->must_stay_v6only = true;
			g->v4 = v4;
			summarize(g->v4_summary, sizeof(g->v4_summary), AF_INET, si, v4text, more);
		}
		return 0;
	}
	/* A v4-mapped address, or the daemon's own socket, whose
	 * IPV6_V6ONLY nobody else can change. */
	if (any && is_v6only(fd))
		return 0;
	bind_request(&preq, si, AF_INET, (const struct sockaddr *)&v4, sizeof(v4), netns);
	summarize(summary, sizeof(summary), AF_INET, si, v4text, more);
	return sb_authorize(req, &preq, summary) < 0 ? -EACCES : 0;
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

/* Holding 0.0.0.0 on the port makes a dual-stack bind fail with
 * EADDRINUSE: a client that clears IPV6_V6ONLY between the worker's look
 * and bind() gets no IPv4 side. Port 0 needs no hold: the kernel picks a
 * port any user may bind. 0, or -errno with err filled. */
static int hold_ipv4_side(struct sb_bind_guard *g, int *hold, struct sb_error *err)
{
	int errnum;

	*hold = -1;
	if (g->v4.sin_port == 0)
		return 0;
	*hold = socket(AF_INET, g->type | SOCK_CLOEXEC, g->protocol);
	if (*hold >= 0 && bind(*hold, (const struct sockaddr *)&g->v4, sizeof(g->v4)) == 0)
		return 0;
	errnum = errno;
	*hold = safe_close(*hold);
	return sb_error_set(err, SB_ERR_SYSTEM, errnum, "address",
			    "the policy allows %s only IPv6-only, and its IPv4 side cannot be held "
			    "during the bind: %s",
			    g->text, strerror(errnum));
}

int sb_bind_guarded(int fd, const struct sockaddr_storage *ss, socklen_t len,
		    struct sb_bind_guard *g, struct sb_error *err)
{
	_cleanup_close_ int hold = -1;
	int r, errnum;

	if (g->must_stay_v6only) {
		r = hold_ipv4_side(g, &hold, err);
		if (r < 0)
			return r;
		if (!is_v6only(fd)) {
			g->v4_refused = true;
			sb_error_set(err, SB_ERR_PERMISSION_DENIED, EACCES, NULL,
				     "policy denies bind %s (rule %s): set IPV6_V6ONLY for %s",
				     g->v4_summary, g->rule, g->text);
			snprintf(err->parameter, sizeof(err->parameter), "%.*s",
				 (int)sizeof(err->parameter) - 1, g->rule);
			return -EACCES;
		}
	}
	if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
		errnum = errno;
		return sb_error_set(err, SB_ERR_SYSTEM, errnum, "address", "bind %s: %s", g->text,
				    strerror(errnum));
	}
	/* Bound, IPV6_V6ONLY is final. With the IPv4 side held, a client
	 * that cleared it meanwhile got EADDRINUSE above; without a hold
	 * (port 0), say so. The socket stays the client's. */
	if (g->must_stay_v6only && !is_v6only(fd)) {
		g->v6only_cleared = true;
		return sb_error_set(err, SB_ERR_SYSTEM, EACCES, "address",
				    "IPV6_V6ONLY was cleared during the bind to %s", g->text);
	}
	return 0;
}

void sb_bind_guard_report(struct sb_client *c, const struct sb_bind_guard *g)
{
	if (g->v4_refused) {
		struct sb_decision d = {.allow = false, .rule = g->rule};

		c->server->n_denials++;
		sb_audit_decision(c, "bind", g->v4_summary, &d);
	}
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
