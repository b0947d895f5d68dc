/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's state: the event loop, listening sockets, client
 * connections and their limits, the policy and counters. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "daemon/comm.h"
#include "daemon/policy.h"
#include "proto/error.h"
#include "proto/frame.h"

struct sb_grants;
struct sb_offload;
struct sb_uid_counts;

struct sb_limits {
	unsigned max_connections;
	unsigned max_connections_per_uid; /* uid 0 is not limited */
	unsigned max_requests_in_flight;  /* replies queued before reading stops */
	unsigned idle_timeout_sec;
	/* Sockets handed over and not yet received (inflight.h), per owner
	 * and in all; 0 for the latter: half of RLIMIT_NOFILE at start. */
	unsigned max_fds_unread_per_uid;
	unsigned max_fds_unread;
};

/* Once 7/8 of max_connections are open, a connection is accepted only
 * from a uid holding fewer than this many (uid 0 from any): the last
 * eighth is kept for the users who have few. */
#define SB_RESERVE_PER_UID 4

#define SB_LIMITS_DEFAULT                                                                          \
	((struct sb_limits){                                                                       \
		.max_connections = 4096,                                                           \
		.max_connections_per_uid = 64,                                                     \
		.max_requests_in_flight = 16,                                                      \
		.idle_timeout_sec = 60,                                                            \
		.max_fds_unread_per_uid = 128,                                                     \
	})

/* What the daemon knows of a peer's systemd unit (peer-unit.h). */
enum sb_client_unit {
	SB_CLIENT_UNIT_UNREAD, /* not read yet: no policy asked for it */
	SB_CLIENT_UNIT_NONE,   /* in no unit */
	SB_CLIENT_UNIT_FOUND,  /* in unit */
	SB_CLIENT_UNIT_UNKNOWN,
};

struct sb_client {
	struct sb_server *server;
	struct sb_client *prev, *next;
	int fd;
	sd_event_source *io;
	struct ucred cred;
	/* Whom the connection counts against for the limits: the owner of a
	 * subordinate uid (subid.h), else cred.uid. */
	uid_t counted_uid;
	gid_t *groups;
	size_t n_groups;
	/* The task name, escaped (\xNN for anything but printable ASCII):
	 * clients choose it, and it goes into logs and JSON. */
	char comm[SB_COMM_MAX];
	/* The peer's systemd unit, read at the first decision of a policy
	 * that names units: the process that connected may be gone later,
	 * and a unit read once stays the connection's, like its uid. */
	enum sb_client_unit unit_state;
	char *unit;
	/* Allocated while a message is partly read; freed when idle so a
	 * held connection costs little. */
	struct sb_decoder *decoder;
	struct sb_outq *out;
	unsigned queued;    /* replies in out not yet fully written */
	/* Replies written since the peer was last seen to have read them
	 * all: an upper bound of the replies it has not read. */
	unsigned unread;
	/* Of those, the ones that carried a socket (inflight.h). */
	unsigned fds_unread;
	/* Closed, but kept while its peer has sockets of ours unread: only
	 * waiting for it to read them or hang up. */
	bool parked;
	bool stalled;       /* too many replies unread: wait for the peer */
	uint64_t last_active; /* CLOCK_MONOTONIC usec */
	bool reading;       /* EPOLLIN armed */
	uint32_t events;    /* the mask armed, always edge-triggered */
	bool rearm;         /* a read stopped before the socket was empty */
	bool closing;       /* drop once out drains */
	bool yielded;       /* calls left for the next turn (CALLS_PER_EVENT) */
	bool eof;           /* the peer sent all it will; close once served */
	/* A call working on the client's socket off the loop (offload.h):
	 * nothing else is served until it is answered. */
	struct sb_offload *offload;
	uint8_t calls;      /* calls served in this wake-up */
};

struct sb_server {
	sd_event *event;
	sd_event_source *listen_src[8];
	unsigned n_listen;
	sd_event_source *sweep;
	struct sb_policy *policy;
	const char *policy_path;
	/* subuid(5) and subgid(5), read with the policy (subid.h). */
	const char *subuid_path;
	const char *subgid_path;
	struct sb_limits limits;
	struct sb_client *conns;
	unsigned n_conns;
	struct sb_uid_counts *per_uid;
	/* Sockets handed over and not yet received (inflight.h). */
	struct sb_uid_counts *fds_per_owner;
	unsigned fds_unread;
	uint64_t fds_settled_usec;
	/* The last pass over every connection's hang-up (server.c). */
	uint64_t reaped_usec;
	struct sb_grants *grants;
	/* Families this kernel has, learnt at start and at each reload
	 * (families.h). */
	int families[64];
	unsigned n_families;
	uint64_t started_usec; /* CLOCK_MONOTONIC */
	uint64_t n_grants, n_denials, n_errors;
	bool stopping;
};

int sb_server_init(struct sb_server *s, sd_event *event, const char *policy_path,
		   const char *subuid_path, const char *subgid_path,
		   const struct sb_limits *limits);
void sb_server_done(struct sb_server *s);
/* Serve on an already listening socket (taken over). */
int sb_server_add_listener(struct sb_server *s, int fd);
/* Load the policy and the subordinate ids again; on failure the running
 * ones stay. errbuf gets "file:line: reason". */
int sb_server_reload(struct sb_server *s, char *errbuf, size_t errsize);
/* Stop accepting, let queued replies drain, then leave the loop. */
void sb_server_stop(struct sb_server *s);

/* The policy subject for a connection's peer. Reads its unit first when
 * the policy names units and it was not read yet. */
void sb_client_subject(struct sb_client *c, struct sb_policy_subject *who);
/* The uid whose shares of the daemon (connections, workers, descriptors
 * in flight) the peer's use counts against. */
uid_t sb_client_owner(const struct sb_client *c);
/* A call that held c back was answered: serve what waits, read on. */
void sb_client_resume(struct sb_client *c);

/* Queue msg (and fd, when >= 0; the caller keeps its own) as the next
 * reply on c and try to write it at once. On failure c is closed. */
void sb_client_send(struct sb_client *c, json_object *msg, int fd);
/* The same for a reply already in its wire form (len bytes, no NUL). */
void sb_client_send_text(struct sb_client *c, const char *text, size_t len, int fd);
/* Send err as a final reply, then close once it is written. */
void sb_client_send_fatal(struct sb_client *c, const struct sb_error *err);
