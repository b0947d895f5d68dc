/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Closing descriptors away from the event loop. The last close of a
 * socket runs its release in the closing thread: a client can make that
 * take seconds (a TCP socket lingering against a zero window, a packet
 * socket's synchronize_net()), so every descriptor a client supplied or
 * may have dropped is closed by worker threads instead. */
#pragma once

/* Start the first worker; call with the signals the event loop takes
 * (SIGTERM, SIGINT, SIGHUP) blocked: workers inherit the mask, so those
 * always reach the loop. 0 or -errno. */
int sb_closer_init(void);
/* Queue fd for closing (-1 is ignored). Workers are added while all are
 * busy, up to a bound; the queue holds the rest, so the event loop never
 * waits for a release (only for memory: without it, it closes itself). */
void sb_close_later(int fd);

static inline void sb_close_laterp(int *fd)
{
	sb_close_later(*fd);
}
#define _cleanup_close_later_ __attribute__((cleanup(sb_close_laterp)))
/* At exit: workers close what is queued, then end. This does not wait
 * for them; the process's exit closes whatever they have not reached. */
void sb_closer_done(void);
