/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
/* The records' CODE_FILE= would name this file, not the caller. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "daemon/log.h"
#include "proto/strbuf.h"

static bool verbose_flag;
static bool journal;

/* Records held back (see log_hold_start()). On stderr they are finished
 * lines; for the journal each record is its fields, each NUL-terminated,
 * then an empty field (no field is empty: each has a name and a '='). */
static char held[16384];
static size_t held_len;
static sd_event_source *flush_timer; /* NULL: records go out at once */
static uint64_t hold_usec;
/* The flush timer's accuracy: sd-event's default (250 ms) would let it
 * slip that far. */
#define FLUSH_ACCURACY_USEC 1000

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

/* Write what is held to stderr (the descriptor is stderr's, whichever
 * stream that currently is), in as many writes as it takes. What a full
 * non-blocking pipe does not take stays held, to be tried again; on any
 * other error the records are lost, as a line was before. */
static void write_held(void)
{
	size_t done = 0;

	while (done < held_len) {
		ssize_t n = write(fileno(stderr), held + done, held_len - done);

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && errno == EAGAIN)
			break;
		else
			done = held_len;
	}
	memmove(held, held + done, held_len - done);
	held_len -= done;
}

static void send_held_records(void)
{
	struct iovec iov[LOG_FIELDS_MAX];
	const char *p = held, *end = held + held_len;

	while (p < end) {
		size_t n = 0, len;

		while (p < end && (len = strlen(p)) > 0) {
			if (n < ELEMENTSOF(iov))
				iov[n++] = (struct iovec){.iov_base = (void *)p, .iov_len = len};
			p += len + 1;
		}
		p++;
		if (n > 0)
			(void)sd_journal_sendv(iov, (int)n);
	}
	held_len = 0;
}

/* Have what is held written within hold_usec. */
static bool arm_flush_timer(void)
{
	uint64_t now;

	return flush_timer &&
	       sd_event_now(sd_event_source_get_event(flush_timer), CLOCK_MONOTONIC, &now) >= 0 &&
	       sd_event_source_set_time(flush_timer, now + hold_usec) >= 0 &&
	       sd_event_source_set_enabled(flush_timer, SD_EVENT_ONESHOT) >= 0;
}

void log_flush(void)
{
	if (held_len > 0) {
		if (journal)
			send_held_records();
		else
			write_held();
	}
	if (!flush_timer)
		return;
	/* A full pipe took only part: try the rest again later. */
	if (held_len == 0 || !arm_flush_timer())
		(void)sd_event_source_set_enabled(flush_timer, SD_EVENT_OFF);
}

static int on_flush_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	log_flush();
	return 0;
}

int log_hold_start(sd_event *e, uint64_t usec)
{
	int r;

	if (flush_timer || usec == 0)
		return 0;
	r = sd_event_add_time(e, &flush_timer, CLOCK_MONOTONIC, UINT64_MAX, FLUSH_ACCURACY_USEC,
			      on_flush_timer, NULL);
	if (r < 0)
		return r;
	/* Before the sources that log: a due flush is not held up by them. */
	(void)sd_event_source_set_priority(flush_timer, SD_EVENT_PRIORITY_IMPORTANT);
	(void)sd_event_source_set_enabled(flush_timer, SD_EVENT_OFF);
	/* The timer may fire up to its accuracy late. */
	hold_usec = usec > FLUSH_ACCURACY_USEC ? usec - FLUSH_ACCURACY_USEC : usec;
	return 0;
}

void log_hold_stop(void)
{
	flush_timer = sd_event_source_disable_unref(flush_timer);
	log_flush();
}

/* Room for n bytes at the end of what is held, writing out first when
 * needed; NULL when there is none even then. */
static char *hold_reserve(size_t n)
{
	if (n > sizeof(held) - held_len)
		log_flush();
	return n <= sizeof(held) - held_len ? held + held_len : NULL;
}

/* A record was added. Warnings and worse, and everything while records
 * are not held, go out now, after what is held (the order stays). */
static void record_added(int priority, bool first)
{
	if (!flush_timer || priority <= LOG_WARNING || (first && !arm_flush_timer()))
		log_flush();
}

static void record_to_journal(int priority, const struct iovec *fields, size_t n_fields)
{
	size_t need = 1;
	bool first;
	char *p;

	for (size_t i = 0; i < n_fields; i++)
		need += fields[i].iov_len + 1;
	p = hold_reserve(need);
	if (!p) {
		/* Larger than all of held (it has just been sent): alone. */
		(void)sd_journal_sendv(fields, (int)n_fields);
		return;
	}
	first = held_len == 0;
	for (size_t i = 0; i < n_fields; i++) {
		memcpy(p, fields[i].iov_base, fields[i].iov_len);
		p += fields[i].iov_len;
		*p++ = 0;
	}
	*p = 0;
	held_len += need;
	record_added(priority, first);
}

static void record_to_stderr(int priority, const char *line, size_t len)
{
	static const char *const prefix[] = {
		[LOG_EMERG] = "sockbrokerd: emerg: ",	  [LOG_ALERT] = "sockbrokerd: alert: ",
		[LOG_CRIT] = "sockbrokerd: crit: ",	  [LOG_ERR] = "sockbrokerd: error: ",
		[LOG_WARNING] = "sockbrokerd: warning: ", [LOG_NOTICE] = "sockbrokerd: notice: ",
		[LOG_INFO] = "sockbrokerd: info: ",	  [LOG_DEBUG] = "sockbrokerd: debug: ",
	};
	char buf[LOG_LINE_MAX + 32], *p;
	struct sb_strbuf b;
	bool first;

	sb_strbuf_init(&b, buf, sizeof(buf) - 1);
	sb_strbuf_str(&b, prefix[priority & 7]);
	sb_strbuf_mem(&b, line, len);
	buf[b.len++] = '\n';
	/* No room even after writing out: stderr is a full pipe, where this
	 * line could not go either. */
	p = hold_reserve(b.len);
	if (!p)
		return;
	first = held_len == 0;
	memcpy(p, buf, b.len);
	held_len += b.len;
	record_added(priority, first);
}

void log_record(int priority, const struct iovec *fields, size_t n_fields, const char *line,
		size_t len)
{
	if (!log_enabled(priority))
		return;
	if (journal)
		record_to_journal(priority, fields, n_fields);
	else
		record_to_stderr(priority, line, len);
}

void log_text(int priority, const char *text, size_t len)
{
	char message[LOG_LINE_MAX + 16], prio[16];
	struct sb_strbuf m, p;
	struct iovec fields[3];

	if (!log_enabled(priority))
		return;
	sb_strbuf_init(&m, message, sizeof(message));
	sb_strbuf_str(&m, "MESSAGE=");
	sb_strbuf_mem(&m, text, len);
	sb_strbuf_init(&p, prio, sizeof(prio));
	sb_strbuf_str(&p, "PRIORITY=");
	sb_strbuf_int(&p, priority);
	fields[0] = (struct iovec){.iov_base = message, .iov_len = m.len};
	fields[1] = (struct iovec){.iov_base = prio, .iov_len = p.len};
	fields[2] = (struct iovec){.iov_base = (void *)"SYSLOG_IDENTIFIER=sockbrokerd",
				   .iov_len = strlen("SYSLOG_IDENTIFIER=sockbrokerd")};
	log_record(priority, fields, ELEMENTSOF(fields), text, len);
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
