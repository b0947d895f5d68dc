/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon/closer.h"
#include "daemon/log.h"
#include "daemon/offload.h"
#include "daemon/thread.h"

/* A FIFO of operations. */
struct list {
	struct sb_offload *head, *tail;
};

static void list_push(struct list *l, struct sb_offload *op)
{
	op->next = NULL;
	if (l->tail)
		l->tail->next = op;
	else
		l->head = op;
	l->tail = op;
}

static struct sb_offload *list_pop(struct list *l)
{
	struct sb_offload *op = l->head;

	if (op) {
		l->head = op->next;
		if (!l->head)
			l->tail = NULL;
		op->next = NULL;
	}
	return op;
}

/* The loop's side: operations waiting for their owner's turn, and those
 * handed to the workers (running, or finished and not yet collected). */
static struct list waiting;
static struct sb_offload *running[SB_OFFLOAD_WORKERS];
static unsigned n_running, n_waiting;
static sd_event_source *done_src;
static int done_fd = -1;

/* Shared with the workers, under lock. There are never fewer threads
 * than running operations, so each one handed over finds a thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct list ready, finished;
static unsigned threads;

static void *worker(void *arg)
{
	static const uint64_t one = 1;

	pthread_mutex_lock(&lock);
	for (;;) {
		struct sb_offload *op;

		while (!ready.head)
			pthread_cond_wait(&work, &lock);
		op = list_pop(&ready);
		pthread_mutex_unlock(&lock);
		op->result = op->work(op);
		pthread_mutex_lock(&lock);
		list_push(&finished, op);
		/* The counter cannot overflow: the loop reads it down. */
		(void)!write(done_fd, &one, sizeof(one));
	}
	return NULL;
}

/* With lock held. Workers are detached and never end: there are at most
 * SB_OFFLOAD_WORKERS, and one stuck in an operation could not be joined. */
static int start_worker(void)
{
	int r = sb_thread_start(worker, NULL);

	if (r == 0)
		threads++;
	return r;
}

static unsigned running_for(uid_t owner)
{
	unsigned n = 0;

	for (unsigned i = 0; i < n_running; i++)
		n += running[i]->owner == owner;
	return n;
}

enum start_result { STARTED, LATER, FAILED };

static enum start_result start(struct sb_offload *op)
{
	bool ok;

	if (n_running >= SB_OFFLOAD_WORKERS || running_for(op->owner) >= SB_OFFLOAD_PER_OWNER)
		return LATER;
	pthread_mutex_lock(&lock);
	ok = threads > n_running || start_worker() == 0;
	if (ok) {
		list_push(&ready, op);
		pthread_cond_signal(&work);
	}
	pthread_mutex_unlock(&lock);
	if (!ok)
		return FAILED;
	running[n_running++] = op;
	return STARTED;
}

/* The server's, which answers a finished operation's call. */
static sb_offload_answer_fn answer;

static void finish(struct sb_offload *op);

/* Start the waiting operations whose owner's turn has come. Each owner's
 * stay in order: a later one waits for the same turn as an earlier one. */
static void start_waiting(void)
{
	struct list keep = {NULL, NULL}, failed = {NULL, NULL};
	struct sb_offload *op;

	while ((op = list_pop(&waiting))) {
		switch (start(op)) {
		case STARTED:
			n_waiting--;
			break;
		case FAILED:
			if (n_running == 0) {
				/* No running one whose end would retry it. */
				n_waiting--;
				list_push(&failed, op);
				break;
			}
			/* fall through */
		case LATER:
			list_push(&keep, op);
			break;
		}
	}
	waiting = keep;
	/* Answered by on_done(), never from here: a submit comes from the
	 * middle of serving a connection. */
	if (failed.head) {
		static const uint64_t one = 1;

		while ((op = list_pop(&failed))) {
			op->result = sb_error_set(&op->error, SB_ERR_SYSTEM, EAGAIN, NULL,
						  "cannot start a worker thread");
			pthread_mutex_lock(&lock);
			list_push(&finished, op);
			pthread_mutex_unlock(&lock);
		}
		(void)!write(done_fd, &one, sizeof(one));
	}
}

static void finish(struct sb_offload *op)
{
	for (unsigned i = 0; i < n_running; i++)
		if (running[i] == op) {
			running[i] = running[--n_running];
			break;
		}
	if (op->conn)
		answer(op);
	sb_close_later(op->fd);
	free(op);
}

static int on_done(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct list got;
	uint64_t n;
	struct sb_offload *op;

	(void)!read(fd, &n, sizeof(n));
	pthread_mutex_lock(&lock);
	got = finished;
	finished = (struct list){NULL, NULL};
	pthread_mutex_unlock(&lock);
	while ((op = list_pop(&got)))
		finish(op);
	start_waiting();
	return 0;
}

int sb_offload_init(sd_event *e, sb_offload_answer_fn answer_fn)
{
	int r;

	answer = answer_fn;
	done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (done_fd < 0)
		return -errno;
	r = sd_event_add_io(e, &done_src, done_fd, EPOLLIN, on_done, NULL);
	if (r < 0)
		return r;
	/* Answers come before new calls: they unblock a connection. */
	return sd_event_source_set_priority(done_src, SD_EVENT_PRIORITY_IMPORTANT);
}

void sb_offload_submit(struct sb_offload *op)
{
	list_push(&waiting, op);
	n_waiting++;
	start_waiting();
}

void sb_offload_forget(struct sb_offload *op)
{
	struct sb_offload **p;

	op->conn = NULL;
	/* One still waiting need not run at all. */
	for (p = &waiting.head; *p; p = &(*p)->next) {
		if (*p != op)
			continue;
		*p = op->next;
		if (waiting.tail == op) {
			waiting.tail = NULL;
			for (struct sb_offload *w = waiting.head; w; w = w->next)
				waiting.tail = w;
		}
		n_waiting--;
		finish(op);
		return;
	}
}

unsigned sb_offload_pending(void)
{
	return n_running + n_waiting;
}

void sb_offload_done(void)
{
	struct sb_offload *op;

	/* The workers may still write to done_fd: it stays open. */
	sd_event_source_set_enabled(done_src, SD_EVENT_OFF);
	done_src = sd_event_source_unref(done_src);
	while ((op = list_pop(&waiting))) {
		op->conn = NULL;
		finish(op);
	}
	n_waiting = 0;
}
