/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon/client.h"
#include "daemon/closer.h"
#include "daemon/dispatch.h"
#include "daemon/families.h"
#include "daemon/grants.h"
#include "daemon/fsid.h"
#include "daemon/inflight.h"
#include "daemon/log.h"
#include "daemon/offload.h"
#include "daemon/server.h"
#include "daemon/subid.h"
#include "daemon/uid-counts.h"
#include "proto/consts.h"
#include "proto/protocol.h"

#define GRANTS_REMEMBERED 4096
/* Reads per wake-up, so one busy client cannot starve the others. */
#define READS_PER_EVENT 8
/* Calls served per connection per wake-up. The in-flight limit does not
 * bound them: a oneway call gets no reply, and replies mostly go out at
 * once. Without a bound, a connection was served all the calls of its
 * reads (70 and more) before the next got a turn, and 63 of them kept
 * another uid waiting for half a second. */
#define CALLS_PER_EVENT 16
/* Connections accepted per wake-up of a listener. */
#define ACCEPTS_PER_EVENT 64
/* Pause accepting this long when out of descriptors (EMFILE). */
#define ACCEPT_BACKOFF_USEC (100 * 1000)
#define STOP_GRACE_USEC (5 * 1000 * 1000)
/* How long a stopping daemon still reads calls on accepted connections. */
#define STOP_LATE_CALL_USEC (250 * 1000)

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Every change of c's state goes through here (conn-state.h). */
static void conn_on(struct sb_client *c, enum sb_conn_event e)
{
	c->state = sb_conn_next(c->state, e);
}

static void conn_free(struct sb_client *c)
{
	struct sb_server *s = c->server;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	sb_uid_counts_dec(s->per_uid, c->counted_uid);
	sb_inflight_forget(c);
	sd_event_source_disable_unref(c->io);
	if (c->offload)
		sb_offload_forget(c->offload);
	sb_decoder_free(c->decoder);
	sb_outq_free(c->out);
	/* Its receive queue may still hold descriptors in flight. */
	sb_close_later(c->fd);
	free(c->groups);
	free(c->unit);
	free(c);
	if (s->stopping && s->n_conns == 0)
		sd_event_exit(s->event, 0);
}

/* Arm EPOLLIN while we accept requests and EPOLLOUT while replies wait
 * (or, stalled, until the peer consumed some of what we wrote). False
 * when epoll refused the change.
 *
 * Edge-triggered: a level-triggered descriptor stays on epoll's ready
 * list while it is readable, and sd-event calls epoll_wait() once per
 * source it dispatches, so with many busy clients every request paid for
 * polling all the others again. An edge is lost only where a read stops
 * before the socket is empty; then rearm makes epoll look again (an
 * EPOLL_CTL_MOD polls the socket, and sd-event never skips one for an
 * edge-triggered mask), as any change of the mask does. */
static bool conn_update_events(struct sb_client *c)
{
	uint32_t events = EPOLLET | EPOLLRDHUP;

	/* A connection that yielded its turn still reads: were EPOLLIN
	 * dropped, a peer that then closed would wake it with HUP alone,
	 * which conn_settle() takes for nothing left to read, and the calls
	 * still unread would be lost. */
	c->reading = (c->state == SB_CONN_READING || c->state == SB_CONN_YIELDED) && !c->offload &&
		     c->queued < c->server->limits.max_requests_in_flight;
	if (c->reading)
		events |= EPOLLIN;
	/* A connection that yielded its turn comes back with EPOLLOUT,
	 * which a connection has at once, after the others already ready
	 * (sd-event serves what became ready first). */
	if ((c->out && !sb_outq_empty(c->out)) || c->state == SB_CONN_STALLED ||
	    c->state == SB_CONN_YIELDED)
		events |= EPOLLOUT;
	if (events == c->events && !c->rearm)
		return true;
	/* Without the events it needs the connection would wait for the
	 * idle sweep: the caller drops it now. */
	if (sd_event_source_set_io_events(c->io, events) < 0)
		return false;
	c->events = events;
	c->rearm = false;
	return true;
}

