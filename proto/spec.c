/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket specs, FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS]: parsed,
 * written back in canonical form (names where they exist, protocol 0 left
 * out), and turned into an org.sockbroker.Socket call (socket-msg.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/addr-internal.h"
#include "proto/consts.h"
#include "proto/json-util.h"
#include "proto/netns-name.h"
#include "proto/number.h"
#include "proto/spec.h"

/* FAMILY:TYPE|FLAGS:PROTOCOL, and the params after its ','. Canonical
 * text is no longer in either part (names are short; values are written
 * in decimal, never longer than the hex they may be given in), so what
 * formatting gives back always parses. */
#define SPEC_SOCKET_MAX 128u
#define SPEC_PARAMS_MAX 1024u
#define SPEC_HEAD_MAX (SPEC_SOCKET_MAX + 1 + SPEC_PARAMS_MAX)
#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)
/* The kernel's SOCK_TYPE_MASK: what is left of type once flags are gone. */
#define SOCK_TYPE_BITS 0xf

static int const_error(int r, enum sb_const_group group, const char *key, const char *text,
		       struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];

	sb_addr_printable(text, buf);
	switch (r) {
	case -ENOENT:
		return sb_error_param(err, key, "%s: unknown %s '%s'", key,
				      sb_const_group_name(group), buf);
	case -ERANGE:
		return sb_error_param(err, key, "%s: %s is out of range", key, buf);
	default:
		return sb_error_param(err, key, "%s: '%s' is neither a name (%s) nor a number", key,
				      buf, sb_const_group_name(group));
	}
}

static int parse_family(const char *text, int *ret, struct sb_error *err)
{
	int64_t v;
	int r;

	r = sb_const_parse(SB_C_AF, text, &v);
	if (r < 0)
		return const_error(r, SB_C_AF, "family", text, err);
	if (v == AF_UNSPEC)
		return sb_error_param(err, "family", "family: AF_UNSPEC cannot make a socket");
	/* It has to fit sa_family_t. */
	if (v < 0 || v > UINT16_MAX)
		return sb_error_param(err, "family", "family: %lld is out of range 1..65535",
				      (long long)v);
	*ret = (int)v;
	return 0;
}

/* SOCK_DGRAM, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC, or a number that may
 * include the flag bits. */
