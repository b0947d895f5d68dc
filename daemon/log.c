/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "daemon/log.h"

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

void log_full(int priority, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_EMERG] = "emerg",  [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
		[LOG_ERR] = "error",    [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
		[LOG_INFO] = "info",    [LOG_DEBUG] = "debug",
	};
	char buf[1024];
	size_t start = 0, n;
	va_list ap;

	if (!log_enabled(priority))
		return;
	/* One formatting pass and one write() per line: every decision is
	 * logged, so this is on the request path. The descriptor is stderr's,
	 * whichever stream stderr currently is. */
	if (!journal)
		start = (size_t)snprintf(buf, sizeof(buf), "sockbrokerd: %s: ", prefix[priority & 7]);
	va_start(ap, fmt);
	vsnprintf(buf + start, sizeof(buf) - start - 1, fmt, ap);
	va_end(ap);
	if (journal) {
		sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", priority,
				"SYSLOG_IDENTIFIER=sockbrokerd", NULL);
		return;
	}
	n = strlen(buf);
	buf[n++] = '\n';
	(void)!write(fileno(stderr), buf, n);
}