/* Replies written but not read by the peer still hold memory, and each
 * handed-over socket, in the kernel. The kernel reports what is unread as
 * the memory charged for it (SIOCOUTQ), at least REPLY_CHARGE_MIN bytes
 * per reply, which bounds the number of unread replies from above. The
 * system call is only needed once enough replies went out to matter. */
#define REPLY_CHARGE_MIN 512u

static bool conn_peer_lagging(struct sb_client *c, bool force)
{
	unsigned limit = c->server->limits.max_requests_in_flight;
	int charged;

	if (!force && c->unread < limit)
		return false;
	if (ioctl(c->fd, SIOCOUTQ, &charged) < 0)
		return false;
	c->unread = (unsigned)charged / REPLY_CHARGE_MIN;
	sb_inflight_settle(c, charged);
	return c->unread >= limit;
}

/* Returns false when the connection is beyond use. */
static bool conn_flush(struct sb_client *c)
{
	int r;

	if (!c->out)
		return true;
	r = sb_outq_flush(c->out, c->fd);
	if (r == -EAGAIN)
		return true;
	if (r < 0)
		return false;
	c->queued = 0;
	c->last_active = now_usec();
	/* An idle connection keeps no buffers. */
	sb_outq_free(c->out);
	c->out = NULL;
	return true;
}

static void conn_send_text(struct sb_client *c, const char *text, size_t len, int fd);

/* Queue msg (and fd, when >= 0; the caller keeps its own) as the next
 * reply on c and try to write it at once. On failure c is closed. */
static void conn_send(struct sb_client *c, json_object *msg, int fd)
{
	const char *text;
	size_t len;

	text = msg ? sb_message_string(msg, &len) : NULL;
	if (!text) {
		conn_on(c, SB_CONN_CLOSE);
		return;
	}
	conn_send_text(c, text, len, fd);
}

/* The kernel refused a reply carrying a socket: the audit log said
 * "allow", so say what became of it, and answer without the socket when
 * the connection can still take an answer. */
static void handover_failed(struct sb_client *c, int errnum)
{
	struct sb_error err = {0};
	json_object *msg;

	c->server->n_errors++;
	log_warn("uid=%u pid=%d: the socket granted could not be handed over: %s",
		 (unsigned)c->cred.uid, (int)c->cred.pid, strerror(errnum));
	if (errnum != ETOOMANYREFS) {
		conn_on(c, SB_CONN_CLOSE);
		return;
	}
	sb_error_set(&err, SB_ERR_LIMIT_EXCEEDED, errnum, NULL,
		     "the kernel refused to pass the socket: the daemon has too many sockets "
		     "handed over and not yet received");
	msg = sb_error_reply_new(&err);
	conn_send(c, msg, -1);
	json_object_put(msg);
}

/* The same for a reply already in its wire form (len bytes, no NUL). */
static void conn_send_text(struct sb_client *c, const char *text, size_t len, int fd)
{
	ssize_t n;

	/* The common case: nothing queued and the socket takes the whole
	 * reply, which saves queueing a copy and a dup() of the descriptor. */
	if (!c->out || sb_outq_empty(c->out)) {
		n = sb_send_nowait(c->fd, text, len, fd >= 0 ? &fd : NULL, fd >= 0);
		if (n == (ssize_t)len + 1) {
			c->last_active = now_usec();
			c->unread++;
			if (fd >= 0)
				sb_inflight_sent(c);
			return;
		}
		if (n < 0 && n != -EAGAIN && n != -EINTR) {
			if (fd >= 0)
				handover_failed(c, (int)-n);
			else
				conn_on(c, SB_CONN_CLOSE);
			return;
		}
		if (n > 0) {
			/* Part went (n <= len), with the descriptor: queue the rest
			 * of the text alone; the queue adds the NUL. */
			text += n;
			len -= (size_t)n;
			if (fd >= 0)
				sb_inflight_sent(c);
			fd = -1;
		}
	}
	if (!c->out)
		c->out = sb_outq_new();
	if (!c->out || sb_outq_push(c->out, text, len, fd >= 0 ? &fd : NULL, fd >= 0) < 0) {
		/* Cannot even queue the reply (ENOMEM, EMFILE on dup): tell the
		 * client what it can, then give up on this connection. */
		log_warn("uid=%u pid=%d: cannot queue a reply, closing", (unsigned)c->cred.uid,
			 (int)c->cred.pid);
		conn_on(c, SB_CONN_CLOSE);
		return;
	}
	c->queued++;
	c->unread++;
	if (fd >= 0)
		sb_inflight_sent(c);
	if (!conn_flush(c))
		conn_on(c, SB_CONN_CLOSE);
}

