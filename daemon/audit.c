/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-journal.h>

#include "daemon/audit.h"
#include "daemon/log.h"
#include "proto/strbuf.h"

void sb_audit_decision(const struct sb_client *c, const char *method, const char *summary,
		       const struct sb_decision *d)
{
	const char *verdict = d->allow ? "allow" : "deny";
	int prio = d->allow ? LOG_INFO : LOG_NOTICE;

	if (!log_enabled(prio))
		return;
	if (log_to_journal())
		sd_journal_send("MESSAGE=%s uid=%u pid=%d %s %s (rule %s)", verdict,
				(unsigned)c->cred.uid, (int)c->cred.pid, method, summary, d->rule,
				"PRIORITY=%d", prio, "SYSLOG_IDENTIFIER=sockbrokerd",
				"CLIENT_UID=%u", (unsigned)c->cred.uid, "CLIENT_GID=%u",
				(unsigned)c->cred.gid, "CLIENT_PID=%d", (int)c->cred.pid,
				"CLIENT_COMM=%s", c->comm, "METHOD=%s", method, "REQUEST=%s",
				summary, "DECISION=%s", verdict, "RULE=%s", d->rule, NULL);
	else {
		/* "allow uid=%u pid=%d comm=%s %s %s (rule %s)", without
		 * printf: this runs for every request. */
		char line[LOG_LINE_MAX];
		struct sb_strbuf b;

		sb_strbuf_init(&b, line, sizeof(line));
		sb_strbuf_str(&b, verdict);
		sb_strbuf_str(&b, " uid=");
		sb_strbuf_uint(&b, c->cred.uid);
		sb_strbuf_str(&b, " pid=");
		sb_strbuf_int(&b, c->cred.pid);
		sb_strbuf_str(&b, " comm=");
		sb_strbuf_str(&b, c->comm);
		sb_strbuf_mem(&b, " ", 1);
		sb_strbuf_str(&b, method);
		sb_strbuf_mem(&b, " ", 1);
		sb_strbuf_str(&b, summary);
		sb_strbuf_str(&b, " (rule ");
		sb_strbuf_str(&b, d->rule);
		sb_strbuf_mem(&b, ")", 1);
		log_text(prio, line, b.len);
	}
}
