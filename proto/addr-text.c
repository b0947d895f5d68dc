/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text form of addresses (the part after '@' of a socket spec): fields
 * separated by ':' that spell the keys of the JSON object, which addr.c
 * validates and encodes. Going through the object keeps one set of rules
 * for both syntaxes, and makes text the exact inverse of JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/addr-internal.h"
#include "proto/number.h"
#include "proto/strbuf.h"

enum kind {
	K_STR,	  /* the text as it is */
	K_NUM,	  /* a number: decimal, or hex with 0x */
	K_HEX,	  /* a number, written back in hex */
	K_CONST,  /* a number, or a constant's name */
	K_IFNAME, /* an interface index (digits only), or an interface name */
};

struct field {
	const char *key;
	enum kind kind;
	unsigned tokens; /* ':'-separated tokens it spans; 0 is the rest */
};

/* Fields in order; the ones past required may be left out from the end,
 * and are left out on output when they hold their default (0 or ""). */
struct form {
	const struct field *fields;
	size_t n;
	size_t required;
};

static const struct field inet_fields[] = {
	{"host", K_STR, 1},
	{"port", K_NUM, 1},
};
static const struct field netlink_fields[] = {
	{"pid", K_NUM, 1},
	{"groups", K_NUM, 1},
};
static const struct field tipc_fields[] = {
	{"addr_type", K_CONST, 1}, {"v1", K_NUM, 1},	  {"v2", K_NUM, 1},
	{"v3", K_NUM, 1},	   {"scope", K_CONST, 1},
};
static const struct field can_fields[] = {
	{"ifname", K_IFNAME, 1},
};
static const struct field isotp_fields[] = {
	{"ifname", K_IFNAME, 1},
	{"rx_id", K_HEX, 1},
	{"tx_id", K_HEX, 1},
};
static const struct field j1939_fields[] = {
	{"ifname", K_IFNAME, 1},
	{"name", K_HEX, 1},
	{"pgn", K_HEX, 1},
	{"addr", K_HEX, 1},
};
/* The hardware address has ':' inside: it takes the rest of the text. */
static const struct field packet_fields[] = {
	{"ifname", K_IFNAME, 1}, {"protocol", K_CONST, 1}, {"pkttype", K_CONST, 1},
	{"hatype", K_NUM, 1},	 {"addr", K_STR, 0},
};
static const struct field alg_fields[] = {
	{"type", K_STR, 1},
	{"name", K_STR, 1},
	{"feat", K_NUM, 1},
	{"mask", K_NUM, 1},
};
static const struct field vsock_fields[] = {
	{"cid", K_CONST, 1},
	{"port", K_CONST, 1},
	{"flags", K_NUM, 1},
};
static const struct field qrtr_fields[] = {
	{"node", K_CONST, 1},
	{"port", K_CONST, 1},
};
/* A Bluetooth address spans six ':'-separated tokens. */
static const struct field l2cap_fields[] = {
	{"bdaddr", K_STR, 6},
	{"psm", K_NUM, 1},
	{"cid", K_NUM, 1},
	{"bdaddr_type", K_NUM, 1},
};
static const struct field rfcomm_fields[] = {
	{"bdaddr", K_STR, 6},
	{"channel", K_NUM, 1},
};
static const struct field hci_fields[] = {
	{"dev", K_NUM, 1},
	{"channel", K_NUM, 1},
};
static const struct field sco_fields[] = {
	{"bdaddr", K_STR, 6},
};

#define FORM(fields, required)                       \
	{                                            \
		fields, ELEMENTSOF(fields), required \
	}

