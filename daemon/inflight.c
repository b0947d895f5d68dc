/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <time.h>

#include "daemon/client.h"
#include "daemon/inflight.h"
#include "daemon/log.h"
#include "daemon/uid-counts.h"
#include "proto/frame.h"

/* Each reply carrying a descriptor is a buffer of its own in the kernel,
 * charged at least this much (server.c bounds unread replies the same
 * way). */
#define HANDOVER_CHARGE_MIN 512u
/* The daemon's total is settled connection by connection only this often:
 * an attacker holding it at the limit must not buy a pass over every
 * connection with each call. */
#define SETTLE_ALL_USEC (100 * 1000)

static void received(struct sb_client *c, unsigned n)
{
	struct sb_server *s = c->server;

	c->fds_unread -= n;
	s->fds_unread -= n;
	sb_uid_counts_sub(s->fds_per_owner, sb_client_owner(c), n);
}

void sb_inflight_sent(struct sb_client *c)
{
	struct sb_server *s = c->server;

	/* Without memory to grow the table the owner's count stays low by
	 * one; counting down stops at 0. */
	(void)sb_uid_counts_add(s->fds_per_owner, sb_client_owner(c), 1);
	c->fds_unread++;
	s->fds_unread++;
}

void sb_inflight_settle(struct sb_client *c, int charged)
{
	unsigned bound = charged > 0 ? (unsigned)charged / HANDOVER_CHARGE_MIN : 0;

	if (c->out && !sb_outq_empty(c->out))
		return;
	if (c->fds_unread > bound)
		received(c, c->fds_unread - bound);
}

bool sb_inflight_refresh(struct sb_client *c)
{
	int charged;

	if (c->fds_unread == 0)
		return true;
	if (ioctl(c->fd, SIOCOUTQ, &charged) < 0)
		return false;
	sb_inflight_settle(c, charged);
	return true;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Settle every connection of owner (or, with all, every connection). */
static void settle_owner(struct sb_server *s, uid_t owner, bool all)
{
	for (struct sb_client *c = s->conns; c; c = c->next)
		if (all || sb_client_owner(c) == owner)
			(void)sb_inflight_refresh(c);
}

static bool within(const struct sb_client *c)
{
	const struct sb_server *s = c->server;

	return s->fds_unread < s->limits.max_fds_unread &&
	       sb_uid_counts_get(s->fds_per_owner, sb_client_owner(c)) <
		       s->limits.max_fds_unread_per_uid;
}

int sb_inflight_reserve(struct sb_client *c, struct sb_error *err)
{
	struct sb_server *s = c->server;
	uid_t owner = sb_client_owner(c);
	uint64_t now;

	if (within(c))
		return 0;
	now = now_usec();
	if (s->fds_unread >= s->limits.max_fds_unread &&
	    now - s->fds_settled_usec >= SETTLE_ALL_USEC) {
		s->fds_settled_usec = now;
		settle_owner(s, owner, true);
	} else {
		settle_owner(s, owner, false);
	}
	if (within(c))
		return 0;
	log_notice("uid=%u pid=%d: %u socket(s) handed over are not yet received (%u in all); "
		   "refusing more until they are",
		   (unsigned)c->cred.uid, (int)c->cred.pid,
		   sb_uid_counts_get(s->fds_per_owner, owner), s->fds_unread);
	return sb_error_set(err, SB_ERR_LIMIT_EXCEEDED, ETOOMANYREFS, NULL,
			    "%u socket(s) handed to uid %u are not yet received (limit %u, %u of "
			    "%u in all): read the replies first",
			    sb_uid_counts_get(s->fds_per_owner, owner), (unsigned)owner,
			    s->limits.max_fds_unread_per_uid, s->fds_unread,
			    s->limits.max_fds_unread);
}

void sb_inflight_forget(struct sb_client *c)
{
	if (c->fds_unread)
		received(c, c->fds_unread);
}
