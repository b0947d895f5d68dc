/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sockets handed over and not yet received.
 *
 * A socket in a reply stays in the kernel, charged to the daemon's user
 * (unix_inflight), until the client reads the reply, whatever becomes of
 * the daemon's end of the connection. Past RLIMIT_NOFILE of them, every
 * further hand-over fails with ETOOMANYREFS for everyone (the daemon has
 * neither CAP_SYS_RESOURCE nor, under the unit, CAP_SYS_ADMIN). So the
 * daemon counts them per connection, per owner and in all, learns from
 * the kernel's charge for unread data (SIOCOUTQ) when they were received,
 * and refuses a Socket call whose owner, or the daemon, holds its share
 * unread. A connection closed with sockets unread is kept, parked, until
 * they are received or the client closes its end (server.c). */
#pragma once

#include <stdbool.h>

#include "daemon/state.h"
#include "proto/error.h"

/* A reply carrying a socket was sent or queued on c. */
void sb_inflight_sent(struct sb_client *c);
/* Ask the kernel what c's peer has not read and count down what it has.
 * With queued replies, nothing: those are not in the kernel yet. False
 * when the kernel cannot say (the connection is broken). */
bool sb_inflight_refresh(struct sb_client *c);
/* The same with the charge already read (bytes unread by the peer). */
void sb_inflight_settle(struct sb_client *c, int charged);
/* Before creating a socket for c: 0, or -ETOOMANYREFS with err filled
 * (LimitExceeded) when c's owner or the daemon holds its share unread. */
int sb_inflight_reserve(struct sb_client *c, struct sb_error *err);
/* c is gone: whatever it still counts leaves the totals. */
void sb_inflight_forget(struct sb_client *c);