/* Send err as a final reply, then close once it is written. */
static void conn_send_fatal(struct sb_client *c, const struct sb_error *err)
{
	json_object *msg = sb_error_reply_new(err);

	conn_send(c, msg, -1);
	json_object_put(msg);
	conn_on(c, SB_CONN_CLOSE);
}

/* Send a call's answer (dispatch.h), and let go of what it holds. */
static void conn_send_answer(struct sb_client *c, struct sb_answer *a)
{
	bool handed = false;

	if (a->send) {
		if (a->text)
			conn_send_text(c, a->text, a->len, a->fd);
		else
			conn_send(c, a->msg, a->fd);
		handed = c->state != SB_CONN_CLOSING;
	}
	if (a->close)
		conn_on(c, SB_CONN_CLOSE);
	json_object_put(a->msg);
	/* Once the socket is in flight to the client (or queued, with a copy)
	 * ours is not the last reference and closing it is cheap; otherwise
	 * the client may be gone and ours the last. */
	if (handed)
		safe_close(a->fd);
	else
		sb_close_later(a->fd);
}

void sb_client_serve(struct sb_client *c, struct sb_frame *f)
{
	struct sb_answer a;

	sb_dispatch_frame(c, f, &a);
	conn_send_answer(c, &a);
}

/* Dispatch complete requests while the in-flight limit and the
 * connection's turn allow. */
static void conn_process(struct sb_client *c)
{
	struct sb_frame f;

	while (c->decoder && c->state != SB_CONN_CLOSING && !c->offload &&
	       c->queued < c->server->limits.max_requests_in_flight) {
		if (conn_peer_lagging(c, false)) {
			conn_on(c, SB_CONN_STALL);
			return;
		}
		if (c->calls >= CALLS_PER_EVENT) {
			/* Maybe nothing is left; then the next turn finds so. */
			conn_on(c, SB_CONN_YIELD);
			c->rearm = true;
			return;
		}
		if (sb_decoder_next(c->decoder, &f) <= 0)
			break;
		c->calls++;
		sb_client_serve(c, &f);
		sb_frame_done(&f);
	}
	/* Stopping: the calls that arrived are answered, then the door shuts. */
	if (c->server->stopping && sb_decoder_idle(c->decoder) && c->decoder)
		conn_on(c, SB_CONN_CLOSE);
}

/* A peer that sent all it will is closed once its calls are served. */
static void conn_close_if_served(struct sb_client *c)
{
	if (!c->offload)
		conn_on(c, SB_CONN_SERVED);
}

/* Nothing held: drop the decoder so idle clients stay cheap. Calls
 * held back by the limits keep it until they are served. */
static void conn_drop_idle_decoder(struct sb_client *c)
{
	if (sb_decoder_idle(c->decoder)) {
		sb_decoder_free(c->decoder);
		c->decoder = NULL;
	}
}

/* Read and serve. peer_done: the peer shut down its side, so a short read
 * does not mean the end: read on to the end of file. */
