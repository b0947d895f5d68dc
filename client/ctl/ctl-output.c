/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/ctl/ctl-output.h"

#define COLUMNS_MAX 16

struct ctl_table {
	size_t n_columns;
	bool has_header;
	bool right[COLUMNS_MAX];
	char **cells; /* row-major, the header row first when there is one */
	size_t n_cells, cap;
	bool failed;
};

char *ctl_escape(const char *text)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	char *out, *p;

	for (const unsigned char *s = (const unsigned char *)text; *s; s++)
		n += (*s < 0x20 || *s >= 0x7f) ? 4 : (*s == '\\' ? 2 : 1);
	out = malloc(n + 1);
	if (!out)
		return NULL;
	p = out;
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s < 0x20 || *s >= 0x7f) {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[*s >> 4];
			*p++ = hex[*s & 15];
		} else if (*s == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else {
			*p++ = (char)*s;
		}
	}
	*p = 0;
	return out;
}

static void table_push(struct ctl_table *t, char *cell)
{
	if (!cell) {
		t->failed = true;
		return;
	}
	if (t->n_cells == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, ncap * sizeof(*p));

		if (!p) {
			free(cell);
			t->failed = true;
			return;
		}
		t->cells = p;
		t->cap = ncap;
	}
	t->cells[t->n_cells++] = cell;
}

struct ctl_table *ctl_table_new(size_t n_columns, const char *const *headers)
{
	struct ctl_table *t;

	if (n_columns == 0 || n_columns > COLUMNS_MAX)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->n_columns = n_columns;
	if (headers) {
		t->has_header = true;
		for (size_t i = 0; i < n_columns; i++)
			table_push(t, strdup(headers[i]));
	}
	if (t->failed)
		return ctl_table_free(t);
	return t;
}

struct ctl_table *ctl_table_free(struct ctl_table *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
	return NULL;
}

void ctl_table_align_right(struct ctl_table *t, size_t column)
{
	if (column < t->n_columns)
		t->right[column] = true;
}

void ctl_table_cell(struct ctl_table *t, const char *text)
{
	table_push(t, ctl_escape(text ? text : ""));
}

void ctl_table_cellf(struct ctl_table *t, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = true;
		return;
	}
	ctl_table_cell(t, text);
	free(text);
}

size_t ctl_table_rows(const struct ctl_table *t)
{
	return t->n_cells / t->n_columns - (t->has_header ? 1 : 0);
}

int ctl_table_print(const struct ctl_table *t, FILE *f)
{
	size_t width[COLUMNS_MAX] = {0};

	if (t->failed)
		return -ENOMEM;
	if (t->n_cells % t->n_columns != 0)
		return -EINVAL;
	for (size_t i = 0; i < t->n_cells; i++) {
		size_t len = strlen(t->cells[i]);

		if (len > width[i % t->n_columns])
			width[i % t->n_columns] = len;
	}
	for (size_t i = 0; i < t->n_cells; i++) {
		size_t col = i % t->n_columns;
		bool last = col == t->n_columns - 1;
		int w = (int)width[col];

		if (t->right[col])
			fprintf(f, "%*s", w, t->cells[i]);
		else if (last)
			fputs(t->cells[i], f);
		else
			fprintf(f, "%-*s", w, t->cells[i]);
		fputs(last ? "\n" : "  ", f);
	}
	return 0;
}

int ctl_print_json(struct sb_json_builder *b)
{
	_cleanup_json_ json_object *obj = sb_json_done(b);
	const char *text = obj ? json_object_to_json_string_ext(
					 obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE)
			       : NULL;

	if (!text)
		return -ENOMEM;
	puts(text);
	return 0;
}

void ctl_format_timespan(uint64_t usec, char *buf, size_t size)
{
	static const struct {
		const char *suffix;
		uint64_t usec;
	} units[] = {
		{"d", 86400000000u},
		{"h", 3600000000u},
		{"min", 60000000u},
		{"s", 1000000u},
	};
	size_t used = 0;

	if (usec < 1000000u) {
		snprintf(buf, size, "%" PRIu64 "ms", usec / 1000u);
		return;
	}
	buf[0] = 0;
	for (size_t i = 0; i < ELEMENTSOF(units); i++) {
		uint64_t n = usec / units[i].usec;
		int w;

		if (n == 0)
			continue;
		usec %= units[i].usec;
		w = snprintf(buf + used, size - used, "%s%" PRIu64 "%s", used ? " " : "", n,
			     units[i].suffix);
		if (w < 0 || (size_t)w >= size - used)
			return;
		used += (size_t)w;
	}
}

void ctl_format_time(uint64_t usec, char *buf, size_t size)
{
	time_t secs = (time_t)(usec / 1000000u);
	struct tm tm;

	if (usec / 1000000u > (uint64_t)INT64_MAX || !localtime_r(&secs, &tm) ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%" PRIu64, usec);
}

/* "1000 (alice)", or the bare number for an id without a name. */
static void format_id(unsigned id, const char *name, char *buf, size_t size)
{
	if (name)
		snprintf(buf, size, "%u (%s)", id, name);
	else
		snprintf(buf, size, "%u", id);
}

void ctl_format_uid(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	format_id(uid, pw ? pw->pw_name : NULL, buf, size);
}

void ctl_format_gid(gid_t gid, char *buf, size_t size)
{
	struct group *gr = getgrgid(gid);

	format_id(gid, gr ? gr->gr_name : NULL, buf, size);
}
