/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-journal.h>

#include "daemon/audit.h"
#include "daemon/log.h"

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
	else
		log_full(prio, "%s uid=%u pid=%d comm=%s %s %s (rule %s)", verdict,
			 (unsigned)c->cred.uid, (int)c->cred.pid, c->comm, method, summary, d->rule);
}