static void conn_read(struct sb_client *c, bool peer_done)
{
	struct sb_error err = {0};

	for (int i = 0; i < READS_PER_EVENT && c->reading && c->state != SB_CONN_YIELDED &&
			c->state != SB_CONN_CLOSING;
	     i++) {
		ssize_t n;

		if (!c->decoder) {
			c->decoder = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
			if (!c->decoder) {
				conn_on(c, SB_CONN_CLOSE);
				return;
			}
			/* No call takes more: an unfinished one must not hold more
			 * of our descriptor table (the count still decides). */
			sb_decoder_keep_fds(c->decoder, SB_CALL_FDS_MAX);
		}
		n = sb_decoder_read(c->decoder, c->fd, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -EAGAIN)
			goto empty;
		if (n == -EINTR)
			break;
		if (n == 0) {
			/* Answer what was asked, in turns, then close. */
			conn_on(c, SB_CONN_EOF);
			conn_process(c);
			conn_close_if_served(c);
			return;
		}
		if (n == -EMSGSIZE || n == -EBADMSG) {
			conn_process(c);
			sb_error_set(&err, SB_ERR_PROTOCOL, (int)-n, NULL,
				     n == -EMSGSIZE
					     ? "message exceeds %u bytes"
					     : "malformed descriptors or control data (limit %u)",
				     n == -EMSGSIZE ? SB_MESSAGE_MAX : SB_FDS_MAX);
			conn_send_fatal(c, &err);
			return;
		}
		if (n < 0) {
			conn_on(c, SB_CONN_CLOSE);
			return;
		}
		/* Bytes alone do not count as activity (replies do): a byte now
		 * and then must not keep a connection forever. */
		conn_process(c);
		c->reading = c->state != SB_CONN_STALLED && c->state != SB_CONN_YIELDED &&
			     !c->offload && c->queued < c->server->limits.max_requests_in_flight;
		/* Nothing more was there: the next edge says when there is,
		 * which saves a recvmsg() that would fail on every request. */
		if (sb_decoder_drained(c->decoder) && !peer_done)
			goto empty;
	}
	/* Stopped with data possibly left (the share of one event, or a
	 * signal), for which no new edge may come. Stopped by the limits,
	 * the mask loses EPOLLIN, and regaining it looks again too. */
	c->rearm = true;
empty:
	conn_drop_idle_decoder(c);
}

/* A new turn. Calls already read come first: those the last turn left
 * or the in-flight limit held back. Nothing more is read while any are
 * left, so a connection holds at most one read's worth of calls. */
static void conn_turn(struct sb_client *c, bool read, bool peer_done)
{
	c->calls = 0;
	conn_on(c, SB_CONN_TURN);
	conn_process(c);
	conn_close_if_served(c);
	conn_drop_idle_decoder(c);
	if (read && c->state != SB_CONN_YIELDED)
		conn_read(c, peer_done);
}

/* Done with c: closed, or parked while its peer has sockets of ours
 * unread (inflight.h). Replies still queued here are dropped: their
 * sockets are not in the kernel's count. */
static void conn_end(struct sb_client *c)
{
	int charged;

	sb_outq_free(c->out);
	c->out = NULL;
	if (c->fds_unread == 0 || ioctl(c->fd, SIOCOUTQ, &charged) < 0) {
		conn_free(c);
		return;
	}
	sb_inflight_settle(c, charged);
	if (c->fds_unread == 0 || c->server->stopping) {
		conn_free(c);
		return;
	}
	if (c->state != SB_CONN_PARKED)
		log_debug("uid=%u pid=%d: %u socket(s) not yet received, keeping the connection",
			  (unsigned)c->cred.uid, (int)c->cred.pid, c->fds_unread);
	conn_on(c, SB_CONN_PARK);
	/* Nothing more is answered: a call still acting on the client's
	 * socket finishes without a reply. */
	if (c->offload) {
		sb_offload_forget(c->offload);
		c->offload = NULL;
	}
	sb_decoder_free(c->decoder);
	c->decoder = NULL;
	/* The peer reading (EPOLLOUT) or going (EPOLLHUP) wakes it. */
	if (c->events != (EPOLLOUT | EPOLLRDHUP | EPOLLET)) {
		if (sd_event_source_set_io_events(c->io, EPOLLOUT | EPOLLRDHUP | EPOLLET) < 0) {
			conn_free(c);
			return;
		}
		c->events = EPOLLOUT | EPOLLRDHUP | EPOLLET;
	}
}

