/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerd: options, the listening socket (or systemd's), signals,
 * sd_notify, and the event loop. */
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "daemon/caps.h"
#include "daemon/client-fd.h"
#include "daemon/closer.h"
#include "daemon/fsid.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/netns.h"
#include "daemon/policy-verify.h"
#include "daemon/server.h"
#include "daemon/subid.h"

struct options {
	const char *listen;
	const char *policy;
	const char *subuid;
	const char *subgid;
	bool policy_given; /* --policy: the file must exist */
	const char *check_policy;
	bool verbose;
	struct sb_limits limits;
};

static void help(void)
{
	printf("Usage: sockbrokerd [OPTION...]\n"
	       "Create and configure privileged sockets for unprivileged clients.\n\n"
	       "  -l, --listen=PATH   listen on PATH (default " SB_DEFAULT_SOCKET ");\n"
	       "                      ignored when systemd passes a socket\n"
	       "  -p, --policy=FILE   policy file (default " SB_DEFAULT_POLICY ")\n"
	       "      --subuid=FILE   subordinate uids (default " SB_SUBUID_FILE ")\n"
	       "      --subgid=FILE   subordinate gids (default " SB_SUBGID_FILE ")\n"
	       "      --check-policy=FILE          check FILE and its policy.d, then exit\n"
	       "      --max-connections=N          connections in total (default 4096)\n"
	       "      --max-connections-per-uid=N  connections per non-root uid (default 64)\n"
	       "      --idle-timeout=SEC           close connections idle this long (default 60)\n"
	       "  -v, --verbose       log debug messages too\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n");
}

/* A positive integer option within [1, max]. */
static int parse_limit(const char *name, const char *text, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || v < 1 || v > max) {
		fprintf(stderr, "sockbrokerd: --%s: expected a number from 1 to %u\n", name, max);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

enum { OPT_MAX_CONN = 256, OPT_MAX_CONN_UID, OPT_IDLE, OPT_SUBUID, OPT_SUBGID, OPT_CHECK_POLICY };

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"policy", required_argument, NULL, 'p'},
		{"subuid", required_argument, NULL, OPT_SUBUID},
		{"subgid", required_argument, NULL, OPT_SUBGID},
		{"check-policy", required_argument, NULL, OPT_CHECK_POLICY},
		{"max-connections", required_argument, NULL, OPT_MAX_CONN},
		{"max-connections-per-uid", required_argument, NULL, OPT_MAX_CONN_UID},
		{"idle-timeout", required_argument, NULL, OPT_IDLE},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "l:p:vVh", longopts, NULL)) >= 0) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'p':
			o->policy = optarg;
			o->policy_given = true;
			break;
		case OPT_CHECK_POLICY:
			o->check_policy = optarg;
			break;
		case OPT_SUBUID:
			o->subuid = optarg;
			break;
		case OPT_SUBGID:
			o->subgid = optarg;
			break;
		case OPT_MAX_CONN:
			if (parse_limit("max-connections", optarg, 1000000,
					&o->limits.max_connections) < 0)
				return -EINVAL;
			break;
		case OPT_MAX_CONN_UID:
			if (parse_limit("max-connections-per-uid", optarg, 1000000,
					&o->limits.max_connections_per_uid) < 0)
				return -EINVAL;
			break;
		case OPT_IDLE:
			if (parse_limit("idle-timeout", optarg, 86400,
					&o->limits.idle_timeout_sec) < 0)
				return -EINVAL;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'V':
			printf("sockbrokerd %s\n", SB_VERSION);
			return 0;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sockbrokerd: unexpected argument %s\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

static int on_term(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	struct sb_server *s = userdata;

	sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	log_info("signal %u: finishing replies and exiting", si->ssi_signo);
	sb_server_stop(s);
	return 0;
}

static int on_hup(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	struct sb_server *s = userdata;
	char err[512];

	sd_notify(0, "RELOADING=1\nSTATUS=Reloading the policy");
	if (sb_server_reload(s, err, sizeof(err)) < 0)
		log_error("policy reload failed, keeping the running policy: %s", err);
	sd_notifyf(0, "READY=1\nSTATUS=Serving, %zu policy rule(s)",
		   sb_policy_rule_count(s->policy));
	return 0;
}

/* Every connection costs a descriptor: use the hard limit, as systemd
 * services are expected to (the soft limit of 1024 is for select()). */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Signals are handled before connections: a reload takes effect before
 * the next request is served. */
static int add_signal(sd_event *event, int sig, sd_event_signal_handler_t fn, void *userdata)
{
	sd_event_source *src;
	int r;

	r = sd_event_add_signal(event, &src, sig, fn, userdata);
	if (r < 0)
		return r;
	sd_event_source_set_priority(src, SD_EVENT_PRIORITY_IMPORTANT);
	r = sd_event_source_set_floating(src, true);
	sd_event_source_unref(src);
	return r;
}

