/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/closer.h"
#include "daemon/thread.h"

/* Each worker can be held by one slow close; more workers start while
 * all are busy, so a client must keep this many closes hanging at once
 * before the event loop closes anything itself. */
#define WORKERS_MAX 64
/* Descriptors waiting beyond that are still bounded by the daemon's
 * descriptor table; this only sizes the queue's growth steps. */
#define QUEUE_STEP 256
/* A close still waiting after this long is interrupted, and again every
 * this long: the waits a client can make last (a TCP socket lingering
 * against a zero window, for as long as its SO_LINGER says) end on a
 * signal, and the kernel finishes the socket without the closer. Without
 * it, 64 such sockets would hold every worker and the queue would grow
 * until the descriptor table is full. */
#define INTERRUPT_AFTER_SEC 1

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* On CLOCK_MONOTONIC, set up by sb_closer_init(). */
static pthread_cond_t work;
static int *queue;
static size_t head, count, capacity;
static unsigned workers, idle;
/* Waiting workers already signalled: they will take work, so they are
 * not free for the next descriptor (a signalled worker counts as idle
 * until it runs). */
static unsigned waking;
static bool stopping, started;
/* The pool shrinks when it has had a worker to spare for this long (0:
 * never): since the last time a descriptor found no worker waiting. A
 * worker's own idle time would not do: the condition variable wakes
 * waiting workers in turn, so a trickle of work would keep every one of
 * them alive. */
static uint64_t idle_limit_usec, saturated_usec;
/* The hold (sb_closer_hold_start()); only the event loop touches it. */
static sd_event_source *hold_timer;
static uint64_t hold_usec;
#define HOLD_BATCH 16

/* The signal that interrupts a waiting close; a no-op handler without
 * SA_RESTART. Blocked in the thread that calls sb_closer_init(), so
 * only a worker takes it. */
static int interrupt_signal;

static void on_interrupt(int sig)
{
	(void)sig;
}

/* Block or unblock interrupt_signal in the calling thread. */
static void interrupt_signal_mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, interrupt_signal);
	pthread_sigmask(how, &set, NULL);
}

/* A worker's timer, sending interrupt_signal to the worker itself while
 * it is in a close for longer than INTERRUPT_AFTER_SEC. */
static bool interrupt_timer_create(timer_t *timer)
{
	struct sigevent sev;

	interrupt_signal_mask(SIG_UNBLOCK);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = interrupt_signal;
	/* glibc before 2.35 has no sigev_notify_thread_id for this. */
	sev._sigev_un._tid = gettid();
	return timer_create(CLOCK_MONOTONIC, &sev, timer) == 0;
}