/* After a turn: close the connection when it is done with, or arm the
 * events it waits for. */
static void conn_settle(struct sb_client *c, uint32_t revents)
{
	if (!(revents & EPOLLIN) && (revents & (EPOLLHUP | EPOLLERR)))
		conn_on(c, SB_CONN_CLOSE);
	if (c->state == SB_CONN_CLOSING &&
	    (!c->out || sb_outq_empty(c->out) || (revents & (EPOLLHUP | EPOLLERR)))) {
		conn_end(c);
		return;
	}
	if (!conn_update_events(c))
		conn_end(c);
}

static int on_conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct sb_client *c = userdata;

	if (c->state == SB_CONN_PARKED) {
		conn_end(c);
		return 0;
	}
	if (revents & EPOLLOUT) {
		if (!conn_flush(c)) {
			conn_end(c);
			return 0;
		}
		if (c->state == SB_CONN_STALLED && !conn_peer_lagging(c, true))
			conn_on(c, SB_CONN_CAUGHT_UP);
	}
	/* Whatever woke the connection. */
	conn_turn(c, revents & EPOLLIN, revents & (EPOLLRDHUP | EPOLLHUP));
	conn_settle(c, revents);
	return 0;
}

/* A call that held c back was answered: serve what waits, read on. */
static void conn_resume(struct sb_client *c)
{
	/* A connection the loop does not watch (tests/fuzz/fuzz-request.c
	 * drives sb_client_serve() on one of its own) has no turn to take. */
	if (!c->io)
		return;
	/* Input that came while the call held reading off raised no edge
	 * the loop saw: arming again makes epoll look. */
	c->rearm = true;
	conn_turn(c, false, false);
	conn_settle(c, 0);
}

/* A call on a worker (offload.h) is done: answer it, and go on. */
static void on_offload_done(struct sb_offload *op)
{
	struct sb_client *c = op->conn;
	struct sb_answer a;

	sb_dispatch_finish(op, &a);
	conn_send_answer(c, &a);
	conn_resume(c);
}

static int read_peer_groups(struct sb_client *c)
{
	socklen_t len = 32 * sizeof(gid_t);

	for (int tries = 0; tries < 4; tries++) {
		gid_t *g = realloc(c->groups, len ? len : sizeof(gid_t));

		if (!g)
			return -ENOMEM;
		c->groups = g;
		if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) == 0) {
			c->n_groups = len / sizeof(gid_t);
			return 0;
		}
		if (errno != ERANGE)
			return -errno;
	}
	return -ERANGE;
}

static void read_comm(struct sb_client *c)
{
	sb_comm_read(c->cred.pid, c->cred.uid, c->cred.gid, c->comm);
}

/* Serve at once the connections of uid (with all, every connection)
 * whose peer hung up or shut down its side, so that they are closed when
 * they are done: the loop may not have come to their events yet, and
 * their count must not keep out a client that never holds more than its
 * share. Only at a limit, so the polls cost nothing otherwise. */
