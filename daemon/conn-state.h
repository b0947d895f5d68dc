/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A client connection's life, as server.c serves it: what it is doing
 * (one state), and what moves it on (an event), with every transition
 * here. */
#pragma once

enum sb_conn_state {
	/* Serving calls, and reading more as the peer sends them. */
	SB_CONN_READING,
	/* This turn's share of calls was served (CALLS_PER_EVENT in
	 * server.c): the rest waits for the next turn. */
	SB_CONN_YIELDED,
	/* Too many replies unread: nothing is served or read until the peer
	 * has read some. */
	SB_CONN_STALLED,
	/* The peer sent all it will: what it sent is served, then the
	 * connection closes. */
	SB_CONN_DRAINING,
	/* Dropped once the replies queued are written. */
	SB_CONN_CLOSING,
	/* Closed, but kept while its peer has sockets of ours unread
	 * (inflight.h): only waiting for it to read them or hang up. */
	SB_CONN_PARKED,
};

enum sb_conn_event {
	SB_CONN_TURN,	   /* a new turn begins */
	SB_CONN_YIELD,	   /* the turn's share of calls is served */
	SB_CONN_STALL,	   /* the peer has too many replies unread */
	SB_CONN_CAUGHT_UP, /* it read enough of them */
	SB_CONN_EOF,	   /* the peer sent all it will */
	SB_CONN_SERVED,	   /* nothing is held: what the peer sent is served */
	SB_CONN_CLOSE,	   /* broken, confused, or the daemon is stopping */
	SB_CONN_PARK,	   /* closed while the peer has sockets of ours unread */
};

/* The state after e in s. A yield or a stall forgets the end of file
 * that DRAINING stands for: the peer's end stays readable, so reading
 * again finds it once more (any change of the epoll mask polls the
 * socket), which costs a read on a rare path and keeps one state. */
static inline enum sb_conn_state sb_conn_next(enum sb_conn_state s, enum sb_conn_event e)
{
	/* The end: only freed from here. */
	if (s == SB_CONN_PARKED)
		return s;
	if (e == SB_CONN_PARK)
		return SB_CONN_PARKED;
	if (e == SB_CONN_CLOSE || s == SB_CONN_CLOSING)
		return SB_CONN_CLOSING;
	switch (e) {
	case SB_CONN_TURN:
		return s == SB_CONN_YIELDED ? SB_CONN_READING : s;
	case SB_CONN_YIELD:
		return SB_CONN_YIELDED;
	case SB_CONN_STALL:
		return SB_CONN_STALLED;
	case SB_CONN_CAUGHT_UP:
		return s == SB_CONN_STALLED ? SB_CONN_READING : s;
	case SB_CONN_EOF:
		/* Stalled, the calls already read still wait for the peer. */
		return s == SB_CONN_STALLED ? s : SB_CONN_DRAINING;
	case SB_CONN_SERVED:
		return s == SB_CONN_DRAINING ? SB_CONN_CLOSING : s;
	default:
		return s;
	}
}
