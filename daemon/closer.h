/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Closing descriptors away from the event loop. The last close of a
 * socket runs its release in the closing thread: a client can make that
 * take seconds (a TCP socket lingering against a zero window, a packet
 * socket's synchronize_net()), so every descriptor a client supplied or
 * may have dropped is closed by worker threads instead. */
#pragma once

/* Start the first worker; call with all signals blocked, after which
 * workers never see a signal. 0 or -errno. */
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
/* Close what is queued and stop the workers (at exit). */
void sb_closer_done(void);