static void reap_hung_up(struct sb_server *s, uid_t uid, bool all)
{
	struct sb_client *batch[64], *c = s->conns;
	uint64_t now = now_usec();

	/* The whole table at most once a millisecond: connecting at the
	 * total limit must not buy a pass over every connection each time.
	 * A uid's own connections (64 at most) are looked at every time:
	 * a client within its share must never be refused. */
	if (all) {
		if (now - s->reaped_usec < 1000)
			return;
		s->reaped_usec = now;
	}

	while (c) {
		struct pollfd pfd[ELEMENTSOF(batch)];
		size_t n = 0;

		for (; c && n < ELEMENTSOF(batch); c = c->next) {
			if (!all && c->counted_uid != uid)
				continue;
			batch[n] = c;
			pfd[n++] = (struct pollfd){.fd = c->fd, .events = POLLIN | POLLRDHUP};
		}
		if (n == 0 || poll(pfd, n, 0) <= 0)
			continue;
		/* poll() and epoll report with the same bits. */
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents & (POLLHUP | POLLRDHUP | POLLERR))
				on_conn_io(batch[i]->io, pfd[i].fd, (uint32_t)pfd[i].revents,
					   batch[i]);
	}
}

/* Would a connection counted against uid take from the reserve, the last
 * eighth of max_connections, kept for uids with fewer than
 * SB_RESERVE_PER_UID connections? Without it, a few users holding many
 * connections each leave nothing to the others. */
static bool conn_in_reserve(const struct sb_server *s, uid_t uid)
{
	unsigned high_water = s->limits.max_connections - s->limits.max_connections / 8;

	return s->n_conns >= high_water && sb_uid_counts_get(s->per_uid, uid) >= SB_RESERVE_PER_UID;
}

/* A connection refused here is closed by a closing worker too: the
 * client may already have sent descriptors on it, and the last reference
 * to one of them goes with the connection's queue (closer.h). */
static void conn_new(struct sb_server *s, int fd)
{
	socklen_t len = sizeof(struct ucred);
	struct sb_client *c;

	c = calloc(1, sizeof(*c));
	if (!c) {
		sb_close_later(fd);
		return;
	}
	c->server = s;
	c->fd = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0 ||
	    read_peer_groups(c) < 0) {
		log_warn("cannot read the credentials of a new connection: %m");
		goto fail;
	}
	if (s->n_conns >= s->limits.max_connections)
		reap_hung_up(s, 0, true);
	if (s->n_conns >= s->limits.max_connections) {
		log_warn("uid=%u pid=%d: connection limit (%u) reached, refusing",
			 (unsigned)c->cred.uid, (int)c->cred.pid, s->limits.max_connections);
		goto fail;
	}
	/* A user's subordinate uids are the user's: together they get one
	 * share, not one each (subid.h). */
	c->counted_uid = sb_subids_principal(sb_policy_subids(s->policy), c->cred.uid);
	if (c->cred.uid != 0 &&
	    sb_uid_counts_get(s->per_uid, c->counted_uid) >= s->limits.max_connections_per_uid)
		reap_hung_up(s, c->counted_uid, false);
	if (c->cred.uid != 0 &&
	    sb_uid_counts_get(s->per_uid, c->counted_uid) >= s->limits.max_connections_per_uid) {
		log_warn("uid=%u pid=%d: per-uid connection limit (%u) reached, counted as uid %u, "
			 "refusing",
			 (unsigned)c->cred.uid, (int)c->cred.pid, s->limits.max_connections_per_uid,
			 (unsigned)c->counted_uid);
		goto fail;
	}
	if (c->cred.uid != 0 && conn_in_reserve(s, c->counted_uid))
		reap_hung_up(s, 0, true);
	if (c->cred.uid != 0 && conn_in_reserve(s, c->counted_uid)) {
		log_warn("uid=%u pid=%d: %u connections open, the rest kept for uids with fewer "
			 "than %u, refusing",
			 (unsigned)c->cred.uid, (int)c->cred.pid, s->n_conns, SB_RESERVE_PER_UID);
		goto fail;
	}
	if (sb_uid_counts_inc(s->per_uid, c->counted_uid) < 0)
		goto fail;
	c->events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	if (sd_event_add_io(s->event, &c->io, fd, c->events, on_conn_io, c) < 0) {
		sb_uid_counts_dec(s->per_uid, c->counted_uid);
		goto fail;
	}
	read_comm(c);
	c->reading = true;
	c->last_active = now_usec();
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	log_debug("uid=%u gid=%u pid=%d comm=%s connected", (unsigned)c->cred.uid,
		  (unsigned)c->cred.gid, (int)c->cred.pid, c->comm);
	return;
