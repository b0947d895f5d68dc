/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>

#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-report-options.h"

int ctl_parse_report_options(struct ctl *ctl, int argc, char **argv, const char *help_text)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	/* Each command parses its own argv from the start. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			ctl->json = true;
			break;
		case 'h':
			fputs(help_text, stdout);
			return CTL_EXIT_OK;
		default:
			return ctl_usage_error("%s: unknown option %s", argv[0], argv[optind - 1]);
		}
	}
	return -1;
}
