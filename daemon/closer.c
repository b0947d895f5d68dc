/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "daemon/closer.h"
#include <unistd.h>

/* Each worker can be held by one slow close; more workers start while
 * all are busy, so a client must keep this many closes hanging at once
 * before the event loop closes anything itself. */
#define WORKERS_MAX 64
/* Descriptors waiting beyond that are still bounded by the daemon's
 * descriptor table; this only sizes the queue's growth steps. */
#define QUEUE_STEP 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int *queue;
static size_t head, count, capacity;
static unsigned workers, idle;
static bool stopping, started;

static void *worker(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;) {
		int fd;

		while (count == 0 && !stopping) {
			idle++;
			pthread_cond_wait(&work, &lock);
			idle--;
		}
		if (count == 0)
			break;
		fd = queue[head];
		head = (head + 1) % capacity;
		count--;
		pthread_mutex_unlock(&lock);
		close(fd);
		pthread_mutex_lock(&lock);
	}
	workers--;
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* With lock held. Workers are detached: they end on their own at exit. */
static int start_worker(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* close() needs little stack. */
	pthread_attr_setstacksize(&attr, 64 * 1024);
	r = pthread_create(&t, &attr, worker, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0)
		return -r;
	workers++;
	return 0;
}

static bool enqueue(int fd)
{
	if (count == capacity) {
		size_t ncap = capacity + QUEUE_STEP;
		int *q = malloc(ncap * sizeof(*q));

		if (!q)
			return false;
		for (size_t i = 0; i < count; i++)
			q[i] = queue[(head + i) % capacity];
		free(queue);
		queue = q;
		head = 0;
		capacity = ncap;
	}
	queue[(head + count) % capacity] = fd;
	count++;
	return true;
}

int sb_closer_init(void)
{
	int r;

	pthread_mutex_lock(&lock);
	r = start_worker();
	started = r == 0;
	pthread_mutex_unlock(&lock);
	return r;
}

void sb_close_later(int fd)
{
	bool queued = false, wake = false;

	if (fd < 0)
		return;
	pthread_mutex_lock(&lock);
	if (started && !stopping) {
		/* No worker free for this one (each is closing something,
		 * quickly or not): another, up to the bound. Workers stay
		 * until exit, so the pool only grows. */
		if (idle <= count && workers < WORKERS_MAX)
			start_worker();
		queued = enqueue(fd);
		/* A worker that is not waiting looks at the queue before it
		 * waits again, so only a waiting one needs the signal. */
		wake = queued && idle > 0;
	}
	pthread_mutex_unlock(&lock);
	/* Signalled after unlocking: a worker woken on this CPU would
	 * otherwise run only to block on the lock still held here, two
	 * more context switches for every descriptor. */
	if (wake)
		pthread_cond_signal(&work);
	if (!queued)
		close(fd);
}

void sb_closer_done(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&lock);
}