fail:
	free(c->groups);
	free(c);
	sb_close_later(fd);
}

static int on_accept_resume(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sb_server *s = userdata;

	for (unsigned i = 0; i < s->n_listen && !s->stopping; i++)
		sd_event_source_set_enabled(s->listen_src[i], SD_EVENT_ON);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct sb_server *s = userdata;

	for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
		int cfd;

		/* The daemon's end of a connection is the daemon's, not owned
		 * by the client served or accepted last (see fsid.h; conn_new()
		 * takes each client's identity to read its name). */
		(void)sb_fsid_restore();
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			conn_new(s, cfd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The backlog keeps the clients; try again shortly instead
			 * of spinning on a listener that stays readable. */
			log_warn("cannot accept connections: %m; pausing");
			for (unsigned j = 0; j < s->n_listen; j++)
				sd_event_source_set_enabled(s->listen_src[j], SD_EVENT_OFF);
			sd_event_add_time_relative(s->event, NULL, CLOCK_MONOTONIC,
						   ACCEPT_BACKOFF_USEC, 0, on_accept_resume, s);
		}
		break;
	}
	return 0;
}

static int on_sweep(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sb_server *s = userdata;
	uint64_t limit = (uint64_t)s->limits.idle_timeout_sec * 1000000u;
	uint64_t now = now_usec();

	for (struct sb_client *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->state == SB_CONN_PARKED) {
			conn_end(c);
		} else if (now - c->last_active > limit) {
			log_debug("uid=%u pid=%d idle for %u s, closing", (unsigned)c->cred.uid,
				  (int)c->cred.pid, s->limits.idle_timeout_sec);
			conn_end(c);
		}
	}
	sd_event_source_set_time(src, usec + limit / 4);
	sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	return 0;
}

int sb_server_init(struct sb_server *s, sd_event *event, const char *policy_path,
		   const char *subuid_path, const char *subgid_path, const struct sb_limits *limits)
{
	char err[512];
	uint64_t idle;
	int r;

	memset(s, 0, sizeof(*s));
	s->event = sd_event_ref(event);
	s->policy_path = policy_path;
	s->subuid_path = subuid_path;
	s->subgid_path = subgid_path;
	s->limits = *limits;
	s->per_uid = sb_uid_counts_new();
	s->fds_per_owner = sb_uid_counts_new();
	s->grants = sb_grants_new(GRANTS_REMEMBERED);
	if (!s->per_uid || !s->fds_per_owner || !s->grants)
		return -ENOMEM;
	if (s->limits.max_fds_unread == 0) {
		struct rlimit rl;

		/* The kernel refuses hand-overs past RLIMIT_NOFILE in flight. */
		s->limits.max_fds_unread =
			getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2u * UINT16_MAX
				? (unsigned)rl.rlim_cur / 2
				: UINT16_MAX;
	}
	r = sb_server_reload(s, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		return r;
	}
	r = sb_offload_init(event, on_offload_done);
	if (r < 0)
		return r;
	s->started_usec = now_usec();
	idle = (uint64_t)s->limits.idle_timeout_sec * 1000000u;
	return sd_event_add_time_relative(event, &s->sweep, CLOCK_MONOTONIC, idle / 4, 0, on_sweep,
					  s);
}

void sb_server_done(struct sb_server *s)
{
	while (s->conns)
		conn_free(s->conns);
	sb_offload_done();
	for (unsigned i = 0; i < s->n_listen; i++)
		sd_event_source_disable_unref(s->listen_src[i]);
	sd_event_source_disable_unref(s->sweep);
	sb_policy_free(s->policy);
	sb_uid_counts_free(s->per_uid);
	sb_uid_counts_free(s->fds_per_owner);
	sb_grants_free(s->grants);
	sd_event_unref(s->event);
}

