/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subordinate ids (daemon/subid.c): subuid(5) and subgid(5) files, their
 * owners, and the lines the daemon ignores. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/subid.h"
#include "tests/testlib.h"

static char dir[64], subuid[128], subgid[128];
static char errbuf[512];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_msg(f, "%s: %m", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sb-check-subid-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(subuid, sizeof(subuid), "%s/subuid", dir);
	snprintf(subgid, sizeof(subgid), "%s/subgid", dir);
}

static void teardown(void)
{
	unlink(subuid);
	unlink(subgid);
	rmdir(dir);
}

static struct sb_subids *load(const char *uids, const char *gids)
{
	struct sb_subids *t = NULL;

	write_text(subuid, uids);
	write_text(subgid, gids);
	errbuf[0] = 0;
	ck_assert_msg(sb_subids_load(subuid, subgid, &t, errbuf, sizeof(errbuf)) == 0, "%s",
		      errbuf);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* The owner of uid id, or -1 when it is nobody's subordinate. */
static long uid_owner(const struct sb_subids *t, uid_t id)
{
	uid_t owner;

	return sb_subids_uid_owner(t, id, &owner) ? (long)owner : -1;
}

static long gid_owner(const struct sb_subids *t, gid_t id)
{
	uid_t owner;

	return sb_subids_gid_owner(t, id, &owner) ? (long)owner : -1;
}

START_TEST(test_ranges_belong_to_their_owners)
{
	struct sb_subids *t = load("# ranges\n"
				   "\n"
				   "nobody:300000:65536\n"
				   "1000:400000:10\n"
				   "root:100000:65536\n",
				   "nobody:500000:100\n");

	ck_assert_int_eq(uid_owner(t, 300000), 65534);
	ck_assert_int_eq(uid_owner(t, 365535), 65534);
	ck_assert_int_eq(uid_owner(t, 365536), -1);
	ck_assert_int_eq(uid_owner(t, 299999), -1);
	ck_assert_int_eq(uid_owner(t, 400009), 1000);
	ck_assert_int_eq(uid_owner(t, 400010), -1);
	/* Uids and gids are apart. */
	ck_assert_int_eq(uid_owner(t, 500050), -1);
	ck_assert_int_eq(gid_owner(t, 500050), 65534);
	ck_assert_int_eq(gid_owner(t, 300000), -1);
	/* A subordinate id of root's is a container's, not root. */
	ck_assert_int_eq(uid_owner(t, 100005), -1);

	/* Connections count against the owner; against the range for
	 * root's, against themselves for other ids. */
	ck_assert_uint_eq(sb_subids_principal(t, 300005), 65534);
	ck_assert_uint_eq(sb_subids_principal(t, 400003), 1000);
	ck_assert_uint_eq(sb_subids_principal(t, 100005), 100000);
	ck_assert_uint_eq(sb_subids_principal(t, 165535), 100000);
	ck_assert_uint_eq(sb_subids_principal(t, 1000), 1000);
	ck_assert_uint_eq(sb_subids_principal(t, 0), 0);
	sb_subids_free(t);

	/* No table: nobody is subordinate. */
	ck_assert_int_eq(uid_owner(NULL, 300000), -1);
	ck_assert_int_eq(gid_owner(NULL, 300000), -1);
	ck_assert_uint_eq(sb_subids_principal(NULL, 300005), 300005);
}
END_TEST

START_TEST(test_bad_lines_are_ignored)
{
	struct sb_subids *t = load("nobody\n"
				   "nobody:1:2:3\n"
				   "nobody:abc:10\n"
				   "nobody:-5:10\n"
				   "nobody:20:0\n"
				   "nobody:4294967290:10\n"
				   "4294967295:30:1\n"
				   ":40:1\n"
				   "no-such-user-sb:50:10\n"
				   "nobody:800000:10",
				   "");

	for (uid_t id = 0; id < 100; id++)
		ck_assert_int_eq(uid_owner(t, id), -1);
	ck_assert_int_eq(uid_owner(t, 4294967294u), -1);
	/* The last line needs no newline. */
	ck_assert_int_eq(uid_owner(t, 800009), 65534);
	sb_subids_free(t);
}
END_TEST

/* An id in the ranges of two owners would be decided as either: of two
 * such ranges, the one that starts later is ignored. Ranges of one owner
 * merge. */
START_TEST(test_overlapping_ranges)
{
	struct sb_subids *t = load("1000:300050:100\n"
				   "nobody:300000:100\n"
				   "nobody:300090:20\n",
				   "");

	ck_assert_int_eq(uid_owner(t, 300000), 65534);
	ck_assert_int_eq(uid_owner(t, 300050), 65534);
	ck_assert_int_eq(uid_owner(t, 300109), 65534);
	ck_assert_int_eq(uid_owner(t, 300110), -1);
	ck_assert_int_eq(uid_owner(t, 300149), -1);
	sb_subids_free(t);
}
END_TEST

START_TEST(test_missing_and_unreadable_files)
{
	struct sb_subids *t = NULL;
	char expected[512];

	/* Missing files hold no ranges. */
	ck_assert_int_eq(sb_subids_load(subuid, subgid, &t, errbuf, sizeof(errbuf)), 0);
	ck_assert_int_eq(uid_owner(t, 300000), -1);
	sb_subids_free(t);
	t = NULL;

	/* Anything else that cannot be read fails the load. */
	ck_assert_int_eq(mkdir(subgid, 0755), 0);
	ck_assert_int_lt(sb_subids_load(subuid, subgid, &t, errbuf, sizeof(errbuf)), 0);
	ck_assert_ptr_null(t);
	snprintf(expected, sizeof(expected), "%s: read error", subgid);
	ck_assert_str_eq(errbuf, expected);
	ck_assert_int_eq(rmdir(subgid), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("subid");

	SB_TEST_FIXTURE(s, test_ranges_belong_to_their_owners, setup, teardown);
	SB_TEST_FIXTURE(s, test_bad_lines_are_ignored, setup, teardown);
	SB_TEST_FIXTURE(s, test_overlapping_ranges, setup, teardown);
	SB_TEST_FIXTURE(s, test_missing_and_unreadable_files, setup, teardown);
	return sb_test_run(s);
}
