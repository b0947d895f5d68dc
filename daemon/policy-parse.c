/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rule file's lines: "ACTION WHO METHOD [KEY=VALUE[,VALUE...] ...]",
 * comments from '#' to the end of the line, blank lines ignored. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/peer-unit.h"
#include "daemon/policy-internal.h"
#include "daemon/userdb.h"

#define ALL_METHODS ((1u << SB_PM_MAX) - 1)
#define KEY(k) (1u << (k))

/* The keys that can ever match a request of each method; a rule naming
 * another key could never match, which is a mistake worth reporting. */
static const unsigned method_keys[SB_PM_MAX] = {
	[SB_PM_SOCKET] =
		KEY(SB_PK_FAMILY) | KEY(SB_PK_TYPE) | KEY(SB_PK_PROTOCOL) | KEY(SB_PK_NETNS),
	[SB_PM_BIND] = KEY(SB_PK_FAMILY) | KEY(SB_PK_TYPE) | KEY(SB_PK_PROTOCOL) | KEY(SB_PK_PORT) |
		       KEY(SB_PK_ADDRESS) | KEY(SB_PK_NETNS) | KEY(SB_PK_GROUPS) | KEY(SB_PK_PSM) |
		       KEY(SB_PK_CHANNEL),
	[SB_PM_SETSOCKOPT] = KEY(SB_PK_FAMILY) | KEY(SB_PK_TYPE) | KEY(SB_PK_PROTOCOL) |
			     KEY(SB_PK_OPTION) | KEY(SB_PK_VALUE) | KEY(SB_PK_NETNS) |
			     KEY(SB_PK_INTERFACE),
	[SB_PM_ADMIN] = 0,
};

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls are control characters too. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
}

/* Text that an administrator can read: UTF-8, no control characters
 * but tab. */
static int check_text(const char *line, size_t len, const char *where, char *errbuf, size_t errsize)
{
	const unsigned char *s = (const unsigned char *)line;

	for (size_t i = 0; i < len;) {
		size_t n;

		if (s[i] < 0x20 && s[i] != '\t')
			return sb_policy_error(errbuf, errsize, "%s: control character 0x%02x",
					       where, s[i]);
		if (s[i] == 0x7f)
			return sb_policy_error(errbuf, errsize, "%s: control character 0x7f",
					       where);
		n = utf8_sequence(s + i, len - i);
		if (n == 0)
			return sb_policy_error(
				errbuf, errsize,
				"%s: invalid UTF-8 or control character at column %zu", where,
				i + 1);
		i += n;
	}
	return 0;
}

/* "unit:NAME": a systemd unit that runs processes (peer-unit.h). */
static int parse_unit(struct sb_rule *rule, const char *name, const char *where, char *errbuf,
		      size_t errsize)
{
	if (!sb_unit_name_valid(name))
		return sb_policy_error(errbuf, errsize,
				       "%s: '%s' is not the name of a unit that runs processes "
				       "(.service, .scope, .socket, .mount or .swap)",
				       where, name);
	rule->who = SB_WHO_UNIT;
	rule->unit = strdup(name);
	return rule->unit ? 0 : -ENOMEM;
}

/* "*", "user:NAME|UID", "group:NAME|GID" or "unit:NAME"; user and group
 * names resolve now, so a typo fails the load instead of silently
 * matching nobody. */
