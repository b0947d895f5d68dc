/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-sockbroker: the benchmarks behind make bench. Every comparison
 * runs its variants interleaved, round by round, in one run, and reports
 * medians, because these machines are noisy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "proto/util.h"

/* The CPU both ends run on in pinned measurements. */
#define BENCH_CPU 0
/* CPU time the working floor spends per request, about what sockbrokerd
 * spends beyond the floor (docs/PERFORMANCE.md, "Placement"); the rows say "2 µs". */
#define BENCH_WORK_NS 2000
/* The policy names the bench clients by number (tests/harness.h). */
#define BENCH_UID "65534"

struct bench_opts {
	unsigned rounds;	 /* interleaved rounds per comparison */
	unsigned calls;		 /* calls per latency batch */
	unsigned tp_rounds;	 /* rounds of the throughput sweep */
	double tp_seconds;	 /* length of one throughput point */
	unsigned max_conns;	 /* idle connections for the memory figure */
	const char *only;	 /* run one section (NULL: all) */
	const char *profile_out; /* keep the base callgrind profile here */
	const char *against;	 /* another sockbrokerd to compare with (A/B) */
};

/* ---------------------------------------------------------- stats.c */
uint64_t bench_now_ns(void);
/* Median of n values (sorts v in place); 0 for n == 0. */
double bench_median(double *v, size_t n);
/* Quartiles, for the spread column (v sorted by bench_median first). */
double bench_quantile(const double *sorted, size_t n, double q);

/* ---------------------------------------------------------- table.c */
/* One line of the final table. value, ratio and target are free text;
 * verdict is "met", "NOT MET", "-" (information) or "skipped". */
void bench_row(const char *section, const char *what, const char *value, const char *ratio,
	       const char *target, const char *verdict);
void bench_rowf(const char *section, const char *what, const char *ratio, const char *target,
		const char *verdict, const char *fmt, ...) _printf_(6, 7);
void bench_note(const char *fmt, ...) _printf_(1, 2);
void bench_table_print(FILE *f);
/* A section heading on stderr while the run goes on. */
void bench_progress(const char *fmt, ...) _printf_(1, 2);

/* ---------------------------------------------------------- servers.c */
struct bench_server {
	pid_t pid;
	char name[32];
	char socket[160];
	char policy[160];
	char log[160];
};

/* The private directory (mode 0755, so nobody reaches the sockets). */
int bench_dir_init(void);
void bench_dir_cleanup(void);
const char *bench_dir(void);
/* Its one subdirectory, for the callgrind dumps written while the daemon
 * has a client's filesystem ids (profile.c). */
#define BENCH_PROFILE_SUBDIR "callgrind"
/* Programs of the build tree: sockbrokerd, bench-floor-server, ourself. */
const char *bench_builddir(void);
const char *bench_self(void);

/* Raise this process's RLIMIT_NOFILE soft limit to the hard limit, as a
 * daemon holding many connections must; returns the new limit. */
long bench_raise_nofile(void);
/* sockbrokerd from the build tree, on DIR/name.sock with policy_text
 * in DIR/name.conf; RLIMIT_NOFILE raised before exec; stderr to
 * DIR/name.log. extra: NULL-terminated further arguments, or NULL.
 * Returns once it answers; 0 or -errno. */
int bench_daemon_start(struct bench_server *s, const char *name, const char *policy_text,
		       const char *const *extra);
/* Same with another sockbrokerd program (NULL: the build tree's), under
 * a command prefix (valgrind ..., NULL-terminated; NULL for none). */
int bench_daemon_start_exe(struct bench_server *s, const char *program, const char *name,
			   const char *policy_text, const char *const *extra,
			   const char *const *wrapper);
/* bench-floor-server on DIR/name.sock: blocking, or from an epoll loop;
 * spending work_ns of CPU on each request (0: none). */
int bench_floor_start(struct bench_server *s, const char *name, bool epoll, unsigned work_ns);
/* SIGTERM, wait; true when it exited with status 0. */
bool bench_server_stop(struct bench_server *s);
/* Does sockbrokerd --help mention this option? */
bool bench_daemon_has_option(const char *option);

/* Pin a process (0: ourself) to one CPU, or to every CPU with cpu < 0. */
int bench_pin(pid_t pid, int cpu);
/* pid's descriptor count once it stops changing. */
int bench_settled_fds(pid_t pid);
/* Wait until pid holds exactly n descriptors; false on timeout. */
bool bench_wait_fds(pid_t pid, int n, unsigned timeout_ms);
/* Connect count AF_UNIX stream sockets to path (each makes one Info
 * call, then stays idle); returns how many the server kept. fds must
 * hold count entries; unused ones are -1. */
size_t bench_hold_connections(const char *path, int *fds, size_t count);
void bench_close_all(int *fds, size_t count);

/* ---------------------------------------------------------- worker.c */
enum bench_who {
	BENCH_ROOT,   /* stays root (the path measured does not depend on it) */
	BENCH_NOBODY, /* as setpriv --reuid=65534 ... --bounding-set=-all + no_new_privs */
	BENCH_USER,   /* uid/gid 65534 only: set-uid helpers (authbind) still work */
};

struct bench_result {
	double value;	/* ns per call, or a rate, as the job defines */
	uint64_t count; /* calls done */
	double seconds; /* time measured */
	int error;	/* errno of the first failure, 0 if none */
	char what[112]; /* what failed */
};

struct bench_job;
typedef int (*bench_fn)(struct bench_job *job, struct bench_result *res);

