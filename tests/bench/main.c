/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-sockbroker: the sockbroker benchmarks (make bench). Run as root
 * from the build tree; it starts its own sockbrokerd and floor server on
 * private sockets, runs the clients as uid 65534, and prints a table. */
#include <getopt.h>
#include <signal.h>
#include <string.h>

#include "tests/bench/bench.h"

static void help(void)
{
	printf("Usage: bench-sockbroker [OPTION...]\n"
	       "Measure sockbrokerd against its floor and authbind; print a table.\n\n"
	       "  -q, --quick             fewer rounds and shorter runs (a smoke test)\n"
	       "  -r, --rounds=N          interleaved rounds per comparison (default 15)\n"
	       "  -c, --calls=N           calls per latency batch (default 2000)\n"
	       "  -s, --only=SECTION      host, socket, bind, scaling, throughput,\n"
	       "                          memory, datapath, profile, placement,\n"
	       "                          interposer or python\n"
	       "  -n, --connections=N     idle connections for the memory figure (default 10000)\n"
	       "  -P, --profile-out=FILE  keep the base callgrind profile in FILE\n"
	       "  -a, --against=PROGRAM   also measure another sockbrokerd, interleaved (A/B)\n"
	       "  -h, --help              print this help and exit\n");
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static bool section_known(const char *name)
{
	static const char *const sections[] = {"host",	     "socket",	   "bind",     "scaling",
					       "throughput", "memory",	   "datapath", "profile",
					       "placement",  "interposer", "python",   NULL};

	for (size_t i = 0; sections[i]; i++)
		if (strcmp(sections[i], name) == 0)
			return true;
	return false;
}

/* Run section on a daemon of its own with the bench policy. */
static void with_daemon(const struct bench_opts *o, const char *section,
			void (*run)(const struct bench_opts *, struct bench_server *))
{
	struct bench_server d = {0};

	if (!bench_wants(o, section))
		return;
	if (bench_daemon_start(&d, section, bench_policy, NULL) < 0) {
		bench_row(section, "sockbrokerd", "-", "", "", "failed");
		return;
	}
	run(o, &d);
	bench_server_stop(&d);
}

static int bad_value(int c, const char *value)
{
	fprintf(stderr, "bench-sockbroker: bad value for -%c: %s\n", c, value);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'},
		{"rounds", required_argument, NULL, 'r'},
		{"calls", required_argument, NULL, 'c'},
		{"only", required_argument, NULL, 's'},
		{"connections", required_argument, NULL, 'n'},
		{"profile-out", required_argument, NULL, 'P'},
		{"against", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "qr:c:s:n:P:a:h", longopts, NULL)) >= 0) {
		switch (c) {
		case 'q':
			o->rounds = 5;
			o->calls = 500;
			o->tp_rounds = 1;
			o->tp_seconds = 0.3;
			break;
		case 'r':
			if (parse_uint(optarg, 1, 1000, &o->rounds) < 0)
				return bad_value(c, optarg);
			break;
		case 'c':
			if (parse_uint(optarg, 10, 10000000, &o->calls) < 0)
				return bad_value(c, optarg);
			break;
		case 'n':
			if (parse_uint(optarg, 1000, 1000000, &o->max_conns) < 0)
				return bad_value(c, optarg);
			break;
		case 's':
			if (!section_known(optarg))
				return bad_value(c, optarg);
			o->only = optarg;
			break;
		case 'P':
			o->profile_out = optarg;
			break;
		case 'a':
			if (access(optarg, X_OK) < 0)
				return bad_value(c, optarg);
			o->against = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench-sockbroker: unexpected argument %s\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

bool bench_wants(const struct bench_opts *o, const char *section)
{
	return !o->only || strcmp(o->only, section) == 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = {
		.rounds = 15,
		.calls = 2000,
		.tp_rounds = 3,
		.tp_seconds = 1.0,
		.max_conns = 10000,
	};
	long nofile;
	int r;

	/* The exec'd side of the authbind measurement. */
	if (argc > 1 && strcmp(argv[1], "--bind-worker") == 0)
		return bench_bind_worker_main(argc - 1, argv + 1);

	r = parse_args(argc, argv, &o);
	if (r <= 0)
		return r < 0 ? 2 : 0;
	if (geteuid() != 0) {
		printf("bench-sockbroker: skipped: needs root (it runs sockbrokerd, and its "
		       "clients as uid %s)\n",
		       BENCH_UID);
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	nofile = bench_raise_nofile();
	r = bench_dir_init();
	if (r < 0) {
		fprintf(stderr, "bench-sockbroker: cannot set up: %s\n", strerror(-r));
		return 1;
	}
	bench_progress("%ld CPUs online, RLIMIT_NOFILE %ld, working in %s",
		       sysconf(_SC_NPROCESSORS_ONLN), nofile, bench_dir());

	if (bench_wants(&o, "host"))
		bench_host(&o);
	if (bench_wants(&o, "socket") || bench_wants(&o, "bind") || bench_wants(&o, "scaling"))
		bench_latency(&o);
	if (bench_wants(&o, "throughput"))
		bench_throughput(&o);
	if (bench_wants(&o, "memory"))
		bench_memory(&o);
	if (bench_wants(&o, "datapath"))
		bench_datapath(&o);
	if (bench_wants(&o, "profile"))
		bench_profile(&o);
	if (bench_wants(&o, "placement"))
		bench_placement(&o);
	with_daemon(&o, "interposer", bench_interposer);
	with_daemon(&o, "python", bench_python);

	bench_table_print(stdout);
	bench_dir_cleanup();
	return 0;
}
