/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The closing threads (daemon/closer.c) on their own: without the hold
 * each descriptor is closed at once, also behind a close that hangs;
 * with it, descriptors wait until 16 are queued, the hold's timer fires
 * or the hold stops; workers started for hanging closes end once spare.
 * What is queued is the read end of a pipe: its write end reports
 * POLLERR once the read end is closed, so nothing here depends on
 * descriptor numbers. Check runs each test in a process of its own,
 * which the closer's process-wide state needs. */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon/closer.h"
#include "tests/harness.h"
#include "tests/sockets.h"
#include "tests/testlib.h"

#define BATCH 16 /* HOLD_BATCH in closer.c */

struct pipe_pair {
	int r, w;
};

static void make_pipes(struct pipe_pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int fds[2];

		ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
		p[i] = (struct pipe_pair){fds[0], fds[1]};
	}
}

/* Has the read end of the pipe whose write end is w been closed within
 * ms? */
static bool closed_within(int w, int ms)
{
	struct pollfd p = {.fd = w};

	return poll(&p, 1, ms) == 1 && (p.revents & POLLERR);
}

START_TEST(without_the_hold_each_is_closed_at_once)
{
	struct pipe_pair p[3];

	make_pipes(p, ELEMENTSOF(p));
	ck_assert_int_eq(sb_closer_init(0), 0);
	for (size_t i = 0; i < ELEMENTSOF(p); i++) {
		sb_close_later(p[i].r);
		ck_assert_msg(closed_within(p[i].w, 5000), "descriptor %zu still open", i);
	}
}
END_TEST

/* The mode the daemon falls back to when the hold cannot start: a close
 * that hangs holds its worker, and the next descriptor gets another. */
START_TEST(without_the_hold_a_hanging_close_holds_one_worker)
{
	struct pipe_pair p[2];
	int peer, fd = sb_test_hanging_socket(&peer);

	ck_assert_int_ge(fd, 0);
	make_pipes(p, ELEMENTSOF(p));
	ck_assert_int_eq(sb_closer_init(0), 0);
	sb_close_later(fd);
	for (size_t i = 0; i < ELEMENTSOF(p); i++) {
		sb_close_later(p[i].r);
		ck_assert_msg(closed_within(p[i].w, 5000), "descriptor %zu waits behind the hang",
			      i);
	}
	close(peer);
}
END_TEST

/* This process's threads. */
static long threads(void)
{
	return sb_test_threads(getpid());
}

/* Queue a pipe's read end and see it closed. */
static void close_one(void)
{
	struct pipe_pair p;

	make_pipes(&p, 1);
	sb_close_later(p.r);
	ck_assert(closed_within(p.w, 5000));
	close(p.w);
}

#define IDLE_LIMIT_MS 300

/* Three closes hang, each holding a worker, and a fourth closes a pipe
 * meanwhile. Once the hangs end, a close every 20 ms (which the workers
 * would share out among themselves) does not keep the spare workers: a
 * limit after the last time a descriptor found none waiting, the pool
 * is back to one worker, which stays and still closes. */
START_TEST(spare_workers_end_and_one_stays)
{
	int peer[3], fd[3];
	long needed, released;

	for (size_t i = 0; i < ELEMENTSOF(fd); i++) {
		fd[i] = sb_test_hanging_socket(&peer[i]);
		ck_assert_int_ge(fd[i], 0);
	}
	ck_assert_int_eq(sb_closer_init(IDLE_LIMIT_MS * 1000), 0);
	/* Long enough that only the need for the workers below keeps them. */
	sb_test_sleep_ms(IDLE_LIMIT_MS + 50);
	for (size_t i = 0; i < ELEMENTSOF(fd); i++)
		sb_close_later(fd[i]);
	/* The last time a descriptor finds no worker waiting. */
	needed = sb_test_now_ms();
	close_one();
	/* Three workers hang (they cannot end), one closed the pipe. */
	ck_assert_int_ge(threads(), 1 + 3);
	for (size_t i = 0; i < ELEMENTSOF(peer); i++)
		close(peer[i]);
	released = sb_test_now_ms();
	while (threads() > 1 + 1) {
		ck_assert_msg(sb_test_now_ms() - released < 10 * IDLE_LIMIT_MS, "%ld threads stay",
			      threads());
		close_one();
		sb_test_sleep_ms(20);
	}
	/* Not before the limit. */
	ck_assert_msg(sb_test_now_ms() - needed >= IDLE_LIMIT_MS,
		      "the spare workers ended %ld ms after they were needed",
		      sb_test_now_ms() - needed);
	sb_test_sleep_ms(3 * IDLE_LIMIT_MS);
	ck_assert_int_eq(threads(), 1 + 1);
	close_one();
}
END_TEST

