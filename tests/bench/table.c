/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table make bench prints at the end, and progress lines meanwhile. */
#include <stdarg.h>
#include <string.h>

#include "tests/bench/bench.h"

#define ROWS_MAX 64
#define NOTES_MAX 32

struct row {
	char section[8];
	char what[64];
	char value[48];
	char ratio[40];
	char target[40];
	char verdict[12];
};

static struct row rows[ROWS_MAX];
static size_t n_rows;
static char notes[NOTES_MAX][160];
static size_t n_notes;

void bench_row(const char *section, const char *what, const char *value, const char *ratio,
	       const char *target, const char *verdict)
{
	struct row *r;

	if (n_rows == ROWS_MAX)
		return;
	r = &rows[n_rows++];
	snprintf(r->section, sizeof(r->section), "%s", section);
	snprintf(r->what, sizeof(r->what), "%s", what);
	snprintf(r->value, sizeof(r->value), "%s", value);
	snprintf(r->ratio, sizeof(r->ratio), "%s", ratio ?: "");
	snprintf(r->target, sizeof(r->target), "%s", target ?: "");
	snprintf(r->verdict, sizeof(r->verdict), "%s", verdict ?: "-");
}

void bench_rowf(const char *section, const char *what, const char *ratio, const char *target,
		const char *verdict, const char *fmt, ...)
{
	char value[48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	bench_row(section, what, value, ratio, target, verdict);
}

void bench_note(const char *fmt, ...)
{
	va_list ap;

	if (n_notes == NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(notes[n_notes++], sizeof(notes[0]), fmt, ap);
	va_end(ap);
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Column widths in characters; "µ" is two bytes but one column. */
static int columns(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void cell(FILE *f, const char *s, int width)
{
	fputs(s, f);
	for (int n = columns(s); n < width; n++)
		fputc(' ', f);
}

void bench_table_print(FILE *f)
{
	static const char *const head[] = {"#",	    "measurement", "median [middle half]",
					   "ratio", "target",	   "verdict"};
	int w[6];

	for (size_t c = 0; c < 6; c++)
		w[c] = columns(head[c]);
	for (size_t i = 0; i < n_rows; i++) {
		const char *cells[] = {rows[i].section, rows[i].what,	rows[i].value,
				       rows[i].ratio,	rows[i].target, rows[i].verdict};

		for (size_t c = 0; c < 6; c++)
			if (columns(cells[c]) > w[c])
				w[c] = columns(cells[c]);
	}
	fputc('\n', f);
	for (size_t c = 0; c < 6; c++) {
		cell(f, head[c], c < 5 ? w[c] + 2 : 0);
	}
	fputc('\n', f);
	for (size_t c = 0; c < 6; c++) {
		for (int k = 0; k < w[c]; k++)
			fputc('-', f);
		fputs(c < 5 ? "  " : "", f);
	}
	fputc('\n', f);
	for (size_t i = 0; i < n_rows; i++) {
		const char *cells[] = {rows[i].section, rows[i].what,	rows[i].value,
				       rows[i].ratio,	rows[i].target, rows[i].verdict};

		for (size_t c = 0; c < 6; c++)
			cell(f, cells[c], c < 5 ? w[c] + 2 : 0);
		fputc('\n', f);
	}
	if (n_notes)
		fputc('\n', f);
	for (size_t i = 0; i < n_notes; i++)
		fprintf(f, "note: %s\n", notes[i]);
	fflush(f);
}