static int parse_who(struct sb_rule *rule, const char *text, const char *where, char *errbuf,
		     size_t errsize)
{
	const char *kind, *name;
	bool user;
	int r;

	if (strcmp(text, "*") == 0) {
		rule->who = SB_WHO_ANY;
		return 0;
	}
	if (strncmp(text, "unit:", 5) == 0)
		return parse_unit(rule, text + 5, where, errbuf, errsize);
	if (strncmp(text, "user:", 5) == 0) {
		user = true;
		kind = "user";
		name = text + 5;
	} else if (strncmp(text, "group:", 6) == 0) {
		user = false;
		kind = "group";
		name = text + 6;
	} else {
		return sb_policy_error(
			errbuf, errsize,
			"%s: unknown subject '%s' (expected user:NAME, group:NAME, unit:NAME or *)",
			where, text);
	}
	rule->who = user ? SB_WHO_UID : SB_WHO_GID;
	if (!*name)
		return sb_policy_error(errbuf, errsize, "%s: missing %s name after '%s:'", where,
				       kind, kind);
	if (strspn(name, "0123456789") == strlen(name)) {
		int64_t id;

		/* (uid_t)-1 means "no change" to the kernel; it names nobody. */
		r = sb_policy_parse_int(kind, name, 0, UINT32_MAX - 1, &id, NULL, 0);
		if (r < 0)
			return sb_policy_error(errbuf, errsize,
					       "%s: %s id %s is out of range (0-4294967294)", where,
					       kind, name);
		rule->id = (uint32_t)id;
		return 0;
	}
	r = sb_userdb_lookup(user, name, &rule->id);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		return sb_policy_error(errbuf, errsize, "%s: unknown %s '%s'", where, kind, name);
	if (r < 0)
		return sb_policy_error(errbuf, errsize, "%s: cannot look up %s '%s': %s", where,
				       kind, name, strerror(-r));
	return 0;
}

static int parse_method(struct sb_rule *rule, const char *text, const char *where, char *errbuf,
			size_t errsize)
{
	enum sb_policy_method m;

	if (strcmp(text, "*") == 0) {
		rule->methods = ALL_METHODS;
		return 0;
	}
	if (sb_policy_method_from_string(text, &m) < 0)
		return sb_policy_error(
			errbuf, errsize,
			"%s: unknown method '%s' (expected socket, bind, setsockopt, admin or *)",
			where, text);
	rule->methods = 1u << m;
	return 0;
}

static bool key_applies(unsigned methods, enum sb_policy_key key)
{
	for (size_t m = 0; m < SB_PM_MAX; m++)
		if ((methods & (1u << m)) && (method_keys[m] & KEY(key)))
			return true;
	return false;
}

/* Prefix a value parser's message with the line's position. */
static int key_error(int r, const char *where, const char *msg, char *errbuf, size_t errsize)
{
	char copy[512];

	if (r == -ENOMEM)
		return r;
	snprintf(copy, sizeof(copy), "%s", msg);
	return sb_policy_error(errbuf, errsize, "%s: %s", where, copy);
}

/* One rule from a line whose comment is already cut off; the line is
 * modified. */
static bool rule_has_family(const struct sb_rule *r, int family)
{
	for (size_t i = 0; i < r->family.n; i++)
		if (r->family.v[i].lo <= family && family <= r->family.v[i].hi)
			return true;
	return false;
}

/* Could one of the rule's protocols match an AF_PACKET request? (A rule
 * whose protocols cannot simply grants no packet socket.) */
static bool protocol_covers_packet(const struct sb_rule *r, bool names_family)
{
	bool packet_allowed = !names_family || rule_has_family(r, AF_PACKET);

	for (size_t i = 0; i < r->n_protocols; i++)
		if (r->protocols[i].family == AF_PACKET ||
		    (r->protocols[i].family < 0 && packet_allowed))
			return true;
	return false;
}