/* AF_UNIX and AF_INET6 have forms of their own (below). */
static const struct form forms[SB_ADDR_MAX_SHAPE] = {
	[SB_ADDR_INET] = FORM(inet_fields, 2),	     [SB_ADDR_NETLINK] = FORM(netlink_fields, 2),
	[SB_ADDR_TIPC] = FORM(tipc_fields, 4),	     [SB_ADDR_CAN] = FORM(can_fields, 1),
	[SB_ADDR_CAN_ISOTP] = FORM(isotp_fields, 3), [SB_ADDR_CAN_J1939] = FORM(j1939_fields, 4),
	[SB_ADDR_PACKET] = FORM(packet_fields, 1),   [SB_ADDR_ALG] = FORM(alg_fields, 2),
	[SB_ADDR_VSOCK] = FORM(vsock_fields, 2),     [SB_ADDR_QRTR] = FORM(qrtr_fields, 2),
	[SB_ADDR_L2CAP] = FORM(l2cap_fields, 2),     [SB_ADDR_RFCOMM] = FORM(rfcomm_fields, 2),
	[SB_ADDR_HCI] = FORM(hci_fields, 1),	     [SB_ADDR_SCO] = FORM(sco_fields, 1),
};

/* What follows "[HOST%SCOPE]:" in the AF_INET6 form. */
static const struct field inet6_tail_fields[] = {
	{"port", K_NUM, 1},
	{"flowinfo", K_NUM, 1},
};
static const struct form inet6_tail = FORM(inet6_tail_fields, 1);
static const struct field inet6_scope = {"scope_id", K_IFNAME, 1};

/* ------------------------------------------------------------------ */
/* Text to object */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A number as a JSON integer: numbers up to UINT64_MAX are kept so that
 * 64-bit fields (J1939 names) fit, and a hex number may be negative. */
static int number_json(const struct field *f, const char *s, json_object **ret,
		       struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];
	uint64_t v;
	bool negative;
	int r;

	r = sb_number_parse(s, SB_NUMBER_NEGATIVE_HEX, UINT64_MAX, &negative, &v);
	if (r == -ERANGE)
		return sb_error_param(err, f->key, "%s: %s is out of range", f->key,
				      sb_addr_printable(s, buf));
	if (r < 0)
		return sb_error_param(err, f->key, "%s: '%s' is not a number", f->key,
				      sb_addr_printable(s, buf));
	if (!negative && v > INT64_MAX)
		*ret = json_object_new_uint64(v);
	else
		*ret = json_object_new_int64(sb_number_int64(negative, v));
	return 0;
}

static int add_field(json_object *obj, const struct field *f, const char *s, size_t n,
		     struct sb_error *err)
{
	char tok[SB_ADDR_TEXT_MAX + 1];
	json_object *v = NULL;
	int r = 0;