struct bench_job {
	bench_fn fn;
	const char *socket; /* server the job talks to */
	unsigned calls;	    /* latency jobs: calls timed */
	unsigned warmup;    /* calls before timing starts */
	double seconds;	    /* rate jobs: time to run */
	unsigned pause_us;  /* latency jobs: idle time after each call (profiling) */
	enum bench_who who;
	int cpu;	 /* pin the worker here; < 0: any CPU */
	int go_fd;	 /* >= 0: after warm-up, write one byte to ready_fd */
	int ready_fd;	 /*      and start when go_fd reaches EOF */
	int result_fd;	 /* set in the worker: where the result goes */
	const void *arg; /* job-specific input */
};

/* A latency job against server s (NULL: none) with o's calls and a tenth
 * of them as warm-up, as who, pinned to cpu (< 0: any). */
struct bench_job bench_job_of(bench_fn fn, const struct bench_server *s, const struct bench_opts *o,
			      enum bench_who who, int cpu);
/* Fork a worker that takes job->who, runs job->fn and reports. */
pid_t bench_worker_start(const struct bench_job *job, int *result_fd);
/* Collect its result; 0, or -errno when it died without one. */
int bench_worker_finish(pid_t pid, int result_fd, struct bench_result *res);
/* Both at once. */
int bench_worker_run(const struct bench_job *job, struct bench_result *res);
/* In a worker: report ready, then wait for the start (no-op without go_fd). */
void bench_worker_ready(const struct bench_job *job);
/* In a worker: record a failure. Returns -err. */
int bench_fail(struct bench_result *res, int err, const char *fmt, ...) _printf_(3, 4);
/* Write a result to fd (used by exec'd workers too). */
void bench_result_write(int fd, const struct bench_result *res);

/* ---------------------------------------------------------- compare.c */
/* One arm of an interleaved comparison: run job with server pinned to
 * server_cpu (< 0: any), once per round. */
struct bench_arm {
	const char *label;
	struct bench_job job;
	struct bench_server *server;
	int server_cpu;
	double *samples; /* one per round (ns per call) */
	size_t n_samples;
	struct bench_result failure; /* first failure, if any */
	bool failed;
};

/* Run every arm once per round, in a shuffled order. */
void bench_compare(struct bench_arm *arms, size_t n_arms, unsigned rounds);
void bench_arm_free(struct bench_arm *arm);
double bench_arm_median(struct bench_arm *arm);
/* "12.3 µs [11.9-12.8]": median and the middle half of the rounds. */
void bench_format_ns(struct bench_arm *arm, char *buf, size_t size);

/* ---------------------------------------------------------- calls.c */
/* Latency jobs, ns per call: the floor client, the brokered socket and
 * bind calls, and plain bind() (as such, and under authbind). */
int bench_job_floor_socket(struct bench_job *job, struct bench_result *res);
int bench_job_broker_socket(struct bench_job *job, struct bench_result *res);
/* The same, between GetInfo calls on a second connection: two before,
 * one after (the profile's markers, profile.c). */
int bench_job_broker_socket_marked(struct bench_job *job, struct bench_result *res);
int bench_job_broker_bind(struct bench_job *job, struct bench_result *res);
int bench_job_plain_bind(struct bench_job *job, struct bench_result *res);
/* Brokered binds between GetInfo markers, as for the socket calls. */
int bench_job_broker_bind_marked(struct bench_job *job, struct bench_result *res);
/* Rate jobs, calls per second for job->seconds. */
int bench_job_floor_socket_rate(struct bench_job *job, struct bench_result *res);
int bench_job_broker_socket_rate(struct bench_job *job, struct bench_result *res);
/* The port both bind measurements use (on 127.0.0.1). */
#define BENCH_BIND_PORT 80

/* ---------------------------------------------------------- sections */
/* Does this run measure section (no --only, or --only names it)? */
bool bench_wants(const struct bench_opts *o, const char *section);
void bench_host(const struct bench_opts *o);	   /* what a wake-up costs here */
void bench_latency(const struct bench_opts *o);	   /* 1, 2 and scaling */
void bench_throughput(const struct bench_opts *o); /* 3 */
void bench_memory(const struct bench_opts *o);	   /* 4 */
void bench_datapath(const struct bench_opts *o);   /* 5 */
void bench_profile(const struct bench_opts *o);	   /* instruction counts */
void bench_placement(const struct bench_opts *o);  /* why unpinned rows vary */
/* libsockbroker-preload.so, with sockbrokerd d for the brokered row. */
void bench_interposer(const struct bench_opts *o, struct bench_server *d);
/* Latency job: sockbroker_socket() for raw ICMP + close(), ns per call. */
int bench_job_library_raw(struct bench_job *job, struct bench_result *res);
/* sockbroker.socket() in Python against sockbroker_socket() */
void bench_python(const struct bench_opts *o, struct bench_server *d);
/* The host section's cross-CPU pipe round trip in ns; 0 if not measured. */
double bench_host_cross_cpu_ns(void);
/* The exec'd side of the authbind measurement (argv after the mode). */
int bench_bind_worker_main(int argc, char **argv);

/* ---------------------------------------------------------- policies.c */
/* The policy every section's daemon starts from. */
extern const char bench_policy[];
#define BENCH_EXTRA_RULES 1000
/* bench_policy and 1,000 rules for other users and groups. malloc'ed. */
char *bench_policy_other_rules(void);
/* bench_policy and 1,000 rules that name the caller but do not match
 * (the worst case: each is looked at). malloc'ed. */
char *bench_policy_own_rules(void);
