/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl run: get sockets from the broker and exec a command with
 * them at descriptors 3, 4, ... and LISTEN_FDS / LISTEN_PID /
 * LISTEN_FDNAMES set, the systemd socket-activation protocol
 * (sd_listen_fds(3)), so unmodified programs get brokered sockets. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-commands.h"
#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-execute.h"
#include "client/lib/spec-open.h"
#include "proto/consts.h"
#include "proto/protocol.h"
#include "proto/spec.h"

static const char run_help[] =
	"Usage: sockbrokerctl run --socket=SPEC [--socket=SPEC...] [--name=NAME...]\n"
	"                         [--] CMD [ARG...]\n"
	"Make each socket and execute CMD with them at descriptors 3, 4, ... and\n"
	"LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES set (systemd socket activation).\n"
	"What CMD's user may do itself is done here; the broker is asked for the\n"
	"rest (the socket, an option or the bind that needs privilege).\n"
	"SPEC is FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS], a PARAM being an option\n"
	"(SO_REUSEADDR, SO_MARK=256, SO_BINDTODEVICE=eth0, ...), backlog=N, nolisten\n"
	"or netns=NAME, for example AF_INET:SOCK_STREAM,SO_REUSEADDR@0.0.0.0:80.\n"
	"Bound stream and seqpacket sockets of families that listen (AF_INET,\n"
	"AF_INET6, AF_UNIX, AF_TIPC, AF_VSOCK, AF_BLUETOOTH) are put in listening\n"
	"state unless the spec says nolisten.\n\n"
	"  -s, --socket=SPEC   a socket to get, in the order given (at most 64)\n"
	"  -n, --name=NAME     the name of the socket in the same position\n"
	"                      (default: its address family, e.g. AF_INET)\n"
	"  -h, --help          print this help and exit\n";

/* sd_listen_fds(3): the first passed descriptor. */
#define LISTEN_FDS_START 3
/* More than any socket-activated program wants; keeps argv bounded. */
#define RUN_SOCKETS_MAX 64
/* fdname_is_valid() of systemd: at most 255 printable ASCII bytes, no ':'. */
#define FDNAME_MAX 255

struct run {
	const char *specs[RUN_SOCKETS_MAX];
	const char *names[RUN_SOCKETS_MAX];
	size_t n_specs, n_names;
	int fds[RUN_SOCKETS_MAX];
	size_t n_fds;
};

static void run_done(struct run *run)
{
	for (size_t i = 0; i < run->n_fds; i++)
		safe_close(run->fds[i]);
	run->n_fds = 0;
}

static bool fdname_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > FDNAME_MAX)
		return false;
	for (const char *p = name; *p; p++)
		if (*p < 0x21 || *p > 0x7e || *p == ':')
			return false;
	return true;
}

static int parse_run_options(struct run *run, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"json", no_argument, NULL, 'j'},
		{},
	};
	int c;

	optind = 0;
	opterr = 0;
	/* "+": the first non-option is the command; its own options follow. */
	while ((c = getopt_long(argc, argv, "+:s:n:h", longopts, NULL)) >= 0) {
		switch (c) {
		case 's':
			if (run->n_specs == RUN_SOCKETS_MAX)
				return ctl_usage_error("run: at most %d sockets", RUN_SOCKETS_MAX);
			run->specs[run->n_specs++] = optarg;
			break;
		case 'n':
			if (run->n_names == RUN_SOCKETS_MAX)
				return ctl_usage_error("run: at most %d names", RUN_SOCKETS_MAX);
			if (!fdname_valid(optarg))
				return ctl_usage_error(
					"run: --name %s: a name is 1 to %d printable "
					"characters without ':' or spaces",
					optarg, FDNAME_MAX);
			run->names[run->n_names++] = optarg;
			break;
		case 'h':
			fputs(run_help, stdout);
			return CTL_EXIT_OK;
		case 'j':
			return ctl_usage_error("run: --json does not apply: run prints nothing");
		case ':':
			return ctl_usage_error("run: option %s needs an argument",
					       argv[optind - 1]);
		default:
			return ctl_usage_error("run: unknown option %s", argv[optind - 1]);
		}
	}
	if (run->n_specs == 0)
		return ctl_usage_error("run: give at least one --socket=SPEC");
	if (run->n_names > run->n_specs)
		return ctl_usage_error("run: %zu names for %zu sockets", run->n_names,
				       run->n_specs);
	if (optind >= argc)
		return ctl_usage_error("run: no command given");
	return -1;
}

/* run's way to the broker for sb_spec_open(): its calls, each failure
 * reported with the spec it was for. */
struct run_opener {
	struct sb_opener base;
	struct ctl *ctl;
	char what[512];
	int status; /* the exit status of a failed call */
};