static int run(const struct options *o)
{
	struct sb_server server;
	sd_event *event = NULL;
	sigset_t mask;
	int n, r;

	r = sb_netns_init();
	if (r < 0)
		log_warn("cannot open the daemon's network namespace: %s; netns requests will fail",
			 strerror(-r));
	sb_sockinfo_init();
	sb_fsid_init();
	r = sd_event_default(&event);
	if (r < 0)
		return r;
	raise_fd_limit();
	r = sb_server_init(&server, event, o->policy, o->subuid, o->subgid, &o->limits);
	if (r < 0)
		goto out;

	n = sd_listen_fds(true);
	if (n < 0) {
		r = n;
		log_error("LISTEN_FDS: %s", strerror(-r));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			log_error(
				"inherited descriptor %d is not a listening AF_UNIX stream socket",
				fd);
			r = -EINVAL;
			goto out;
		}
		r = sb_server_add_listener(&server, fd);
		if (r < 0)
			goto out;
	}
	if (n == 0) {
		char err[512];
		int fd = sb_listen_on(o->listen, err, sizeof(err));

		if (fd < 0) {
			r = fd;
			log_error("cannot listen on %s: %s", o->listen, err);
			goto out;
		}
		r = sb_server_add_listener(&server, fd);
		if (r < 0) {
			close(fd);
			goto out;
		}
	}

	/* Sockets carry the creator's supplementary groups in their file
	 * credentials (netfilter's --suppl-groups): the daemon's must not be
	 * mistaken for a client's. */
	if (getgroups(0, NULL) > 0 && setgroups(0, NULL) < 0 && errno != EPERM) {
		r = -errno;
		log_error("cannot drop supplementary groups: %m");
		goto out;
	}
	r = sb_caps_restrict();
	if (r < 0)
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Workers inherit the blocked signals. Those started for a burst of
	 * slow closes end once the pool has not needed them for 10 s. */
	r = sb_closer_init(10 * 1000 * 1000);
	if (r < 0) {
		log_error("cannot start the closing thread: %s", strerror(-r));
		goto out;
	}
	sb_frame_set_closer(sb_close_later);
	r = add_signal(event, SIGTERM, on_term, &server);
	if (r >= 0)
		r = add_signal(event, SIGINT, on_term, &server);
	if (r >= 0)
		r = add_signal(event, SIGHUP, on_hup, &server);
	if (r < 0)
		goto out;
	/* Sends WATCHDOG=1 on its own when WatchdogSec= is set. */
	sd_event_set_watchdog(event, true);
	log_info("serving on %s, %u kernel families available",
		 n > 0 ? "socket-activated descriptors" : o->listen, server.n_families);
	sd_notifyf(0, "READY=1\nSTATUS=Serving, %zu policy rule(s)",
		   sb_policy_rule_count(server.policy));
	/* From here on, what is logged is held for at most 20 ms (log.h). */
	if (log_hold_start(event, 20 * 1000) < 0)
		log_warn("cannot batch log records; writing each at once");
	/* Descriptors to close go to the closing threads in batches,
	 * within about 1 ms (closer.h). */
	if (sb_closer_hold_start(event, 1000) < 0)
		log_warn("cannot batch closes; waking a closing thread for each");
	r = sd_event_loop(event);
	if (r < 0)
		log_error("event loop: %s", strerror(-r));
out:
	/* Whatever is removed or written at exit is the daemon's, not the
	 * last client's (see fsid.h). */
	if (!sb_fsid_restore())
		log_warn("cannot return to the daemon's own filesystem identity");
	sb_server_done(&server);
	sb_closer_hold_stop();
	sb_closer_done();
	log_hold_stop();
	sd_event_unref(event);
	return r;
}

int main(int argc, char **argv)
{
	struct options o = {
		.listen = SB_DEFAULT_SOCKET,
		.policy = SB_DEFAULT_POLICY,
		.subuid = SB_SUBUID_FILE,
		.subgid = SB_SUBGID_FILE,
		.limits = SB_LIMITS_DEFAULT,
	};
	int r;

	r = parse_args(argc, argv, &o);
	if (r <= 0)
		return r < 0 ? 2 : 0;
	if (o.check_policy)
		return sb_policy_verify(o.check_policy);
	log_setup(o.verbose);
	/* Only a missing default policy means the built-in one: a policy
	 * asked for by name that is not there is a mistake, not a daemon
	 * serving root alone. */
	if (o.policy_given && access(o.policy, F_OK) < 0 && errno == ENOENT) {
		log_error("--policy %s: no such file", o.policy);
		return 1;
	}
	r = run(&o);
	return r < 0 ? 1 : 0;
}
