/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon/audit.h"
#include "daemon/log.h"
#include "proto/strbuf.h"

/* One "NAME=value" field appended to b, and its place in fields. */
static void field(struct sb_strbuf *b, struct iovec *fields, size_t *n, const char *name,
		  const char *value)
{
	size_t start = b->len;

	sb_strbuf_str(b, name);
	sb_strbuf_str(b, value);
	fields[(*n)++] = (struct iovec){.iov_base = b->p + start, .iov_len = b->len - start};
}

static void field_num(struct sb_strbuf *b, struct iovec *fields, size_t *n, const char *name,
		      long long value)
{
	size_t start = b->len;

	sb_strbuf_str(b, name);
	sb_strbuf_int(b, value);
	fields[(*n)++] = (struct iovec){.iov_base = b->p + start, .iov_len = b->len - start};
}

/* The peer's unit as the policy saw it, NULL when it did not look. */
static const char *unit_of(const struct sb_client *c)
{
	if (c->unit_state == SB_CLIENT_UNIT_FOUND)
		return c->unit;
	return c->unit_state == SB_CLIENT_UNIT_UNKNOWN ? "?" : NULL;
}

/* "allow uid=U pid=P[ unit=N][ comm=C] METHOD SUMMARY (rule R)" */
static void describe(struct sb_strbuf *b, const struct sb_client *c, const char *method,
		     const char *summary, const struct sb_decision *d, bool with_comm)
{
	sb_strbuf_str(b, d->allow ? "allow" : "deny");
	sb_strbuf_str(b, " uid=");
	sb_strbuf_uint(b, c->cred.uid);
	sb_strbuf_str(b, " pid=");
	sb_strbuf_int(b, c->cred.pid);
	if (unit_of(c)) {
		sb_strbuf_str(b, " unit=");
		sb_strbuf_str(b, unit_of(c));
	}
	if (with_comm) {
		sb_strbuf_str(b, " comm=");
		sb_strbuf_str(b, c->comm);
	}
	sb_strbuf_mem(b, " ", 1);
	sb_strbuf_str(b, method);
	sb_strbuf_mem(b, " ", 1);
	sb_strbuf_str(b, summary);
	sb_strbuf_str(b, " (rule ");
	sb_strbuf_str(b, d->rule);
	sb_strbuf_mem(b, ")", 1);
}

void sb_audit_decision(const struct sb_client *c, const char *method, const char *summary,
		       const struct sb_decision *d)
{
	int prio = d->allow ? LOG_INFO : LOG_NOTICE;
	char line[LOG_LINE_MAX], text[2 * LOG_LINE_MAX];
	struct iovec fields[LOG_FIELDS_MAX];
	struct sb_strbuf b;
	size_t n = 0, start, line_len;

	if (!log_enabled(prio))
		return;
	/* Without printf: this runs for every request. */
	sb_strbuf_init(&b, line, sizeof(line));
	describe(&b, c, method, summary, d, true);
	line_len = b.len;
	if (!log_to_journal()) {
		log_record(prio, NULL, 0, line, line_len);
		return;
	}
	/* The journal has the command name in its own field. */
	sb_strbuf_init(&b, text, sizeof(text));
	start = b.len;
	sb_strbuf_str(&b, "MESSAGE=");
	describe(&b, c, method, summary, d, false);
	fields[n++] = (struct iovec){.iov_base = b.p + start, .iov_len = b.len - start};
	field_num(&b, fields, &n, "PRIORITY=", prio);
	field(&b, fields, &n, "SYSLOG_IDENTIFIER=", "sockbrokerd");
	field_num(&b, fields, &n, "CLIENT_UID=", c->cred.uid);
	field_num(&b, fields, &n, "CLIENT_GID=", c->cred.gid);
	field_num(&b, fields, &n, "CLIENT_PID=", c->cred.pid);
	field(&b, fields, &n, "CLIENT_COMM=", c->comm);
	if (unit_of(c))
		field(&b, fields, &n, "CLIENT_UNIT=", unit_of(c));
	field(&b, fields, &n, "METHOD=", method);
	field(&b, fields, &n, "REQUEST=", summary);
	field(&b, fields, &n, "DECISION=", d->allow ? "allow" : "deny");
	field(&b, fields, &n, "RULE=", d->rule);
	/* Cut fields could lose their '=' (journald refuses such a record):
	 * then the message alone. The limits on rules, summaries and command
	 * names keep the fields far below this. */
	if (b.full) {
		log_text(prio, line, line_len);
		return;
	}
	log_record(prio, fields, n, line, line_len);
}