	/* The whole text is at most SB_ADDR_TEXT_MAX bytes. */
	memcpy(tok, s, n);
	tok[n] = '\0';
	switch (f->kind) {
	case K_STR:
		v = json_object_new_string(tok);
		break;
	case K_IFNAME:
		if (all_digits(tok))
			r = number_json(f, tok, &v, err);
		else
			v = json_object_new_string(tok);
		break;
	case K_CONST:
		if (n > 0 && !((tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-')) {
			v = json_object_new_string(tok);
			break;
		}
		/* fall through */
	case K_NUM:
	case K_HEX:
		if (n == 0)
			return sb_error_param(err, f->key, "%s: empty field in the address",
					      f->key);
		r = number_json(f, tok, &v, err);
		break;
	}
	if (r < 0)
		return r;
	if (sb_json_add(obj, f->key, v) < 0)
		return sb_error_oom(err);
	return 0;
}

/* Where a field spanning tokens ':'-separated tokens from p ends. */
static const char *field_end(const char *p, unsigned tokens)
{
	if (tokens == 0)
		return p + strlen(p);
	for (unsigned t = 0;; t++) {
		p += strcspn(p, ":");
		if (t + 1 == tokens || *p != ':')
			return p;
		p++;
	}
}

static int parse_fields(const char *text, const struct form *form, json_object *obj,
			struct sb_error *err)
{
	const char *p = text;

	for (size_t i = 0; i < form->n; i++) {
		const char *end = field_end(p, form->fields[i].tokens);
		int r;

		r = add_field(obj, &form->fields[i], p, (size_t)(end - p), err);
		if (r < 0)
			return r;
		if (*end == '\0') {
			if (i + 1 < form->required)
				return sb_error_param(err, form->fields[i + 1].key,
						      "%s: missing from the address",
						      form->fields[i + 1].key);
			return 0;
		}
		p = end + 1;
	}
	return sb_error_param(err, "address", "address: more than %zu ':'-separated fields",
			      form->n);
}

static int unix_parse(const char *text, json_object *obj, struct sb_error *err)
{
	static const struct field path = {"path", K_STR, 0}, abstract = {"abstract", K_STR, 0};

	if (text[0] == '@')
		return add_field(obj, &abstract, text + 1, strlen(text + 1), err);
	return add_field(obj, &path, text, strlen(text), err);
}

/* [HOST]:PORT, [HOST%SCOPE]:PORT, and :FLOWINFO after the port. */
static int inet6_parse(const char *text, json_object *obj, struct sb_error *err)
{
	static const struct field host = {"host", K_STR, 1};
	const char *close, *pct;
	int r;

	close = strchr(text, ']');
	if (text[0] != '[' || !close)
		return sb_error_param(err, "address",
				      "address: expected [HOST]:PORT or [HOST%%SCOPE]:PORT");
	pct = memchr(text + 1, '%', (size_t)(close - text - 1));
	r = add_field(obj, &host, text + 1, (size_t)((pct ? pct : close) - text - 1), err);
	if (r < 0)
		return r;
	if (pct) {
		if (pct + 1 == close)
			return sb_error_param(err, "scope_id", "scope_id: empty after '%%'");
		r = add_field(obj, &inet6_scope, pct + 1, (size_t)(close - pct - 1), err);
		if (r < 0)
			return r;
	}
	if (close[1] != ':')
		return sb_error_param(err, "port", "port: expected ':' and a port after ']'");
	return parse_fields(close + 2, &inet6_tail, obj, err);
}

int sb_addr_from_text(const char *text, int family, int protocol, struct sockaddr_storage *ss,
		      socklen_t *len, struct sb_error *err)
{
	_cleanup_json_ json_object *obj = NULL;
	enum sb_addr_shape shape = sb_addr_shape(family, protocol);
	int r;

	if (shape == SB_ADDR_NONE)
		return sb_addr_unsupported(family, err);
	if (!text)
		return sb_error_param(err, "address", "address: missing");
	if (strnlen(text, SB_ADDR_TEXT_MAX + 1) > SB_ADDR_TEXT_MAX)
		return sb_error_param(err, "address", "address: longer than %u bytes",
				      SB_ADDR_TEXT_MAX);
	obj = json_object_new_object();
	if (!obj)
		return sb_error_oom(err);

	if (shape == SB_ADDR_UNIX)
		r = unix_parse(text, obj, err);
	else if (shape == SB_ADDR_INET6)
		r = inet6_parse(text, obj, err);
	else
		r = parse_fields(text, &forms[shape], obj, err);
	if (r < 0)
		return r;
	return sb_addr_from_json(obj, family, protocol, ss, len, err);
}

/* ------------------------------------------------------------------ */
/* Object to text */

struct writer {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static _printf_(2, 3) void emit(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->size - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->size - w->len) {
		w->overflow = true;
		return;
	}
	w->len += (size_t)n;
}

static bool is_default(json_object *v)
{
	if (!v)
		return true;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) == 0;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string_len(v) == 0;
	return false;
}

/* A string that would read back as something else has no text form. */
static int format_field(struct writer *w, const struct field *f, json_object *v,
			struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];
	const char *s;

