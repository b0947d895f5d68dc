/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "daemon/thread.h"

struct start {
	void *(*fn)(void *);
	void *arg;
};

/* A thread starts with the filesystem ids of the one that started it:
 * the event loop's may be the last client's (fsid.h). Workers act as the
 * daemon: what they create (a socket holding a port) is the daemon's.
 * setfsuid() is per thread, and the loop's record of its own ids
 * (fsid.c) is not this thread's to change. */
static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	setfsgid(getegid());
	setfsuid(geteuid());
	return s.fn(s.arg);
}

int sb_thread_start(void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof(*s));
	pthread_attr_t attr;
	pthread_t t;
	int r;

	if (!s)
		return -ENOMEM;
	*s = (struct start){fn, arg};
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	r = pthread_create(&t, &attr, trampoline, s);
	pthread_attr_destroy(&attr);
	if (r != 0)
		free(s);
	return -r;
}
