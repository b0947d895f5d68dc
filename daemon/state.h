/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's state, as types: the server with its limits and counters,
 * and a client connection. Kept apart from the functions (server.h,
 * client.h) so that the modules reading a connection's fields need not
 * include the server that calls them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "daemon/comm.h"
#include "daemon/conn-state.h"
#include "daemon/policy.h"

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

#define SB_LIMITS_DEFAULT                      \
	((struct sb_limits){                   \
		.max_connections = 4096,       \
		.max_connections_per_uid = 64, \
		.max_requests_in_flight = 16,  \
		.idle_timeout_sec = 60,        \
		.max_fds_unread_per_uid = 128, \
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
	unsigned queued; /* replies in out not yet fully written */
	/* Replies written since the peer was last seen to have read them
	 * all: an upper bound of the replies it has not read. */
	unsigned unread;
	/* Of those, the ones that carried a socket (inflight.h). */
	unsigned fds_unread;
	/* What the connection is doing, moved on by sb_conn_next() only. */
	enum sb_conn_state state;
	uint64_t last_active; /* CLOCK_MONOTONIC usec */
	/* Apart from the state, as epoll's bookkeeping: whether reading is
	 * on (EPOLLIN armed, and cleared within a read once the limits are
	 * reached) depends on the queue and a call on a worker as well as on
	 * the state, and an edge owed (rearm) on how the last read ended. */
	bool reading;	 /* EPOLLIN armed */
	uint32_t events; /* the mask armed, always edge-triggered */
	bool rearm;	 /* a read stopped before the socket was empty */
	/* A call working on the client's socket off the loop (offload.h):
	 * nothing else is served until it is answered. */
	struct sb_offload *offload;
	uint8_t calls; /* calls served in this wake-up */
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
