/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's worker threads (closer.c, offload.c): detached, on a small
 * stack, with the signal mask of the thread that starts them (the event
 * loop's, which blocks the signals it takes through signalfd), and the
 * daemon's own filesystem ids. */
#pragma once

/* Start fn(arg) on a detached thread with a 64 KiB stack: system calls
 * and short messages need no more. 0 or -errno. */
int sb_thread_start(void *(*fn)(void *), void *arg);
