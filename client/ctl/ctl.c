/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl: global options and the command table. Nothing calls
 * back into this file (ctl.h draws the order of the others). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-commands.h"
#include "client/ctl/ctl-error.h"

static const struct {
	const char *name;
	ctl_command_fn fn;
} commands[] = {
	{"status", ctl_status}, {"list", ctl_list}, {"check", ctl_check}, {"info", ctl_info},
	{"reload", ctl_reload}, {"run", ctl_run},   {"exec", ctl_exec},
};

static void help(void)
{
	printf("Usage: sockbrokerctl [--socket=PATH] [--json] COMMAND [ARG...]\n"
	       "Inspect and drive sockbrokerd, the privileged socket broker.\n\n"
	       "Commands:\n"
	       "  status                  version, uptime, counters, policy files\n"
	       "  list                    sockets handed out that are still open\n"
	       "  check USER METHOD [KEY=VALUE...]\n"
	       "                          dry-run the policy: allow or deny, and the rule\n"
	       "  info                    what the broker knows about you, what you may do\n"
	       "  reload                  load the policy again (a broken one is refused)\n"
	       "  run --socket=SPEC [--socket=SPEC...] [--name=NAME...] -- CMD [ARG...]\n"
	       "                          run CMD with brokered sockets at fd 3...\n"
	       "                          (systemd socket activation: LISTEN_FDS)\n"
	       "  exec [--] CMD [ARG...]  run CMD with the interposer: what the kernel\n"
	       "                          refuses it for lack of privilege, the broker may grant\n\n"
	       "Options:\n"
	       "      --socket=PATH       the broker's socket (default $SOCKBROKER_SOCKET,\n"
	       "                          else " SB_DEFAULT_SOCKET ")\n"
	       "      --json              print JSON instead of tables\n"
	       "  -h, --help              print this help and exit (help COMMAND:\n"
	       "                          that command's)\n"
	       "  -V, --version           print the version and exit\n\n"
	       "Exit status: 0 success (check: allow), 1 refused or failed (check: deny),\n"
	       "2 usage error, 3 the broker cannot be reached. See sockbrokerctl(8).\n");
}

static int parse_global(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{},
	};
	int c;

	opterr = 0;
	/* "+": stop at the command, whose options are its own (run has a
	 * --socket of its own). */
	while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) >= 0) {
		switch (c) {
		case 's':
			if (!*optarg)
				return ctl_usage_error("--socket: empty path");
			ctl->socket_path = optarg;
			break;
		case 'j':
			ctl->json = true;
			break;
		case 'h':
			help();
			return CTL_EXIT_OK;
		case 'V':
			printf("sockbrokerctl %s\n", SB_VERSION);
			return CTL_EXIT_OK;
		case ':':
			return ctl_usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			return ctl_usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	return -1;
}

static int finish_output(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_error("cannot write the output: %m");
		return status == CTL_EXIT_OK ? CTL_EXIT_FAILED : status;
	}
	return status;
}

static int run_command(struct ctl *ctl, int argc, char **argv)
{
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		int r;

		if (strcmp(argv[0], commands[i].name) != 0)
			continue;
		r = commands[i].fn(ctl, argc, argv);
		ctl_disconnect(ctl);
		return finish_output(r);
	}
	return ctl_usage_error("unknown command %s", argv[0]);
}

int main(int argc, char **argv)
{
	struct ctl ctl = {.socket_path = NULL};
	const char *env = secure_getenv("SOCKBROKER_SOCKET");
	const char *name;
	int r;

	ctl.socket_path = env && *env ? env : SB_DEFAULT_SOCKET;
	r = parse_global(&ctl, argc, argv);
	if (r >= 0)
		return finish_output(r);
	if (optind >= argc)
		return ctl_usage_error("no command given");
	name = argv[optind];
	if (strcmp(name, "help") == 0) {
		/* "help COMMAND" is "COMMAND --help". */
		if (optind + 1 < argc) {
			char *argv_help[] = {argv[optind + 1], (char *)"--help", NULL};

			if (optind + 2 < argc)
				return ctl_usage_error("help: unexpected argument %s",
						       argv[optind + 2]);
			return run_command(&ctl, 2, argv_help);
		}
		help();
		return finish_output(CTL_EXIT_OK);
	}
	return run_command(&ctl, argc - optind, argv + optind);
}