/* Start counting (again) for the close about to begin, or stop (sec 0). */
static void interrupt_timer_set(timer_t timer, time_t sec)
{
	struct itimerspec its = {.it_interval.tv_sec = sec, .it_value.tv_sec = sec};

	(void)timer_settime(timer, 0, &its, NULL);
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* With lock held and nothing queued: may this worker end? Not the last
 * one, and only once the pool has had one to spare for the limit. */
static bool surplus(void)
{
	return idle_limit_usec > 0 && workers > 1 && now_usec() - saturated_usec >= idle_limit_usec;
}

/* With lock held: wait for work; with other workers, for at most the
 * idle limit, so that a surplus worker gets to end. */
static void wait_for_work(void)
{
	idle++;
	if (idle_limit_usec == 0 || workers <= 1) {
		pthread_cond_wait(&work, &lock);
	} else {
		uint64_t until = now_usec() + idle_limit_usec;
		struct timespec deadline = {
			.tv_sec = (time_t)(until / 1000000),
			.tv_nsec = (long)(until % 1000000) * 1000,
		};

		(void)pthread_cond_timedwait(&work, &lock, &deadline);
	}
	idle--;
	/* Whatever woke it, this worker looks at the queue now. */
	if (waking > 0)
		waking--;
}

static void *worker(void *arg)
{
	timer_t timer;
	bool timed = interrupt_timer_create(&timer), armed = false;

	pthread_mutex_lock(&lock);
	for (;;) {
		int fd;

		/* Checked under the lock with nothing queued, so no
		 * descriptor is left without a worker that will look at it. */
		while (count == 0 && !stopping) {
			if (armed) {
				interrupt_timer_set(timer, 0);
				armed = false;
			}
			if (surplus())
				goto out;
			wait_for_work();
		}
		if (count == 0)
			break;
		fd = queue[head];
		head = (head + 1) % capacity;
		count--;
		pthread_mutex_unlock(&lock);
		/* Each close gets its own INTERRUPT_AFTER_SEC; the timer
		 * stops once the queue is empty, not after every close. */
		if (timed) {
			interrupt_timer_set(timer, INTERRUPT_AFTER_SEC);
			armed = true;
		}
		close(fd);
		pthread_mutex_lock(&lock);
	}
out:
	workers--;
	pthread_mutex_unlock(&lock);
	if (timed)
		timer_delete(timer);
	return NULL;
}

/* With lock held. Workers are detached: they end on their own at exit,
 * or as surplus(). */
static int start_worker(void)
{
	int r = sb_thread_start(worker, NULL);

	if (r == 0)
		workers++;
	return r;
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

int sb_closer_init(uint64_t idle_usec)
{
	struct sigaction sa = {.sa_handler = on_interrupt};
	pthread_condattr_t attr;
	int r;

	interrupt_signal = SIGRTMIN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(interrupt_signal, &sa, NULL) < 0)
		return -errno;
	interrupt_signal_mask(SIG_BLOCK);

	/* Timed waits measure on the clock that does not jump. */
	r = pthread_condattr_init(&attr);
	if (r != 0)
		return -r;
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (r == 0)
		r = pthread_cond_init(&work, &attr);
	pthread_condattr_destroy(&attr);
	if (r != 0)
		return -r;
	/* An hour at most: no deadline can overflow. */
	idle_limit_usec = idle_usec < 3600ULL * 1000000 ? idle_usec : 3600ULL * 1000000;
	saturated_usec = now_usec();
	pthread_mutex_lock(&lock);
	r = start_worker();
	started = r == 0;
	pthread_mutex_unlock(&lock);
	return r;
}

/* With lock held: get what is queued closed. A waiting worker not yet
 * signalled is signalled (returns true: signal after unlocking); with
 * none, every worker is inside a close or about to take one, maybe a
 * slow one, and another starts, up to the bound. */
static bool kick(void)
{
	if (count == 0)
		return false;
	if (idle > waking) {
		waking++;
		return true;
	}
	saturated_usec = now_usec();
	if (workers < WORKERS_MAX)
		start_worker();
	return false;
}

/* With lock held: is the hold timer armed (armed now if it was not)? */
static bool hold_armed(void)
{
	uint64_t now;
	int armed = 0;

	if (!hold_timer)
		return false;
	if (sd_event_source_get_enabled(hold_timer, &armed) >= 0 && armed)
		return true;
	return sd_event_now(sd_event_source_get_event(hold_timer), CLOCK_MONOTONIC, &now) >= 0 &&
	       sd_event_source_set_time(hold_timer, now + hold_usec) >= 0 &&
	       sd_event_source_set_enabled(hold_timer, SD_EVENT_ONESHOT) >= 0;
}

void sb_close_later(int fd)
{
	bool queued = false, wake = false;

	if (fd < 0)
		return;
	pthread_mutex_lock(&lock);
	if (started && !stopping) {
		queued = enqueue(fd);
		/* Without the timer (no hold, or it cannot be armed) nothing
		 * would look at the queue again: hand it over now. */
		if (queued && (!hold_armed() || count >= HOLD_BATCH))
			wake = kick();
	}
	pthread_mutex_unlock(&lock);
	/* Signalled after unlocking: a worker woken on this CPU would
	 * otherwise run only to block on the lock still held here, two
	 * more context switches for every wake-up. */
	if (wake)
		pthread_cond_signal(&work);
	if (!queued)
		close(fd);
}

/* The hold is over: hand what is queued to the workers. While some is
 * still queued, look again one hold later: if every worker is inside a
 * close by then, kick() starts another. Once all WORKERS_MAX are, there
 * is nothing to start: the first to finish its close takes the queue. */
static int on_hold_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	bool wake;

	pthread_mutex_lock(&lock);
	wake = kick();
	if (count > 0 && workers < WORKERS_MAX)
		(void)hold_armed();
	pthread_mutex_unlock(&lock);
	if (wake)
		pthread_cond_signal(&work);
	return 0;
}

int sb_closer_hold_start(sd_event *e, uint64_t usec)
{
	int r;

	if (hold_timer || usec == 0)
		return 0;
	/* An accuracy of 0 would be sd-event's default, 250 ms. */
	r = sd_event_add_time(e, &hold_timer, CLOCK_MONOTONIC, UINT64_MAX,
			      usec / 4 > 0 ? usec / 4 : 1, on_hold_timer, NULL);
	if (r < 0)
		return r;
	(void)sd_event_source_set_enabled(hold_timer, SD_EVENT_OFF);
	hold_usec = usec;
	return 0;
}

void sb_closer_hold_stop(void)
{
	bool wake;

	hold_timer = sd_event_source_disable_unref(hold_timer);
	pthread_mutex_lock(&lock);
	wake = kick();
	pthread_mutex_unlock(&lock);
	if (wake)
		pthread_cond_signal(&work);
}

void sb_closer_done(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	if (started)
		pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&lock);
}