	if (!v) {
		emit(w, "%s", f->kind == K_STR ? "" : "0");
		return 0;
	}
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (f->kind == K_HEX)
			emit(w, "0x%" PRIx64, json_object_get_uint64(v));
		else if (i == INT64_MAX)
			emit(w, "%" PRIu64, json_object_get_uint64(v));
		else
			emit(w, "%" PRId64, i);
		return 0;
	}
	s = json_object_get_string(v);
	if ((f->tokens == 1 && strchr(s, ':')) || (f->kind == K_IFNAME && all_digits(s)) ||
	    (f->kind == K_CONST && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))))
		return sb_error_param(err, f->key, "%s: '%s' has no text form", f->key,
				      sb_addr_printable(s, buf));
	emit(w, "%s", s);
	return 0;
}

static int format_fields(struct writer *w, const struct form *form, json_object *obj,
			 struct sb_error *err)
{
	size_t last = form->n;

	while (last > form->required && is_default(sb_json_get(obj, form->fields[last - 1].key)))
		last--;
	for (size_t i = 0; i < last; i++) {
		int r;

		if (i > 0)
			emit(w, ":");
		r = format_field(w, &form->fields[i], sb_json_get(obj, form->fields[i].key), err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int unix_format(struct writer *w, json_object *obj, struct sb_error *err)
{
	json_object *abstract = sb_json_get(obj, "abstract");
	char buf[SB_PRINTABLE_MAX];
	const char *path;

	if (abstract) {
		emit(w, "@%s", json_object_get_string(abstract));
		return 0;
	}
	path = json_object_get_string(sb_json_get(obj, "path"));
	if (path[0] == '@')
		return sb_error_param(err, "path", "path: '%s' would read back as an abstract name",
				      sb_addr_printable(path, buf));
	emit(w, "%s", path);
	return 0;
}

static int inet6_format(struct writer *w, json_object *obj, struct sb_error *err)
{
	json_object *scope = sb_json_get(obj, "scope_id");
	int r;

	emit(w, "[%s", json_object_get_string(sb_json_get(obj, "host")));
	if (!is_default(scope)) {
		emit(w, "%%");
		r = format_field(w, &inet6_scope, scope, err);
		if (r < 0)
			return r;
	}
	emit(w, "]:");
	return format_fields(w, &inet6_tail, obj, err);
}

/* An AF_INET address without the detour through JSON below, which cost
 * 7,000 instructions in every Bind's log record: the same text, the
 * host as inet_ntop() writes it and the port. */
static int inet_to_text(const struct sockaddr_in *sin, char *buf, size_t size, struct sb_error *err)
{
	struct sb_strbuf b;

	sb_strbuf_init(&b, buf, size);
	sb_strbuf_ipv4(&b, &sin->sin_addr);
	sb_strbuf_mem(&b, ":", 1);
	sb_strbuf_uint(&b, ntohs(sin->sin_port));
	if (b.full)
		return sb_error_set(err, SB_ERR_SYSTEM, ENOSPC, NULL,
				    "address text does not fit in %zu bytes", size);
	return 0;
}

int sb_addr_to_text(const struct sockaddr *sa, socklen_t len, int protocol, char *buf, size_t size,
		    struct sb_error *err)
{
	_cleanup_json_ json_object *obj = NULL;
	struct sb_error local;
	struct writer w = {buf, size, 0, size == 0};
	sa_family_t family;
	enum sb_addr_shape shape;
	int r;

	if (!err)
		err = &local;
	if (sa && len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET && size > 0)
		return inet_to_text((const struct sockaddr_in *)sa, buf, size, err);
	obj = sb_addr_to_json(sa, len, protocol, err);
	if (!obj)
		return -err->errnum;
	memcpy(&family, sa, sizeof(family));
	shape = sb_addr_shape(family, protocol);

	if (shape == SB_ADDR_UNIX)
		r = unix_format(&w, obj, err);
	else if (shape == SB_ADDR_INET6)
		r = inet6_format(&w, obj, err);
	else
		r = format_fields(&w, &forms[shape], obj, err);
	if (r < 0)
		return r;
	if (w.overflow)
		return sb_error_set(err, SB_ERR_SYSTEM, ENOSPC, NULL,
				    "address text does not fit in %zu bytes", size);
	return 0;
}
