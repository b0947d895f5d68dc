/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A connection's states (daemon/conn-state.h): the transitions server.c
 * relies on. */
#include "daemon/conn-state.h"
#include "tests/testlib.h"

#define N_STATES (SB_CONN_PARKED + 1)
#define N_EVENTS (SB_CONN_PARK + 1)

START_TEST(test_parked_is_final)
{
	for (int e = 0; e < N_EVENTS; e++)
		ck_assert_int_eq(sb_conn_next(SB_CONN_PARKED, e), SB_CONN_PARKED);
}
END_TEST

START_TEST(test_closing_leads_only_to_parked)
{
	for (int e = 0; e < N_EVENTS; e++)
		ck_assert_int_eq(sb_conn_next(SB_CONN_CLOSING, e),
				 e == SB_CONN_PARK ? SB_CONN_PARKED : SB_CONN_CLOSING);
}
END_TEST

START_TEST(test_close_and_park_from_anywhere)
{
	for (int s = 0; s < SB_CONN_PARKED; s++) {
		ck_assert_int_eq(sb_conn_next(s, SB_CONN_CLOSE), SB_CONN_CLOSING);
		ck_assert_int_eq(sb_conn_next(s, SB_CONN_PARK), SB_CONN_PARKED);
	}
}
END_TEST

START_TEST(test_holds_end)
{
	/* A yield lasts until the next turn, a stall until the peer caught
	 * up; neither event ends the other. */
	ck_assert_int_eq(sb_conn_next(SB_CONN_READING, SB_CONN_YIELD), SB_CONN_YIELDED);
	ck_assert_int_eq(sb_conn_next(SB_CONN_YIELDED, SB_CONN_TURN), SB_CONN_READING);
	ck_assert_int_eq(sb_conn_next(SB_CONN_YIELDED, SB_CONN_CAUGHT_UP), SB_CONN_YIELDED);
	ck_assert_int_eq(sb_conn_next(SB_CONN_READING, SB_CONN_STALL), SB_CONN_STALLED);
	ck_assert_int_eq(sb_conn_next(SB_CONN_STALLED, SB_CONN_CAUGHT_UP), SB_CONN_READING);
	ck_assert_int_eq(sb_conn_next(SB_CONN_STALLED, SB_CONN_TURN), SB_CONN_STALLED);
}
END_TEST

START_TEST(test_end_of_file_closes_once_served)
{
	ck_assert_int_eq(sb_conn_next(SB_CONN_READING, SB_CONN_EOF), SB_CONN_DRAINING);
	ck_assert_int_eq(sb_conn_next(SB_CONN_DRAINING, SB_CONN_TURN), SB_CONN_DRAINING);
	ck_assert_int_eq(sb_conn_next(SB_CONN_DRAINING, SB_CONN_SERVED), SB_CONN_CLOSING);
	/* Served means nothing while reading or held. */
	ck_assert_int_eq(sb_conn_next(SB_CONN_READING, SB_CONN_SERVED), SB_CONN_READING);
	ck_assert_int_eq(sb_conn_next(SB_CONN_YIELDED, SB_CONN_SERVED), SB_CONN_YIELDED);
	ck_assert_int_eq(sb_conn_next(SB_CONN_STALLED, SB_CONN_SERVED), SB_CONN_STALLED);
	/* Calls read before a stall wait for the peer, end of file or not. */
	ck_assert_int_eq(sb_conn_next(SB_CONN_STALLED, SB_CONN_EOF), SB_CONN_STALLED);
	ck_assert_int_eq(sb_conn_next(SB_CONN_DRAINING, SB_CONN_STALL), SB_CONN_STALLED);
	ck_assert_int_eq(sb_conn_next(SB_CONN_DRAINING, SB_CONN_YIELD), SB_CONN_YIELDED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conn-state");

	SB_TEST(s, test_parked_is_final);
	SB_TEST(s, test_closing_leads_only_to_parked);
	SB_TEST(s, test_close_and_park_from_anywhere);
	SB_TEST(s, test_holds_end);
	SB_TEST(s, test_end_of_file_closes_once_served);
	return sb_test_run(s);
}
