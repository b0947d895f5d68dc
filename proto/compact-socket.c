/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/consts.h"
#include "proto/cursor.h"
#include "proto/compact-socket.h"
#include "proto/protocol.h"
#include "proto/strbuf.h"
#include "proto/util.h"

#define CALL_HEAD "{\"method\":\"" SB_METHOD_SOCKET "\",\"parameters\":{\"family\":"
#define REPLY_HEAD "{\"parameters\":{\"fd\":0,\"family\":"

/* The flags parameter by mask: bit 0 SOCK_NONBLOCK, bit 1 SOCK_CLOEXEC,
 * the order the general path lists them in. */
static const char *const flag_forms[] = {
	"",
	",\"flags\":[\"SOCK_NONBLOCK\"]",
	",\"flags\":[\"SOCK_CLOEXEC\"]",
	",\"flags\":[\"SOCK_NONBLOCK\",\"SOCK_CLOEXEC\"]",
};

static int flags_to_form(int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -1;
	return ((flags & SOCK_NONBLOCK) ? 1 : 0) | ((flags & SOCK_CLOEXEC) ? 2 : 0);
}

static int form_to_flags(int form)
{
	return ((form & 1) ? SOCK_NONBLOCK : 0) | ((form & 2) ? SOCK_CLOEXEC : 0);
}

/* A constant of group as the reply writes it: a name in quotes (upper
 * case, digits, underscores: nothing JSON escapes) or a number. */
static int constant(struct sb_cursor *c, enum sb_const_group group)
{
	char name[64];
	int64_t v;
	const char *p;

	if (!c->ok || c->p == c->end)
		goto fail;
	if (*c->p != '"')
		return sb_cursor_number(c);
	for (p = c->p + 1;
	     p < c->end && ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'); p++)
		;
	if (p == c->p + 1 || p == c->end || *p != '"' || (size_t)(p - c->p) > sizeof(name))
		goto fail;
	memcpy(name, c->p + 1, (size_t)(p - c->p - 1));
	name[p - c->p - 1] = 0;
	if (sb_const_value(group, name, &v) < 0 || v < 0 || v > INT_MAX)
		goto fail;
	c->p = p + 1;
	return (int)v;
fail:
	c->ok = false;
	return -1;
}

int sb_compact_socket_call_format(char *buf, size_t size, const struct sb_compact_socket *s)
{
	int form = flags_to_form(s->flags);
	struct sb_strbuf b;

	if (form < 0 || (s->type & (SOCK_NONBLOCK | SOCK_CLOEXEC)) || size == 0)
		return -1;
	sb_strbuf_init(&b, buf, size);
	sb_strbuf_str(&b, CALL_HEAD);
	sb_strbuf_int(&b, s->family);
	sb_strbuf_str(&b, ",\"type\":");
	sb_strbuf_int(&b, s->type);
	sb_strbuf_str(&b, flag_forms[form]);
	sb_strbuf_str(&b, ",\"protocol\":");
	sb_strbuf_int(&b, s->protocol);
	sb_strbuf_str(&b, "}}");
	return b.full ? -1 : (int)b.len;
}

bool sb_compact_socket_call_parse(const char *data, size_t len, struct sb_compact_socket *s)
{
	struct sb_cursor c = {data, data + len, true};
	int form = 0;

	sb_cursor_expect(&c, CALL_HEAD);
	s->family = sb_cursor_number(&c);
	sb_cursor_expect(&c, ",\"type\":");
	s->type = sb_cursor_number(&c);
	if (!c.ok)
		return false;
	/* The longest form first: each shorter one is a prefix of none of
	 * the others, but "" is a prefix of all. */
	for (form = (int)ELEMENTSOF(flag_forms) - 1; form > 0; form--) {
		size_t n = strlen(flag_forms[form]);

		if ((size_t)(c.end - c.p) >= n && memcmp(c.p, flag_forms[form], n) == 0) {
			c.p += n;
			break;
		}
	}
	s->flags = form_to_flags(form);
	sb_cursor_expect(&c, ",\"protocol\":");
	s->protocol = sb_cursor_number(&c);
	sb_cursor_expect(&c, "}}");
	return c.ok && c.p == c.end && !(s->type & (SOCK_NONBLOCK | SOCK_CLOEXEC));
}

static void put_constant(struct sb_strbuf *b, enum sb_const_group group, int v)
{
	const char *name = sb_const_name(group, v);

	if (name) {
		sb_strbuf_mem(b, "\"", 1);
		sb_strbuf_str(b, name);
		sb_strbuf_mem(b, "\"", 1);
	} else {
		sb_strbuf_int(b, v);
	}
}

int sb_compact_socket_reply_format(char *buf, size_t size, int family, int type, int protocol)
{
	struct sb_strbuf b;

	if (family < 0 || type < 0 || protocol < 0 || size == 0)
		return -1;
	sb_strbuf_init(&b, buf, size);
	sb_strbuf_str(&b, REPLY_HEAD);
	put_constant(&b, SB_C_AF, family);
	sb_strbuf_str(&b, ",\"type\":");
	put_constant(&b, SB_C_SOCK, type);
	sb_strbuf_str(&b, ",\"protocol\":");
	sb_strbuf_int(&b, protocol);
	sb_strbuf_str(&b, "}}");
	return b.full ? -1 : (int)b.len;
}

bool sb_compact_socket_reply_read(const char *data, size_t len, struct sb_compact_socket *s)
{
	struct sb_cursor c = {data, data + len, true};

	sb_cursor_expect(&c, REPLY_HEAD);
	s->family = constant(&c, SB_C_AF);
	sb_cursor_expect(&c, ",\"type\":");
	s->type = constant(&c, SB_C_SOCK);
	sb_cursor_expect(&c, ",\"protocol\":");
	s->protocol = sb_cursor_number(&c);
	s->flags = 0;
	sb_cursor_expect(&c, "}}");
	return c.ok && c.p == c.end;
}

bool sb_compact_socket_reply_parse(const char *data, size_t len)
{
	struct sb_compact_socket s;

	return sb_compact_socket_reply_read(data, len, &s);
}