int sb_server_add_listener(struct sb_server *s, int fd)
{
	sd_event_source *src;
	int r;

	if (s->n_listen >= ELEMENTSOF(s->listen_src))
		return -E2BIG;
	/* Inherited sockets are usually blocking; accept() must not be. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return -errno;
	r = sd_event_add_io(s->event, &src, fd, EPOLLIN, on_accept, s);
	if (r < 0)
		return r;
	sd_event_source_set_io_fd_own(src, true);
	s->listen_src[s->n_listen++] = src;
	return 0;
}

int sb_server_reload(struct sb_server *s, char *errbuf, size_t errsize)
{
	struct sb_subids *subids = NULL;
	struct sb_policy *p = NULL;
	int r;

	/* The policy is read as the daemon, not as the last client. */
	if (!sb_fsid_restore()) {
		snprintf(errbuf, errsize, "cannot return to the daemon's own filesystem identity");
		return -EPERM;
	}
	r = sb_policy_load(s->policy_path, &p, errbuf, errsize);
	if (r == -ENOENT && !s->policy) {
		/* No policy installed: the shipped file's rules, which let
		 * only root in. */
		log_notice("%s: no such file, using the built-in policy (only uid 0 is served)",
			   s->policy_path);
		r = sb_policy_parse_string(SB_POLICY_BUILTIN, SB_POLICY_BUILTIN_NAME, &p, errbuf,
					   errsize);
	}
	if (r < 0)
		return r;
	r = sb_subids_load(s->subuid_path, s->subgid_path, &subids, errbuf, errsize);
	if (r < 0) {
		sb_policy_free(p);
		return r;
	}
	sb_policy_set_subids(p, subids);
	sb_policy_free(s->policy);
	s->policy = p;
	log_info("policy loaded: %zu rule(s)", sb_policy_rule_count(p));
	s->n_families = sb_families_learn(p, s->families, ELEMENTSOF(s->families));
	return 0;
}

static int on_stop_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sb_server *s = userdata;

	log_warn("%u connection(s) did not drain in time, exiting", s->n_conns);
	return sd_event_exit(s->event, 0);
}

/* After the grace for late calls: close what has nothing left to send. */
static int on_stop_grace(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sb_server *s = userdata;

	for (struct sb_client *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (!c->out || sb_outq_empty(c->out))
			conn_free(c);
		else
			conn_on(c, SB_CONN_CLOSE);
	}
	return 0;
}

void sb_server_stop(struct sb_server *s)
{
	if (s->stopping)
		return;
	s->stopping = true;
	for (unsigned i = 0; i < s->n_listen; i++)
		sd_event_source_set_enabled(s->listen_src[i], SD_EVENT_OFF);
	for (struct sb_client *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->state == SB_CONN_PARKED)
			continue;
		/* Answer calls that already arrived: the client sent them to a
		 * live daemon and must not see them vanish. Read to the end:
		 * no new edge comes for what is already there. */
		/* What this turn leaves is served in turns during the grace
		 * below. */
		if (c->state != SB_CONN_CLOSING && c->state != SB_CONN_STALLED)
			conn_turn(c, true, true);
		if ((c->state == SB_CONN_CLOSING && (!c->out || sb_outq_empty(c->out))) ||
		    !conn_update_events(c))
			conn_free(c);
	}
	if (s->n_conns == 0) {
		sd_event_exit(s->event, 0);
		return;
	}
	/* A client that connected just before the stop may have its call on
	 * the way: serve one more call per connection for a moment. */
	sd_event_add_time_relative(s->event, NULL, CLOCK_MONOTONIC, STOP_LATE_CALL_USEC, 0,
				   on_stop_grace, s);
	sd_event_add_time_relative(s->event, NULL, CLOCK_MONOTONIC, STOP_GRACE_USEC, 0,
				   on_stop_timeout, s);
}