/* Is every thread but this one asleep? */
static bool others_asleep(void)
{
	DIR *d = opendir("/proc/self/task");
	bool asleep = d != NULL;

	for (struct dirent *de; asleep && (de = readdir(d));) {
		char path[300], state = 0;
		FILE *f;

		if (de->d_name[0] == '.' || atoi(de->d_name) == (int)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", de->d_name);
		f = fopen(path, "re");
		/* "tid (comm) S ...": comm is ours, without spaces. */
		asleep = f && fscanf(f, "%*d %*s %c", &state) == 1 && state == 'S';
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return asleep;
}

/* The closer started and its first worker waiting for work: a worker
 * that is running takes what is queued, held or not, and the hold is
 * about not waking one. */
static void start_closer(void)
{
	ck_assert_int_eq(sb_closer_init(0), 0);
	for (int i = 0; !others_asleep(); i++) {
		ck_assert_msg(i < 5000, "the first worker never waits");
		sb_test_sleep_ms(1);
	}
}

/* A hold of an hour: only a batch or the stop can hand anything over
 * while no event loop runs. */
static sd_event *held(void)
{
	sd_event *e = NULL;

	ck_assert_int_ge(sd_event_new(&e), 0);
	start_closer();
	ck_assert_int_eq(sb_closer_hold_start(e, 3600ULL * 1000 * 1000), 0);
	return e;
}

START_TEST(a_full_batch_is_handed_over_at_once)
{
	struct pipe_pair p[BATCH];
	sd_event *e = held();

	make_pipes(p, ELEMENTSOF(p));
	for (size_t i = 0; i < BATCH - 1; i++)
		sb_close_later(p[i].r);
	ck_assert_msg(!closed_within(p[0].w, 200), "closed before the batch was full");
	for (size_t i = 1; i < BATCH - 1; i++)
		ck_assert(!closed_within(p[i].w, 0));
	sb_close_later(p[BATCH - 1].r);
	for (size_t i = 0; i < BATCH; i++)
		ck_assert_msg(closed_within(p[i].w, 5000), "descriptor %zu still open", i);
	sd_event_unref(e);
}
END_TEST

START_TEST(stopping_the_hold_hands_over_what_it_holds)
{
	struct pipe_pair p[3];
	sd_event *e = held();

	make_pipes(p, ELEMENTSOF(p));
	for (size_t i = 0; i < ELEMENTSOF(p); i++)
		sb_close_later(p[i].r);
	ck_assert(!closed_within(p[0].w, 200));
	sb_closer_hold_stop();
	for (size_t i = 0; i < ELEMENTSOF(p); i++)
		ck_assert_msg(closed_within(p[i].w, 5000), "descriptor %zu still open", i);
	/* Held no more: the next goes at once. */
	make_pipes(p, 1);
	sb_close_later(p[0].r);
	ck_assert(closed_within(p[0].w, 5000));
	sd_event_unref(e);
}
END_TEST

START_TEST(the_hold_timer_hands_over_the_rest)
{
	struct pipe_pair p[3];
	sd_event *e = NULL;

	make_pipes(p, ELEMENTSOF(p));
	ck_assert_int_ge(sd_event_new(&e), 0);
	start_closer();
	ck_assert_int_eq(sb_closer_hold_start(e, 50 * 1000), 0);
	for (size_t i = 0; i < ELEMENTSOF(p); i++)
		sb_close_later(p[i].r);
	/* The timer is the loop's: without it running, all stay held. */
	ck_assert(!closed_within(p[0].w, 200));
	ck_assert_int_gt(sd_event_run(e, 5 * 1000 * 1000), 0);
	for (size_t i = 0; i < ELEMENTSOF(p); i++)
		ck_assert_msg(closed_within(p[i].w, 5000), "descriptor %zu still open", i);
	sb_closer_hold_stop();
	sd_event_unref(e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("closer");

	SB_TEST(s, without_the_hold_each_is_closed_at_once);
	SB_TEST(s, without_the_hold_a_hanging_close_holds_one_worker);
	SB_TEST(s, a_full_batch_is_handed_over_at_once);
	SB_TEST(s, stopping_the_hold_hands_over_what_it_holds);
	SB_TEST(s, the_hold_timer_hands_over_the_rest);
	SB_TEST(s, spare_workers_end_and_one_stays);
	return sb_test_run(s);
}
