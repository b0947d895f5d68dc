/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>

#include "proto/cursor.h"
#include "proto/compact-bind.h"
#include "proto/protocol.h"
#include "proto/strbuf.h"

#define CALL_HEAD "{\"method\":\"" SB_METHOD_BIND "\",\"parameters\":{\"fd\":0,\"address\":"
#define REPLY_HEAD "{\"parameters\":{\"address\":"

/* The address object, members in the order addr.c writes them. */
static bool put_address(struct sb_strbuf *b, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	char host[INET6_ADDRSTRLEN];
	bool inet6 = sa->sa_family == AF_INET6;

	if (sa->sa_family == AF_INET && len >= sizeof(*sin)) {
		sb_strbuf_str(b, "{\"host\":\"");
		sb_strbuf_ipv4(b, &sin->sin_addr);
	} else if (inet6 && len >= sizeof(*sin6) && sin6->sin6_scope_id == 0 &&
		   inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host))) {
		sb_strbuf_str(b, "{\"host\":\"");
		sb_strbuf_str(b, host);
	} else {
		return false;
	}
	sb_strbuf_str(b, "\",\"port\":");
	sb_strbuf_uint(b, ntohs(inet6 ? sin6->sin6_port : sin->sin_port));
	if (inet6) {
		sb_strbuf_str(b, ",\"flowinfo\":");
		sb_strbuf_uint(b, ntohl(sin6->sin6_flowinfo));
		sb_strbuf_str(b, ",\"scope_id\":0");
	}
	sb_strbuf_str(b, "}");
	return true;
}

static int format(char *buf, size_t size, const char *head, const struct sockaddr *sa,
		  socklen_t len)
{
	struct sb_strbuf b;

	if (!sa || size == 0)
		return -1;
	sb_strbuf_init(&b, buf, size);
	sb_strbuf_str(&b, head);
	if (!put_address(&b, sa, len))
		return -1;
	sb_strbuf_str(&b, "}}");
	return b.full ? -1 : (int)b.len;
}

int sb_compact_bind_call_format(char *buf, size_t size, const struct sockaddr *sa, socklen_t len)
{
	return format(buf, size, CALL_HEAD, sa, len);
}

int sb_compact_bind_reply_format(char *buf, size_t size, const struct sockaddr *sa, socklen_t len)
{
	return format(buf, size, REPLY_HEAD, sa, len);
}

/* The host's characters as inet_ntop() writes them: digits, lower-case
 * hex, dots and colons, nothing JSON escapes. Copied into host. */
static void host_text(struct sb_cursor *c, char host[static INET6_ADDRSTRLEN])
{
	const char *p = c->p;

	while (p < c->end && p - c->p < INET6_ADDRSTRLEN - 1 &&
	       ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == '.' || *p == ':'))
		p++;
	if (!c->ok || p == c->p) {
		c->ok = false;
		return;
	}
	memcpy(host, c->p, (size_t)(p - c->p));
	host[p - c->p] = 0;
	c->p = p;
}

/* Whether host is the text inet_ntop() writes for the address. */
static bool canonical_host(int family, const void *addr, const char *host)
{
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET) {
		struct sb_strbuf b;

		/* inet_ntop()'s spelling without its sprintf(). */
		sb_strbuf_init(&b, text, sizeof(text));
		sb_strbuf_ipv4(&b, addr);
	} else if (!inet_ntop(family, addr, text, sizeof(text))) {
		return false;
	}
	return strcmp(text, host) == 0;
}

/* Read head and the address after it. What is accepted is exactly what
 * the writer writes (fuzz-compact-bind holds the two to it): every
 * literal in its place, numbers as "%u" writes them, the host in
 * inet_ntop()'s spelling, nothing after. */
static bool parse(const char *data, size_t len, const char *head, struct sockaddr_storage *ss,
		  socklen_t *sslen)
{
	struct sb_cursor c = {data, data + len, true};
	char host[INET6_ADDRSTRLEN];
	int port;

	if (len >= SB_COMPACT_BIND_MAX)
		return false;
	memset(ss, 0, sizeof(*ss));
	sb_cursor_expect(&c, head);
	sb_cursor_expect(&c, "{\"host\":\"");
	host_text(&c, host);
	sb_cursor_expect(&c, "\",\"port\":");
	port = sb_cursor_number(&c);
	if (!c.ok || port > UINT16_MAX)
		return false;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sb_cursor_expect(&c, ",\"flowinfo\":");
		sin6->sin6_flowinfo = htonl((uint32_t)sb_cursor_number(&c));
		sb_cursor_expect(&c, ",\"scope_id\":0");
		if (!c.ok || inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1 ||
		    !canonical_host(AF_INET6, &sin6->sin6_addr, host))
			return false;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1 ||
		    !canonical_host(AF_INET, &sin->sin_addr, host))
			return false;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*sin);
	}
	/* The address, the parameters, the message. */
	sb_cursor_expect(&c, "}}}");
	return c.ok && c.p == c.end;
}

bool sb_compact_bind_call_parse(const char *data, size_t len, struct sockaddr_storage *ss,
				socklen_t *sslen)
{
	return parse(data, len, CALL_HEAD, ss, sslen);
}

bool sb_compact_bind_reply_read(const char *data, size_t len, struct sockaddr_storage *ss,
				socklen_t *sslen)
{
	return parse(data, len, REPLY_HEAD, ss, sslen);
}

bool sb_compact_bind_reply_parse(const char *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen;

	return sb_compact_bind_reply_read(data, len, &ss, &sslen);
}
