/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <stdio.h>

#include "daemon/bind.h"
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
		      const struct sockaddr_storage *ss, socklen_t len, const char *netns,
		      char *text, size_t text_size)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	struct sb_policy_request preq;
	char summary[192];
	struct sb_strbuf b;

	sb_policy_request_init(&preq, SB_PM_BIND);
	preq.family = si->family;
	preq.type = si->type;
	preq.protocol = si->protocol;
	preq.address = sa;
	preq.address_len = len;
	preq.port = sb_sockaddr_port(sa, len);
	preq.netns = netns;
	if (sb_addr_to_text(sa, len, si->protocol, text, text_size, NULL) < 0)
		snprintf(text, text_size, "?");
	sb_strbuf_init(&b, summary, sizeof(summary));
	sb_strbuf_str(&b, sb_const_name(SB_C_AF, si->family) ?: "?");
	sb_strbuf_mem(&b, "/", 1);
	sb_strbuf_str(&b, sb_const_name(SB_C_SOCK, si->type) ?: "?");
	sb_strbuf_mem(&b, " ", 1);
	sb_strbuf_str(&b, text);
	return sb_authorize(req, &preq, summary);
}

int sb_bind_as_asked(int fd, const struct sockaddr_storage *ss, socklen_t len, const char *text,
		     struct sb_error *err)
{
	if (bind(fd, (const struct sockaddr *)ss, len) < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, "address", "bind %s: %m", text);
	return 0;
}

int sb_bind_checked(struct sb_request *req, int fd, const struct sb_sockinfo *si,
		    const struct sockaddr_storage *ss, socklen_t len, const char *netns)
{
	char text[SB_BIND_TEXT_MAX];

	if (sb_bind_authorize(req, si, ss, len, netns, text, sizeof(text)) < 0)
		return -EACCES;
	return sb_bind_as_asked(fd, ss, len, text, &req->error);
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