static int parse_rule(struct sb_rule *rule, char *line, const char *where, char *errbuf,
		      size_t errsize)
{
	const char *values[SB_PK_MAX] = {0};
	const char *method_text = NULL;
	char *save = NULL, *token;
	int r;

	token = strtok_r(line, " \t", &save);
	if (strcmp(token, "allow") == 0)
		rule->allow = true;
	else if (strcmp(token, "deny") == 0)
		rule->allow = false;
	else
		return sb_policy_error(errbuf, errsize,
				       "%s: unknown action '%s' (expected allow or deny)", where,
				       token);

	token = strtok_r(NULL, " \t", &save);
	if (!token)
		return sb_policy_error(errbuf, errsize, "%s: missing WHO after the action", where);
	r = parse_who(rule, token, where, errbuf, errsize);
	if (r < 0)
		return r;

	token = strtok_r(NULL, " \t", &save);
	if (!token)
		return sb_policy_error(errbuf, errsize, "%s: missing METHOD after WHO", where);
	method_text = token;
	r = parse_method(rule, token, where, errbuf, errsize);
	if (r < 0)
		return r;

	while ((token = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(token, '=');
		enum sb_policy_key key;

		if (!eq || eq == token)
			return sb_policy_error(errbuf, errsize, "%s: expected KEY=VALUE, got '%s'",
					       where, token);
		*eq = 0;
		if (sb_policy_key_from_string(token, &key) < 0)
			return sb_policy_error(errbuf, errsize, "%s: unknown key '%s'", where,
					       token);
		if (values[key])
			return sb_policy_error(errbuf, errsize, "%s: key '%s' given twice", where,
					       token);
		if (!key_applies(rule->methods, key))
			return sb_policy_error(errbuf, errsize,
					       "%s: key '%s' does not apply to method %s", where,
					       token, method_text);
		values[key] = eq + 1;
	}

	/* In key order, so family= is known when protocol names are
	 * looked up. */
	for (size_t k = 0; k < SB_PK_MAX; k++) {
		char msg[512];

		if (!values[k])
			continue;
		r = sb_policy_parse_key(rule, (enum sb_policy_key)k, values[k], msg, sizeof(msg));
		if (r < 0)
			return key_error(r, where, msg, errbuf, errsize);
	}
	/* A packet socket may bind any ethertype once it is handed over, so
	 * a protocol restriction on it would be a promise not kept. */
	if (values[SB_PK_PROTOCOL] && protocol_covers_packet(rule, values[SB_PK_FAMILY] != NULL))
		return sb_policy_error(
			errbuf, errsize,
			"%s: protocol= cannot restrict AF_PACKET sockets (the client may "
			"bind them to any ethertype): name family= without AF_PACKET",
			where);
	return 0;
}

/* Returns 1 when the line held a rule, 0 for a blank or comment line. */
static int parse_line(struct sb_policy *p, const char *text, size_t len, const char *filename,
		      unsigned lineno, char *errbuf, size_t errsize)
{
	char line[SB_POLICY_MAX_LINE + 1];
	char where[512];
	struct sb_rule *rule;
	char *hash;
	int r;

	snprintf(where, sizeof(where), "%s:%u", filename, lineno);
	if (len > SB_POLICY_MAX_LINE)
		return sb_policy_error(errbuf, errsize, "%s: line is too long (more than %d bytes)",
				       where, SB_POLICY_MAX_LINE);
	r = check_text(text, len, where, errbuf, errsize);
	if (r < 0)
		return r;
	memcpy(line, text, len);
	line[len] = 0;
	hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	if (strspn(line, " \t") == strlen(line))
		return 0;

	if (p->n_rules >= SB_POLICY_MAX_RULES)
		return sb_policy_error(errbuf, errsize, "%s: too many rules (at most %d)", where,
				       SB_POLICY_MAX_RULES);
	rule = sb_policy_add_rule(p);
	if (!rule)
		return -ENOMEM;
	rule->name = strdup(where);
	if (!rule->name)
		r = -ENOMEM;
	else
		r = parse_rule(rule, line, where, errbuf, errsize);
	if (r < 0) {
		sb_rule_done(rule);
		p->n_rules--;
		return r;
	}
	return 1;
}

int sb_policy_parse_buffer(struct sb_policy *p, const char *text, size_t len, const char *filename,
			   char *errbuf, size_t errsize)
{
	unsigned lineno = 0;
	size_t pos = 0;

	if (len > SB_POLICY_MAX_FILE_SIZE)
		return sb_policy_error(errbuf, errsize,
				       "%s: file is too large (more than %d bytes)", filename,
				       SB_POLICY_MAX_FILE_SIZE);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int r;

		lineno++;
		r = parse_line(p, text + pos, line_len, filename, lineno, errbuf, errsize);
		if (r < 0)
			return r;
		pos += line_len + 1;
	}
	return 0;
}
