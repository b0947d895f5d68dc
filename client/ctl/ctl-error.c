/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-output.h"
#include "client/ctl/ctl.h"

static void verror(const char *fmt, va_list ap)
{
	_cleanup_free_ char *text = NULL, *escaped = NULL;

	if (vasprintf(&text, fmt, ap) < 0) {
		fputs("sockbrokerctl: out of memory\n", stderr);
		return;
	}
	escaped = ctl_escape(text);
	fprintf(stderr, "sockbrokerctl: %s\n", escaped ? escaped : "out of memory");
}

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
}

int ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	fputs("Try 'sockbrokerctl --help'.\n", stderr);
	return CTL_EXIT_USAGE;
}

int ctl_output_json(struct sb_json_builder *b)
{
	if (ctl_print_json(b) < 0) {
		ctl_error("cannot format the output: out of memory");
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}
