/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/bind.h"
#include "daemon/ifname.h"
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

int sb_bind_authorize(struct sb_request *req, const struct sb_sockinfo *si,
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	struct sb_policy_request preq;
	char summary[192], text[128];
	struct sb_strbuf b;

	sb_policy_request_init(&preq, SB_PM_BIND);
	preq.family = si->family;
	preq.type = si->type;
	preq.protocol = si->protocol;
	preq.address = sa;
	preq.address_len = len;
	preq.port = sb_sockaddr_port(sa, len);
	preq.netns = netns;
	if (sb_addr_to_text(sa, len, si->protocol, text, sizeof(text), NULL) < 0)
		snprintf(text, sizeof(text), "?");
	sb_strbuf_init(&b, summary, sizeof(summary));
	sb_strbuf_str(&b, sb_const_name(SB_C_AF, si->family) ?: "?");
	sb_strbuf_mem(&b, "/", 1);
	sb_strbuf_str(&b, sb_const_name(SB_C_SOCK, si->type) ?: "?");
	sb_strbuf_mem(&b, " ", 1);
	sb_strbuf_str(&b, text);
	if (sb_authorize(req, &preq, summary) < 0)
		return -EACCES;
	return 0;
}

int sb_bind_address(struct sb_request *req, const struct sb_sockinfo *si, json_object *address,
		    const char *netns, struct sockaddr_storage *ss, socklen_t *len)
{
	int r;

	/* The same address with every interface unset decides as this one
	 * would: the policy reads its family, host and port only. */
	r = sb_addr_from_json_with(address, si->family, si->protocol, sb_ifname_unset, ss, len,
				   &req->error);
	if (r < 0)
		return r;
	r = sb_bind_authorize(req, si, ss, *len, netns);
	if (r < 0)
		return r;
	return sb_addr_from_json_with(address, si->family, si->protocol, sb_ifname_index, ss, len,
				      &req->error);
}

int sb_bind_fd(int fd, const struct sockaddr_storage *ss, socklen_t len, int protocol,
	       struct sb_error *err)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	char text[128];
	int errnum;

	if (bind(fd, sa, len) == 0)
		return 0;
	errnum = errno;
	if (sb_addr_to_text(sa, len, protocol, text, sizeof(text), NULL) < 0)
		snprintf(text, sizeof(text), "?");
	return sb_error_set(err, SB_ERR_SYSTEM, errnum, "address", "bind %s: %s", text,
			    strerror(errnum));
}

int sb_bind_allowed(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    const struct sockaddr_storage *ss, socklen_t len)
{
	return sb_bind_fd(fd, ss, len, si->protocol, &req->error);
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
