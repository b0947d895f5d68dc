/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "daemon/log.h"
#include "proto/strbuf.h"

static bool verbose_flag;
static bool journal;

/* systemd sets JOURNAL_STREAM=dev:ino for a stderr connected to journald
 * (systemd.exec(5)); only then is sd_journal_send() the right sink. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(bool verbose)
{
	verbose_flag = verbose;
	journal = stderr_is_journal();
}

bool log_enabled(int priority)
{
	return priority < LOG_DEBUG || verbose_flag;
}

bool log_to_journal(void)
{
	return journal;
}

void log_text(int priority, const char *text, size_t len)
{
	static const char *const prefix[] = {
		[LOG_EMERG] = "sockbrokerd: emerg: ",  [LOG_ALERT] = "sockbrokerd: alert: ",
		[LOG_CRIT] = "sockbrokerd: crit: ",    [LOG_ERR] = "sockbrokerd: error: ",
		[LOG_WARNING] = "sockbrokerd: warning: ", [LOG_NOTICE] = "sockbrokerd: notice: ",
		[LOG_INFO] = "sockbrokerd: info: ",    [LOG_DEBUG] = "sockbrokerd: debug: ",
	};
	char buf[LOG_LINE_MAX + 32];
	struct sb_strbuf b;

	if (!log_enabled(priority))
		return;
	if (journal) {
		sd_journal_send("MESSAGE=%s", text, "PRIORITY=%d", priority,
				"SYSLOG_IDENTIFIER=sockbrokerd", NULL);
		return;
	}
	/* One write() per line: every decision is logged, so this is on the
	 * request path. The descriptor is stderr's, whichever stream stderr
	 * currently is. */
	sb_strbuf_init(&b, buf, sizeof(buf) - 1);
	sb_strbuf_str(&b, prefix[priority & 7]);
	sb_strbuf_mem(&b, text, len);
	buf[b.len++] = '\n';
	(void)!write(fileno(stderr), buf, b.len);
}

void log_full(int priority, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (!log_enabled(priority))
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_text(priority, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}