static int parse_type(const char *text, int *ret, struct sb_error *err)
{
	char tok[SPEC_SOCKET_MAX + 1];
	const char *p = text;
	int type = 0;
	bool first = true;

	for (;;) {
		size_t n = strcspn(p, "|");
		int64_t v;
		int r;

		memcpy(tok, p, n);
		tok[n] = '\0';
		if (first) {
			r = sb_const_parse(SB_C_SOCK, tok, &v);
			if (r < 0)
				return const_error(r, SB_C_SOCK, "type", tok, err);
			if (v < 0 || v > INT_MAX || (v & ~(int64_t)SOCK_FLAGS) == 0 ||
			    (v & ~(int64_t)SOCK_FLAGS) > SOCK_TYPE_BITS)
				return sb_error_param(err, "type", "type: %s is not a socket type",
						      tok);
			type = (int)v;
			first = false;
		} else {
			r = sb_const_parse(SB_C_SOCK_FLAG, tok, &v);
			if (r < 0)
				return const_error(r, SB_C_SOCK_FLAG, "flags", tok, err);
			if (v <= 0 || (v & ~(int64_t)SOCK_FLAGS))
				return sb_error_param(
					err, "flags",
					"flags: %s is not SOCK_NONBLOCK or SOCK_CLOEXEC", tok);
			if (type & v)
				return sb_error_param(err, "flags", "flags: %s given twice", tok);
			type |= (int)v;
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*ret = type;
	return 0;
}

static int parse_protocol(int family, const char *text, int *ret, struct sb_error *err)
{
	char buf[SB_PRINTABLE_MAX];
	int r;

	r = sb_protocol_parse(family, text, ret);
	if (r == 0)
		return 0;
	sb_addr_printable(text, buf);
	if (r == -ENOENT && sb_protocol_group(family) == SB_C_MAX_GROUP)
		return sb_error_param(
			err, "protocol",
			"protocol: this family has no named protocols, '%s' must be a number", buf);
	if (r == -ENOENT)
		return const_error(r, sb_protocol_group(family), "protocol", text, err);
	if (r == -ERANGE)
		return sb_error_param(err, "protocol", "protocol: %s is out of range 0..%d", buf,
				      family == AF_PACKET ? UINT16_MAX : INT_MAX);
	return sb_error_param(err, "protocol", "protocol: '%s' is neither a name nor a number",
			      buf);
}

/* A spec's option: NAME, or NAME=VALUE. */
static int parse_option(struct sb_spec *s, const char *name, const char *value,
			struct sb_error *err)
{
	const struct sb_sockopt_def *def = sb_sockopt_find_name(name);
	struct sb_spec_option *o;
	char buf[SB_PRINTABLE_MAX];
	int64_t v;

	sb_addr_printable(name, buf);
	if (!def)
		return sb_error_param(err, "options",
				      "options: '%s' is not backlog=, nolisten, netns= or an "
				      "option the broker sets (SO_REUSEADDR, SO_MARK, ...)",
				      buf);
	if (s->n_options == SB_OPTIONS_MAX)
		return sb_error_param(err, "options", "options: at most %u", SB_OPTIONS_MAX);
	o = &s->options[s->n_options];
	*o = (struct sb_spec_option){.def = def};
	if (sb_sockopt_is_text(def)) {
		if (!value || strlen(value) >= sizeof(o->text) ||
		    !sb_sockopt_text_valid(def, value))
			return sb_error_param(err, "options", "options: %s=NAME takes %s", buf,
					      def->kind == SB_OPTVAL_IFNAME ? "an interface name"
									    : "an algorithm name");
		strcpy(o->text, value);
	} else if (!value) {
		if (def->kind != SB_OPTVAL_BOOL)
			return sb_error_param(err, "options", "options: %s needs =VALUE", buf);
		o->value = 1;
	} else if (sb_number_parse_int64(value, 0, &v) < 0 ||
		   (def->kind == SB_OPTVAL_U32 ? v < 0 || v > UINT32_MAX
					       : v < INT_MIN || v > INT_MAX)) {
		return sb_error_param(err, "options", "options: %s: '%s' is not a value it takes",
				      buf, value);
	} else {
		/* The kernel takes any nonzero as on. */
		o->value = def->kind == SB_OPTVAL_BOOL ? v != 0 : v;
	}
	s->n_options++;
	return 0;
}

/* What follows FAMILY:TYPE[:PROTOCOL], each after a ','. */
static int parse_params(struct sb_spec *s, char *params, struct sb_error *err)
{
	bool listen_given = false;

	for (char *next = params, *p; (p = strsep(&next, ","));) {
		char *value = strchr(p, '=');
		int64_t v;
		int r;

		if (!*p)
			return sb_error_param(err, "spec", "spec: an empty parameter between ','");
		if (value)
			*value++ = '\0';
		if (strcmp(p, "backlog") == 0 || strcmp(p, "nolisten") == 0) {
			if (listen_given)
				return sb_error_param(err, "listen",
						      "listen: give one of backlog= and nolisten");
			listen_given = true;
			if (strcmp(p, "nolisten") == 0) {
				if (value)
					return sb_error_param(err, "listen",
							      "listen: nolisten takes no value");
				s->backlog = SB_SPEC_NO_LISTEN;
				continue;
			}
			if (!value || sb_number_parse_int64(value, 0, &v) < 0 || v < 0 ||
			    v > UINT16_MAX)
				return sb_error_param(err, "listen",
						      "listen: backlog= takes 0 to 65535");
			s->backlog = (int)v;
		} else if (strcmp(p, "netns") == 0) {
			if (s->netns[0])
				return sb_error_param(err, "netns", "netns: given twice");
			if (!value || !sb_netns_name_valid(value))
				return sb_error_param(err, "netns",
						      "netns: expected a name under /run/netns");
			strcpy(s->netns, value);
		} else {
			r = parse_option(s, p, value, err);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

bool sb_spec_can_listen(const struct sb_spec *spec)
{
	int type = spec->type & ~SOCK_FLAGS;

	if (type != SOCK_STREAM && type != SOCK_SEQPACKET)
		return false;
	/* Families with connection sockets that listen(2) accepts; AF_ALG
	 * accepts without it, AF_RDS and AF_CAN have no connections. */
	switch (spec->family) {
	case AF_UNIX:
	case AF_INET:
	case AF_INET6:
	case AF_TIPC:
	case AF_VSOCK:
	case AF_BLUETOOTH:
		return true;
	default:
		return false;
	}
}

static int parse_spec(char *head, const char *at, struct sb_spec *s, struct sb_error *err)
{
	char *type, *protocol = NULL, *params;
	int r;

	params = strchr(head, ',');
	if (params)
		*params++ = '\0';
	if (strlen(head) > SPEC_SOCKET_MAX)
		return sb_error_param(err, "spec",
				      "spec: FAMILY:TYPE:PROTOCOL longer than %u bytes",
				      SPEC_SOCKET_MAX);
	if (params && strlen(params) > SPEC_PARAMS_MAX)
		return sb_error_param(err, "spec", "spec: the parameters are longer than %u bytes",
				      SPEC_PARAMS_MAX);

	type = strchr(head, ':');
	if (type)
		*type++ = '\0';
	r = parse_family(head, &s->family, err);
	if (r < 0)
		return r;
	if (!type)
		return sb_error_param(
			err, "type",
			"type: missing (expected FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS])");
	protocol = strchr(type, ':');
	if (protocol) {
		*protocol++ = '\0';
		if (strchr(protocol, ':'))
			return sb_error_param(
				err, "spec",
				"spec: too many ':' before '@' (expected FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS])");
	}

	r = parse_type(type, &s->type, err);
	if (r < 0)
		return r;
	if (protocol) {
		r = parse_protocol(s->family, protocol, &s->protocol, err);
		if (r < 0)
			return r;
	}
	if (params) {
		r = parse_params(s, params, err);
		if (r < 0)
			return r;
	}
	if (at) {
		r = sb_addr_from_text(at + 1, s->family, s->protocol, &s->address, &s->address_len,
				      err);
		if (r < 0)
			return r;
		s->has_address = true;
	}
	return 0;
}

int sb_spec_parse(const char *text, struct sb_spec *spec, struct sb_error *err)
{
	struct sb_spec s = {.backlog = SB_SPEC_LISTEN_AUTO};
	char head[SPEC_HEAD_MAX + 1];
	const char *at;
	size_t n;
	int r;

	if (!text || !spec)
		return sb_error_param(err, "spec", "spec: missing");
	at = strchr(text, '@');
	n = at ? (size_t)(at - text) : strlen(text);
	if (n > SPEC_HEAD_MAX)
		return sb_error_param(err, "spec",
				      "spec: the part before '@' is longer than %u bytes",
				      (unsigned)SPEC_HEAD_MAX);
	memcpy(head, text, n);
	head[n] = '\0';
	r = parse_spec(head, at, &s, err);
	if (r < 0)
		return r;
	*spec = s;
	return 0;
}

/* snprintf() onto the end of buf; false when it does not fit. */
static _printf_(4, 5) bool append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return false;
	*len += (size_t)n;
	return true;
}

static bool append_const(char *buf, size_t size, size_t *len, const char *prefix, const char *name,
			 long long value)
{
	if (name)
		return append(buf, size, len, "%s%s", prefix, name);
	return append(buf, size, len, "%s%lld", prefix, value);
}

int sb_spec_format(const struct sb_spec *spec, char *buf, size_t size)
{
	int base = spec->type & ~SOCK_FLAGS;
	size_t len = 0;
	bool ok;

	ok = append_const(buf, size, &len, "", sb_const_name(SB_C_AF, spec->family),
			  spec->family) &&
	     append_const(buf, size, &len, ":", sb_const_name(SB_C_SOCK, base), base);
	if (ok && (spec->type & SOCK_NONBLOCK))
		ok = append(buf, size, &len, "|SOCK_NONBLOCK");
	if (ok && (spec->type & SOCK_CLOEXEC))
		ok = append(buf, size, &len, "|SOCK_CLOEXEC");
	if (ok && spec->protocol != 0)
		ok = append_const(buf, size, &len, ":",
				  sb_protocol_name(spec->family, spec->protocol), spec->protocol);
	for (size_t i = 0; ok && i < spec->n_options; i++) {
		const struct sb_spec_option *o = &spec->options[i];
		const char *name = sb_sockopt_name(o->def);

		if (sb_sockopt_is_text(o->def))
			ok = append(buf, size, &len, ",%s=%s", name, o->text);
		else if (o->def->kind == SB_OPTVAL_BOOL && o->value == 1)
			ok = append(buf, size, &len, ",%s", name);
		else
			ok = append(buf, size, &len, ",%s=%lld", name, (long long)o->value);
	}
	if (ok && spec->backlog >= 0)
		ok = append(buf, size, &len, ",backlog=%d", spec->backlog);
	else if (ok && spec->backlog == SB_SPEC_NO_LISTEN)
		ok = append(buf, size, &len, ",nolisten");
	if (ok && spec->netns[0])
		ok = append(buf, size, &len, ",netns=%s", spec->netns);
	if (ok && spec->has_address)
		ok = append(buf, size, &len, "@");
	if (!ok)
		return -ENOSPC;
	if (spec->has_address)
		return sb_addr_to_text((const struct sockaddr *)&spec->address, spec->address_len,
				       spec->protocol, buf + len, size - len, NULL);
	return 0;
}

void sb_spec_option_sockopt(const struct sb_spec_option *o, struct sb_sockopt *opt)
{
	*opt = (struct sb_sockopt){
		.def = o->def,
		.level = o->def->level,
		.name = o->def->name,
		.value = o->value,
		.text = sb_sockopt_is_text(o->def) ? o->text : NULL,
	};
}

int sb_spec_socket_call(const struct sb_spec *spec, struct sb_socket_call *call,
			struct sb_error *err)
{
	*call = SB_SOCKET_CALL_INIT(spec->family, spec->type & ~SOCK_FLAGS, spec->type & SOCK_FLAGS,
				    spec->protocol);
	call->n_options = spec->n_options;
	for (size_t i = 0; i < spec->n_options; i++)
		sb_spec_option_sockopt(&spec->options[i], &call->options[i]);
	call->backlog = spec->backlog >= 0 ? spec->backlog : -1;
	call->netns = spec->netns[0] ? spec->netns : NULL;
	if (spec->has_address) {
		call->bind = sb_addr_to_json((const struct sockaddr *)&spec->address,
					     spec->address_len, spec->protocol, err);
		if (!call->bind)
			return -err->errnum;
	}
	return 0;
}

json_object *sb_spec_to_params(const struct sb_spec *spec, struct sb_error *err)
{
	struct sb_socket_call call;
	json_object *params;

	if (sb_spec_socket_call(spec, &call, err) < 0)
		return NULL;
	params = sb_fields_write(&sb_socket_call_def, &call);
	json_object_put(call.bind);
	if (!params)
		sb_error_oom(err);
	return params;
}
