/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Closing descriptors away from the event loop. The last close of a
 * socket runs its release in the closing thread: a client can make that
 * take seconds (a TCP socket lingering against a zero window, a packet
 * socket's synchronize_net()), so every descriptor a client supplied or
 * may have dropped is closed by worker threads instead. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

/* Start the first worker; call with the signals the event loop takes
 * (SIGTERM, SIGINT, SIGHUP) blocked: workers inherit the mask, so those
 * always reach the loop. A close that waits longer than a second is
 * interrupted with SIGRTMIN, which this installs a handler for and
 * blocks in the calling thread. Once the pool has had a worker to spare for
 * idle_usec (at most an hour; 0: never), workers beyond the first end as
 * they find nothing to do, so a burst of slow closes leaves no threads
 * behind. Call once. 0 or -errno. */
int sb_closer_init(uint64_t idle_usec);
/* Queue fd for closing (-1 is ignored). A worker is added when all are
 * busy, up to a bound; the queue holds the rest, so the event loop never
 * waits for a release (only for memory: without it, it closes itself). */
void sb_close_later(int fd);
/* From now on hold what is queued for up to usec, or until 16 wait, and
 * then wake one worker for all of them: waking a worker for every
 * descriptor cost a context switch and two futex calls per request
 * (docs/PERFORMANCE.md, "The Bind call"). While anything stays queued the loop
 * looks again every usec, and starts a worker when every worker is in a
 * close (up to the bound). Without the hold each descriptor wakes a
 * worker at once. The hold keeps waiting workers asleep; a worker still
 * running takes what is queued at once. Call from the thread that runs
 * e. 0 or -errno. */
int sb_closer_hold_start(sd_event *e, uint64_t usec);
/* Hand over what is held and hold no more (before the loop ends). */
void sb_closer_hold_stop(void);

static inline void sb_close_laterp(int *fd)
{
	sb_close_later(*fd);
}
#define _cleanup_close_later_ __attribute__((cleanup(sb_close_laterp)))
/* At exit: workers close what is queued, then end. This does not wait
 * for them; the process's exit closes whatever they have not reached. */
void sb_closer_done(void);