static int run_call(struct sb_opener *base, const struct sb_message_def *def, const void *args,
		    int fd, int *ret_fd)
{
	struct run_opener *o = (struct run_opener *)base;
	struct sb_result res;
	int r;

	r = ctl_call(o->ctl, o->what, def, args, fd >= 0 ? &fd : NULL, fd >= 0, base->recv_flags,
		     &res);
	if (r != CTL_EXIT_OK) {
		o->status = r;
		return -EIO;
	}
	if (ret_fd) {
		*ret_fd = sb_result_take_fd(&res);
		if (*ret_fd < 0) {
			ctl_error("%s: the broker's reply carried no socket", o->what);
			sb_result_done(&res);
			o->status = CTL_EXIT_FAILED;
			return -EPROTO;
		}
	}
	sb_result_done(&res);
	return 0;
}

/* The socket of one spec: made here where our own privileges suffice,
 * the rest asked of the broker. Socket activation hands over listening
 * sockets (systemd's ListenStream=, ListenSequentialPacket=): a bound
 * connection socket listens unless the spec says otherwise. */
static int get_socket(struct ctl *ctl, const char *text, const struct sb_spec *spec, int *ret)
{
	/* Close-on-exec until the socket is moved into place: nothing may
	 * leak to CMD but the sockets it is told about. */
	struct run_opener o = {
		.base = {.call = run_call, .recv_flags = MSG_CMSG_CLOEXEC, .listen_auto = true},
		.ctl = ctl,
		.status = CTL_EXIT_FAILED,
	};
	struct sb_error err;
	int fd;

	snprintf(o.what, sizeof(o.what), "run: %s", text);
	fd = sb_spec_open(spec, &o.base, &err);
	if (fd < 0) {
		if (err.message[0]) {
			ctl_error("%s: %s", o.what, err.message);
			return CTL_EXIT_FAILED;
		}
		return o.status;
	}
	*ret = fd;
	return CTL_EXIT_OK;
}

/* Put the sockets at 3, 4, ... without FD_CLOEXEC. They are first moved
 * above that range so that placing one never replaces another. */
static int install_fds(struct run *run)
{
	for (size_t i = 0; i < run->n_fds; i++) {
		int fd = fcntl(run->fds[i], F_DUPFD_CLOEXEC, LISTEN_FDS_START + (int)run->n_fds);

		if (fd < 0)
			return -errno;
		close(run->fds[i]);
		run->fds[i] = fd;
	}
	for (size_t i = 0; i < run->n_fds; i++) {
		/* dup2() leaves the new descriptor without FD_CLOEXEC. */
		if (dup2(run->fds[i], LISTEN_FDS_START + (int)i) < 0)
			return -errno;
		close(run->fds[i]);
		run->fds[i] = LISTEN_FDS_START + (int)i;
	}
	return 0;
}

static int set_listen_env(const struct run *run, const struct sb_spec *specs)
{
	char names[RUN_SOCKETS_MAX * (FDNAME_MAX + 1)], num[32];
	size_t used = 0;

	names[0] = 0;
	for (size_t i = 0; i < run->n_fds; i++) {
		const char *name = i < run->n_names ? run->names[i] : NULL;

		if (!name)
			name = sb_const_name(SB_C_AF, specs[i].family);
		if (!name)
			name = "broker";
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ":" : "",
					 name);
	}
	snprintf(num, sizeof(num), "%zu", run->n_fds);
	if (setenv("LISTEN_FDS", num, 1) < 0)
		return -errno;
	/* exec keeps the pid: the command is the process the sockets are
	 * for. */
	snprintf(num, sizeof(num), "%d", (int)getpid());
	if (setenv("LISTEN_PID", num, 1) < 0 || setenv("LISTEN_FDNAMES", names, 1) < 0)
		return -errno;
	return 0;
}

int ctl_run(struct ctl *ctl, int argc, char **argv)
{
	struct run run = {.n_specs = 0};
	struct sb_spec specs[RUN_SOCKETS_MAX];
	struct sb_error err;
	char **cmd;
	int r;

	r = parse_run_options(&run, argc, argv);
	if (r >= 0)
		return r;
	if (ctl->json)
		return ctl_usage_error("run: --json does not apply: run prints nothing");
	cmd = argv + optind;
	/* Every spec is checked before the broker is asked for anything. */
	for (size_t i = 0; i < run.n_specs; i++)
		if (sb_spec_parse(run.specs[i], &specs[i], &err) < 0)
			return ctl_usage_error("run: --socket %s: %s", run.specs[i], err.message);

	for (size_t i = 0; i < run.n_specs; i++) {
		r = get_socket(ctl, run.specs[i], &specs[i], &run.fds[run.n_fds]);
		if (r != CTL_EXIT_OK)
			goto fail;
		run.n_fds++;
	}
	/* The connection's descriptor may sit where a socket goes. */
	ctl_disconnect(ctl);
	r = install_fds(&run);
	if (r < 0) {
		ctl_error("run: cannot place the sockets at descriptor %d and up: %s",
			  LISTEN_FDS_START, strerror(-r));
		r = CTL_EXIT_FAILED;
		goto fail;
	}
	r = set_listen_env(&run, specs);
	if (r < 0) {
		ctl_error("run: cannot set LISTEN_FDS: %s", strerror(-r));
		r = CTL_EXIT_FAILED;
		goto fail;
	}
	r = ctl_execute("run", cmd);
fail:
	run_done(&run);
	return r;
}
