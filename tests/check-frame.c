/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink framing: the decoder, the outgoing queue and blocking sends. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proto/frame.h"
#include "proto/protocol.h"
#include "tests/testlib.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif

/* recvmsg() is wrapped so the suite can produce what a peer cannot make
 * the kernel do: a truncated control buffer, and fds split over two
 * SCM_RIGHTS headers with credentials between them. */
enum recv_fault {
	FAULT_NONE,
	FAULT_CTRUNC,
	FAULT_SPLIT_RIGHTS,
};
static enum recv_fault recv_fault;

static void split_rights(struct msghdr *mh, size_t cap)
{
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(mh);
	struct ucred cred = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
	int fds[16];
	size_t n;

	ck_assert_ptr_nonnull(cmsg);
	ck_assert_int_eq(cmsg->cmsg_type, SCM_RIGHTS);
	n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	ck_assert_uint_ge(n, 2);
	ck_assert_uint_le(n, ELEMENTSOF(fds));
	memcpy(fds, CMSG_DATA(cmsg), n * sizeof(int));

	mh->msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(cred)) +
			     CMSG_SPACE((n - 1) * sizeof(int));
	ck_assert_uint_le(mh->msg_controllen, cap);
	memset(mh->msg_control, 0, mh->msg_controllen);
	cmsg = CMSG_FIRSTHDR(mh);
	*cmsg = (struct cmsghdr){.cmsg_len = CMSG_LEN(sizeof(int)),
				 .cmsg_level = SOL_SOCKET,
				 .cmsg_type = SCM_RIGHTS};
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int));
	cmsg = CMSG_NXTHDR(mh, cmsg);
	*cmsg = (struct cmsghdr){.cmsg_len = CMSG_LEN(sizeof(cred)),
				 .cmsg_level = SOL_SOCKET,
				 .cmsg_type = SCM_CREDENTIALS};
	memcpy(CMSG_DATA(cmsg), &cred, sizeof(cred));
	cmsg = CMSG_NXTHDR(mh, cmsg);
	*cmsg = (struct cmsghdr){.cmsg_len = CMSG_LEN((n - 1) * sizeof(int)),
				 .cmsg_level = SOL_SOCKET,
				 .cmsg_type = SCM_RIGHTS};
	memcpy(CMSG_DATA(cmsg), fds + 1, (n - 1) * sizeof(int));
}

ssize_t recvmsg(int fd, struct msghdr *mh, int flags)
{
	size_t cap = mh->msg_controllen;
	ssize_t n = syscall(SYS_recvmsg, fd, mh, flags);

	if (n < 0 || recv_fault == FAULT_NONE)
		return n;
	if (recv_fault == FAULT_CTRUNC)
		mh->msg_flags |= MSG_CTRUNC;
	else
		split_rights(mh, cap);
	return n;
}

/* Open descriptors of this process (each test runs in its own). */
static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1; /* the directory's own */
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* A descriptor with an identity of its own (its inode). */
static int new_fd(void)
{
	int fd = memfd_create("check-frame", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

static ino_t inode_of(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_ino;
}

static void socket_pair(int sv[2], int flags)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0, sv), 0);
}

/* Feed text of len bytes (embedded NULs included) with copies of fds,
 * which the decoder then owns. */
static int feed(struct sb_decoder *d, const char *text, size_t len, const int *fds, size_t n_fds)
{
	int copies[8];

	ck_assert_uint_le(n_fds, ELEMENTSOF(copies));
	for (size_t i = 0; i < n_fds; i++)
		copies[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
	return sb_decoder_feed(d, text, len, copies, n_fds);
}

static void expect_frame(struct sb_decoder *d, const char *text, size_t n_fds, const ino_t *inodes)
{
	struct sb_frame f = {.data = NULL};

	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	ck_assert_str_eq(f.data, text);
	ck_assert_uint_eq(f.len, strlen(text));
	ck_assert_uint_eq(f.n_fds, n_fds);
	for (size_t i = 0; i < n_fds; i++)
		ck_assert_uint_eq(inode_of(f.fds[i]), inodes[i]);
	sb_frame_done(&f);
}

static void expect_no_frame(struct sb_decoder *d)
{
	struct sb_frame f = {.data = NULL};

	ck_assert_int_eq(sb_decoder_next(d, &f), 0);
}

/* Two messages (the literal's own NUL ends the second). */
static const char two[] = "{\"a\":1}\0{\"bb\":[2,3]}";
#define TWO_FIRST_LEN 7u

START_TEST(test_split_at_every_byte)
{
	int base = count_fds();
	int fa = new_fd(), fb = new_fd();
	ino_t a = inode_of(fa), b = inode_of(fb);

	/* Two reads, each with an fd: the second read always ends in the
	 * second message; the first read's fd goes to whichever message
	 * holds its last byte. */
	for (size_t i = 1; i < sizeof(two); i++) {
		struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
		bool first_gets_a = i <= TWO_FIRST_LEN + 1;
		ino_t both[2] = {a, b};

		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(feed(d, two, i, &fa, 1), 0);
		ck_assert_uint_eq(sb_decoder_pending(d),
				  i <= TWO_FIRST_LEN ? i : i - TWO_FIRST_LEN - 1);
		ck_assert_int_eq(feed(d, two + i, sizeof(two) - i, &fb, 1), 0);
		if (first_gets_a) {
			expect_frame(d, "{\"a\":1}", 1, &a);
			expect_frame(d, "{\"bb\":[2,3]}", 1, &b);
		} else {
			expect_frame(d, "{\"a\":1}", 0, NULL);
			expect_frame(d, "{\"bb\":[2,3]}", 2, both);
		}
		expect_no_frame(d);
		ck_assert_uint_eq(sb_decoder_pending(d), 0);
		sb_decoder_free(d);
	}
	close(fa);
	close(fb);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_one_byte_per_read)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);

	for (size_t i = 0; i < sizeof(two); i++) {
		ck_assert_int_eq(sb_decoder_feed(d, two + i, 1, NULL, 0), 0);
		if (i < TWO_FIRST_LEN)
			expect_no_frame(d);
	}
	expect_frame(d, "{\"a\":1}", 0, NULL);
	expect_frame(d, "{\"bb\":[2,3]}", 0, NULL);
	expect_no_frame(d);
	sb_decoder_free(d);
}
END_TEST

START_TEST(test_many_messages_in_one_read)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	static char stream[1000 * 16];
	size_t len = 0;
	char want[16];

	for (int i = 0; i < 1000; i++)
		len += (size_t)sprintf(stream + len, "{\"n\":%d}", i) + 1;
	ck_assert_int_eq(sb_decoder_feed(d, stream, len, NULL, 0), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "{\"n\":%d}", i);
		expect_frame(d, want, 0, NULL);
	}
	expect_no_frame(d);
	ck_assert_uint_eq(sb_decoder_pending(d), 0);
	sb_decoder_free(d);
}
END_TEST

START_TEST(test_message_exactly_at_limit)
{
	struct sb_decoder *d = sb_decoder_new(16, 4);
	const char msg[16] = "0123456789abcde"; /* 15 bytes and the NUL */

	/* Split in two reads, then in one read after another message. */
	ck_assert_int_eq(sb_decoder_feed(d, msg, 15, NULL, 0), 0);
	ck_assert_uint_eq(sb_decoder_pending(d), 15);
	ck_assert_int_eq(sb_decoder_feed(d, "", 1, NULL, 0), 0);
	expect_frame(d, msg, 0, NULL);
	ck_assert_int_eq(sb_decoder_feed(d, "x\0", 2, NULL, 0), 0);
	ck_assert_int_eq(sb_decoder_feed(d, msg, sizeof(msg), NULL, 0), 0);
	expect_frame(d, "x", 0, NULL);
	expect_frame(d, msg, 0, NULL);
	sb_decoder_free(d);
}
END_TEST

START_TEST(test_oversize_without_nul)
{
	struct sb_decoder *d = sb_decoder_new(16, 4);
	int base = count_fds();
	int fd = new_fd();

	ck_assert_int_eq(sb_decoder_feed(d, "ok\0", 3, NULL, 0), 0);
	ck_assert_int_eq(sb_decoder_feed(d, "0123456789", 10, NULL, 0), 0);
	/* 16 bytes and still no NUL: the message cannot fit. */
	ck_assert_int_eq(sb_decoder_feed(d, "abcdef", 6, &fd, 1), -EMSGSIZE);
	ck_assert(!fd_is_open(fd));
	/* The stream stays broken, and fds given to it are still closed. */
	fd = new_fd();
	ck_assert_int_eq(sb_decoder_feed(d, "\0", 1, &fd, 1), -EMSGSIZE);
	ck_assert(!fd_is_open(fd));
	/* What was complete before the break is still there. */
	expect_frame(d, "ok", 0, NULL);
	sb_decoder_free(d);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_oversize_with_nul)
{
	struct sb_decoder *d = sb_decoder_new(16, 4);

	/* 16 bytes plus the NUL is one byte too many, even in one read
	 * behind a good message. */
	ck_assert_int_eq(sb_decoder_feed(d,
					 "a\0"
					 "0123456789abcdef\0",
					 19, NULL, 0),
			 -EMSGSIZE);
	expect_no_frame(d);
	sb_decoder_free(d);
}
END_TEST

START_TEST(test_missing_nul_at_eof)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);

	ck_assert_uint_eq(sb_decoder_pending(d), 0);
	ck_assert_int_eq(sb_decoder_feed(d, "{}\0{\"half\":", 11, NULL, 0), 0);
	expect_frame(d, "{}", 0, NULL);
	expect_no_frame(d);
	ck_assert_uint_eq(sb_decoder_pending(d), 8);
	/* An empty read is not an error by itself. */
	ck_assert_int_eq(sb_decoder_feed(d, NULL, 0, NULL, 0), 0);
	ck_assert_uint_eq(sb_decoder_pending(d), 8);
	sb_decoder_free(d);
}
END_TEST

START_TEST(test_fds_go_to_message_holding_last_byte)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int fd = new_fd();
	ino_t ino = inode_of(fd);

	/* The read ends inside msgB, so its fd is msgB's, never msgA's. */
	ck_assert_int_eq(feed(d, "msgA\0msgB-part", 14, &fd, 1), 0);
	expect_frame(d, "msgA", 0, NULL);
	ck_assert_int_eq(sb_decoder_feed(d, "-rest\0msgC\0", 11, NULL, 0), 0);
	expect_frame(d, "msgB-part-rest", 1, &ino);
	expect_frame(d, "msgC", 0, NULL);
	sb_decoder_free(d);
	close(fd);
}
END_TEST

START_TEST(test_fds_read_ending_with_nul)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int fds[2] = {new_fd(), new_fd()};
	ino_t inos[2] = {inode_of(fds[0]), inode_of(fds[1])};

	ck_assert_int_eq(feed(d, "one\0two\0", 8, fds, 2), 0);
	expect_frame(d, "one", 0, NULL);
	expect_frame(d, "two", 2, inos);
	sb_decoder_free(d);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

START_TEST(test_fds_accumulate_over_reads)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, 3);
	int fds[3] = {new_fd(), new_fd(), new_fd()};
	ino_t inos[3] = {inode_of(fds[0]), inode_of(fds[1]), inode_of(fds[2])};

	ck_assert_int_eq(feed(d, "ab", 2, fds, 1), 0);
	ck_assert_int_eq(feed(d, "cd", 2, fds + 1, 2), 0);
	ck_assert_int_eq(sb_decoder_feed(d, "\0", 1, NULL, 0), 0);
	expect_frame(d, "abcd", 3, inos);
	sb_decoder_free(d);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
}
END_TEST

START_TEST(test_fds_without_bytes)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int base = count_fds();
	int fds[2] = {new_fd(), new_fd()};

	ck_assert_int_eq(sb_decoder_feed(d, NULL, 0, fds, 2), -EBADMSG);
	ck_assert(!fd_is_open(fds[0]));
	ck_assert(!fd_is_open(fds[1]));
	/* Broken for good: later reads fail the same way. */
	ck_assert_int_eq(sb_decoder_feed(d, "{}\0", 3, NULL, 0), -EBADMSG);
	expect_no_frame(d);
	sb_decoder_free(d);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_too_many_fds)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, 2);
	int base = count_fds();
	int fds[3] = {new_fd(), new_fd(), new_fd()};

	ck_assert_int_eq(sb_decoder_feed(d, "x\0", 2, fds, 3), -EBADMSG);
	for (int i = 0; i < 3; i++)
		ck_assert(!fd_is_open(fds[i]));
	expect_no_frame(d);
	sb_decoder_free(d);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_too_many_fds_over_reads)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, 2);
	int base = count_fds();
	int fds[3] = {new_fd(), new_fd(), new_fd()};

	/* Two fds are fine, also for the next message of the same read... */
	ck_assert_int_eq(sb_decoder_feed(d, "a\0b", 3, fds, 2), 0);
	expect_frame(d, "a", 0, NULL);
	/* ...but a third for message b is one too many. */
	ck_assert_int_eq(sb_decoder_feed(d, "c", 1, fds + 2, 1), -EBADMSG);
	ck_assert(!fd_is_open(fds[2]));
	ck_assert(fd_is_open(fds[0]));
	sb_decoder_free(d);
	ck_assert(!fd_is_open(fds[0]));
	ck_assert(!fd_is_open(fds[1]));
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_take_fd)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f = {.data = NULL};
	int base = count_fds();
	int fds[2] = {new_fd(), new_fd()};
	ino_t ino = inode_of(fds[1]);
	int taken;

	ck_assert_int_eq(sb_decoder_feed(d, "m\0", 2, fds, 2), 0);
	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	taken = sb_frame_take_fd(&f, 1);
	ck_assert_int_ge(taken, 0);
	ck_assert_uint_eq(inode_of(taken), ino);
	ck_assert_int_eq(sb_frame_take_fd(&f, 1), -1);
	ck_assert_int_eq(sb_frame_take_fd(&f, 2), -1);
	sb_frame_done(&f);
	/* frame_done closed the fd not taken, and only that one. */
	ck_assert(fd_is_open(taken));
	ck_assert_int_eq(count_fds(), base + 1);
	close(taken);
	/* A done frame can be done again. */
	sb_frame_done(&f);
	ck_assert_ptr_null(f.data);
	sb_decoder_free(d);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_free_closes_everything)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int base = count_fds();
	int fds[3] = {new_fd(), new_fd(), new_fd()};

	/* One fd on a queued message, two on the message in progress. */
	ck_assert_int_eq(sb_decoder_feed(d, "a\0", 2, fds, 1), 0);
	ck_assert_int_eq(sb_decoder_feed(d, "b", 1, fds + 1, 2), 0);
	ck_assert_int_eq(count_fds(), base + 3);
	sb_decoder_free(d);
	ck_assert_int_eq(count_fds(), base);
	sb_decoder_free(NULL);
}
END_TEST

START_TEST(test_decoder_new_rejects_zero_limit)
{
	errno = 0;
	ck_assert_ptr_null(sb_decoder_new(0, 1));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_read_from_socket)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int sv[2];

	socket_pair(sv, SOCK_NONBLOCK);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), -EAGAIN);
	ck_assert_int_eq(write(sv[0], "{}\0{\"x\"", 7), 7);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), 7);
	expect_frame(d, "{}", 0, NULL);
	expect_no_frame(d);
	ck_assert_uint_eq(sb_decoder_pending(d), 4);
	close(sv[0]);
	/* End of stream in mid-message: the caller sees the bytes left. */
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), 0);
	ck_assert_uint_eq(sb_decoder_pending(d), 4);
	sb_decoder_free(d);
	close(sv[1]);
}
END_TEST

START_TEST(test_read_oversize_from_socket)
{
	struct sb_decoder *d = sb_decoder_new(16, 4);
	char junk[40];
	int sv[2];

	memset(junk, 'j', sizeof(junk));
	socket_pair(sv, SOCK_NONBLOCK);
	ck_assert_int_eq(write(sv[0], junk, sizeof(junk)), (ssize_t)sizeof(junk));
	/* The first read fills the 16-byte buffer: no room for a NUL. */
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), -EMSGSIZE);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), -EMSGSIZE);
	sb_decoder_free(d);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A big message in a big buffer, then the buffer shrinks back. */
START_TEST(test_read_large_message)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	size_t len = SB_MESSAGE_MAX - 1;
	char *msg = malloc(len + 1);
	struct sb_frame f = {.data = NULL};
	int sv[2], r = 0;

	ck_assert_ptr_nonnull(msg);
	memset(msg, 'm', len);
	msg[len] = '\0';
	socket_pair(sv, SOCK_NONBLOCK);
	ck_assert_int_eq(sb_send_message(sv[0], msg, len, NULL, 0), 0);
	while (r == 0) {
		ck_assert_int_gt(sb_decoder_read(d, sv[1], MSG_DONTWAIT), 0);
		r = sb_decoder_next(d, &f);
	}
	ck_assert_uint_eq(f.len, len);
	ck_assert_int_eq(memcmp(f.data, msg, len + 1), 0);
	sb_frame_done(&f);
	ck_assert_uint_eq(sb_decoder_pending(d), 0);
	sb_decoder_free(d);
	free(msg);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_send_message_with_three_fds)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f = {.data = NULL};
	int base = count_fds();
	int fds[3] = {new_fd(), new_fd(), new_fd()};
	const char *msg = "{\"method\":\"org.sockbroker.Bind\"}";
	int sv[2], r = 0;

	socket_pair(sv, 0);
	ck_assert_int_eq(sb_send_message(sv[0], msg, strlen(msg), fds, 3), 0);
	/* The caller keeps its own descriptors. */
	for (int i = 0; i < 3; i++)
		ck_assert(fd_is_open(fds[i]));
	while (r == 0) {
		ck_assert_int_gt(sb_decoder_read(d, sv[1], 0), 0);
		r = sb_decoder_next(d, &f);
	}
	ck_assert_str_eq(f.data, msg);
	ck_assert_uint_eq(f.n_fds, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(inode_of(f.fds[i]), inode_of(fds[i]));
		/* Close-on-exec although the caller passed no flags. */
		ck_assert_int_eq(fcntl(f.fds[i], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	}
	sb_frame_done(&f);
	sb_decoder_free(d);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_idle_counts_waiting_messages)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f = {.data = NULL};

	ck_assert(sb_decoder_idle(d));
	ck_assert_int_eq(feed(d, "{}", 3, NULL, 0), 0);
	/* A complete message waits: no partial bytes, but not idle. */
	ck_assert_uint_eq(sb_decoder_pending(d), 0);
	ck_assert(!sb_decoder_idle(d));
	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	sb_frame_done(&f);
	ck_assert(sb_decoder_idle(d));
	ck_assert_int_eq(feed(d, "{", 1, NULL, 0), 0);
	ck_assert(!sb_decoder_idle(d));
	sb_decoder_free(d);
}
END_TEST

START_TEST(test_read_reports_drained_socket)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	static char big[3 * 8192];
	int sv[2];

	socket_pair(sv, 0);
	/* A short message: the read takes all there is, with room to spare. */
	ck_assert_int_eq(send(sv[0], "{}", 3, 0), 3);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), 3);
	ck_assert(sb_decoder_drained(d));
	/* More than one read can take: the first fills its room. */
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(send(sv[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
	ck_assert_int_gt(sb_decoder_read(d, sv[1], MSG_DONTWAIT), 0);
	ck_assert(!sb_decoder_drained(d));
	sb_decoder_free(d);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* The kernel ends a read after a message's descriptors even when more
 * follows: such a short read must not count as the end, or an
 * edge-triggered reader would wait for data that is already there. */
START_TEST(test_read_with_descriptors_is_not_drained)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f;
	int sv[2], fd = new_fd();
	ssize_t n;

	socket_pair(sv, 0);
	ck_assert_int_eq(sb_send_message(sv[0], "{\"a\":1}", 7, &fd, 1), 0);
	ck_assert_int_eq(sb_send_message(sv[0], "{\"b\":2}", 7, NULL, 0), 0);
	n = sb_decoder_read(d, sv[1], MSG_DONTWAIT);
	ck_assert_int_eq(n, 8);
	ck_assert(!sb_decoder_drained(d));
	/* The rest is really there, and then the socket is empty. */
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), 8);
	ck_assert(sb_decoder_drained(d));
	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	ck_assert_uint_eq(f.n_fds, 1);
	sb_frame_done(&f);
	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	ck_assert_uint_eq(f.n_fds, 0);
	sb_frame_done(&f);
	sb_decoder_free(d);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_keep_fds_closes_extras_but_counts_them)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f = {.data = NULL};
	int base = count_fds();
	int fds[3] = {new_fd(), new_fd(), new_fd()};

	sb_decoder_keep_fds(d, 1);
	/* Unfinished: one kept, two closed at once. */
	ck_assert_int_eq(feed(d, "{\"a\"", 4, fds, 3), 0);
	ck_assert_int_eq(count_fds(), base + 3 + 1);
	/* More for the same message: closed on arrival too. */
	ck_assert_int_eq(feed(d, ":1", 2, fds, 2), 0);
	ck_assert_int_eq(count_fds(), base + 3 + 1);
	ck_assert_int_eq(feed(d, "}", 2, NULL, 0), 0);
	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	ck_assert_str_eq(f.data, "{\"a\":1}");
	ck_assert_uint_eq(f.n_fds, 5);
	ck_assert_uint_eq(inode_of(f.fds[0]), inode_of(fds[0]));
	for (size_t i = 1; i < f.n_fds; i++)
		ck_assert_int_eq(f.fds[i], -1);
	sb_frame_done(&f);
	sb_decoder_free(d);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_send_nowait_whole_message_with_fd)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f = {.data = NULL};
	int base = count_fds();
	int fd = new_fd();
	const char *msg = "{\"parameters\":{\"fd\":0}}";
	int sv[2], r = 0;

	socket_pair(sv, 0);
	ck_assert_int_eq(sb_send_nowait(sv[0], msg, strlen(msg), &fd, 1), (ssize_t)strlen(msg) + 1);
	while (r == 0) {
		ck_assert_int_gt(sb_decoder_read(d, sv[1], 0), 0);
		r = sb_decoder_next(d, &f);
	}
	ck_assert_str_eq(f.data, msg);
	ck_assert_uint_eq(f.n_fds, 1);
	ck_assert_uint_eq(inode_of(f.fds[0]), inode_of(fd));
	sb_frame_done(&f);
	sb_decoder_free(d);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_send_nowait_full_socket_writes_nothing)
{
	static char big[4096];
	int sv[2], fd = new_fd(), small = 4096;
	ssize_t n;

	socket_pair(sv, 0);
	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	memset(big, 'x', sizeof(big) - 1);
	/* Fill the pipe until the socket refuses more. */
	do
		n = sb_send_nowait(sv[0], big, sizeof(big) - 1, NULL, 0);
	while (n > 0);
	ck_assert_int_eq(n, -EAGAIN);
	ck_assert_int_eq(sb_send_nowait(sv[0], "{}", 2, &fd, 1), -EAGAIN);
	ck_assert_int_eq(sb_send_nowait(sv[0], "a\0b", 3, NULL, 0), -EINVAL);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_send_message_rejects_bad_input)
{
	int sv[2], fd = new_fd();

	socket_pair(sv, SOCK_NONBLOCK);
	ck_assert_int_eq(sb_send_message(sv[0], "a\0b", 3, NULL, 0), -EINVAL);
	ck_assert_int_eq(sb_send_message(sv[0], "a", 1, NULL, 1), -EINVAL);
	ck_assert_int_eq(sb_send_message(sv[0], "a", 1, &fd, SB_FDS_MAX + 1), -EINVAL);
	ck_assert_int_eq(recv(sv[1], &fd, 1, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(sv[1]);
	ck_assert_int_eq(sb_send_message(sv[0], "a", 1, NULL, 0), -EPIPE);
	close(sv[0]);
}
END_TEST

struct sender {
	int sockfd;
	const char *msg;
	size_t len;
	const int *fds;
	size_t n_fds;
	int result;
};

static void *send_thread(void *arg)
{
	struct sender *s = arg;

	s->result = sb_send_message(s->sockfd, s->msg, s->len, s->fds, s->n_fds);
	return NULL;
}

/* A message much larger than the socket buffer, on a non-blocking socket:
 * sb_send_message() waits and continues after short writes. */
START_TEST(test_send_message_short_writes)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_frame f = {.data = NULL};
	struct sender s = {.len = 60000, .n_fds = 2};
	int fds[2] = {new_fd(), new_fd()};
	int sv[2], size = 4096, r = 0;
	char *msg = malloc(s.len + 1);
	pthread_t thread;

	ck_assert_ptr_nonnull(msg);
	for (size_t i = 0; i < s.len; i++)
		msg[i] = (char)('a' + i % 26);
	msg[s.len] = '\0';
	socket_pair(sv, SOCK_NONBLOCK);
	ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), 0);
	s.sockfd = sv[0];
	s.msg = msg;
	s.fds = fds;
	ck_assert_int_eq(pthread_create(&thread, NULL, send_thread, &s), 0);
	while (r == 0) {
		ssize_t n = sb_decoder_read(d, sv[1], 0);

		if (n == -EAGAIN) {
			usleep(1000);
			continue;
		}
		ck_assert_int_gt(n, 0);
		r = sb_decoder_next(d, &f);
	}
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_int_eq(s.result, 0);
	ck_assert_uint_eq(f.len, s.len);
	ck_assert_int_eq(memcmp(f.data, msg, s.len), 0);
	ck_assert_uint_eq(f.n_fds, 2);
	ck_assert_uint_eq(inode_of(f.fds[1]), inode_of(fds[1]));
	sb_frame_done(&f);
	sb_decoder_free(d);
	free(msg);
}
END_TEST

/* The message sent as number i: its text and how many fds it carries.
 * Large ones need several writes through a small socket buffer. */
static size_t test_message(unsigned i, bool large, char *buf, size_t size)
{
	size_t pad = large ? (i * 397u) % 9000u : (i * 7u) % 50u;
	int n = snprintf(buf, size, "{\"i\":%u,\"pad\":\"", i);

	ck_assert_uint_lt((size_t)n + pad + 2, size);
	memset(buf + n, 'a' + (char)(i % 26), pad);
	memcpy(buf + n + pad, "\"}", 3);
	return (size_t)n + pad + 2;
}

static size_t test_message_fds(unsigned i)
{
	/* Runs of two consecutive messages with fds, and fd-less ones. */
	return i % 5 < 2 ? 1 + i % 3 : 0;
}

#define ROUND_TRIP_MESSAGES 120u

/* Push every message into an outq over a socket with a small send
 * buffer, flush while reading, and check each message arrives whole, in
 * order, with exactly its own fds. */
static void outq_round_trip(bool read_late)
{
	static ino_t inodes[ROUND_TRIP_MESSAGES][3];
	static char buf[10000];
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	struct sb_outq *q = sb_outq_new();
	struct sb_frame f = {.data = NULL};
	int base = count_fds();
	unsigned received = 0, partial = 0;
	size_t total = 0;
	int sv[2], size = 4096;

	socket_pair(sv, SOCK_NONBLOCK);
	if (!read_late)
		ck_assert_int_eq(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), 0);
	for (unsigned i = 0; i < ROUND_TRIP_MESSAGES; i++) {
		size_t len = test_message(i, !read_late, buf, sizeof(buf));
		size_t n = test_message_fds(i);
		int fds[3];

		for (size_t k = 0; k < n; k++) {
			fds[k] = new_fd();
			inodes[i][k] = inode_of(fds[k]);
		}
		ck_assert_int_eq(sb_outq_push(q, buf, len, fds, n), 0);
		total += len + 1;
		/* The queue keeps duplicates; ours can go. */
		for (size_t k = 0; k < n; k++)
			close(fds[k]);
	}
	ck_assert_uint_eq(sb_outq_bytes(q), total);

	if (read_late) {
		/* Everything sits in the socket before the first read (the
		 * messages are small), so reads end only where the kernel
		 * stops them: at the buffer that carries fds. */
		ck_assert_int_eq(sb_outq_flush(q, sv[0]), 0);
	}
	while (received < ROUND_TRIP_MESSAGES) {
		ssize_t n;
		int r = sb_outq_flush(q, sv[0]);

		if (r == -EAGAIN)
			partial++;
		else
			ck_assert_int_eq(r, 0);
		while ((n = sb_decoder_read(d, sv[1], MSG_DONTWAIT)) > 0)
			while (sb_decoder_next(d, &f) > 0) {
				size_t len = test_message(received, !read_late, buf, sizeof(buf));

				ck_assert_uint_eq(f.len, len);
				ck_assert_int_eq(memcmp(f.data, buf, len + 1), 0);
				ck_assert_uint_eq(f.n_fds, test_message_fds(received));
				for (size_t k = 0; k < f.n_fds; k++)
					ck_assert_uint_eq(inode_of(f.fds[k]), inodes[received][k]);
				sb_frame_done(&f);
				received++;
			}
		ck_assert_int_eq(n, -EAGAIN);
	}
	ck_assert(sb_outq_empty(q));
	ck_assert_uint_eq(sb_outq_bytes(q), 0);
	if (!read_late)
		ck_assert_uint_gt(partial, 0);
	sb_outq_free(q);
	sb_decoder_free(d);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}

START_TEST(test_outq_round_trip_partial_writes)
{
	outq_round_trip(false);
}
END_TEST

START_TEST(test_outq_round_trip_read_late)
{
	outq_round_trip(true);
}
END_TEST

START_TEST(test_outq_push_rejects_bad_input)
{
	struct sb_outq *q = sb_outq_new();
	int base = count_fds();
	int fds[2] = {new_fd(), -1};

	ck_assert_int_eq(sb_outq_push(q, "a\0b", 3, NULL, 0), -EINVAL);
	ck_assert_int_eq(sb_outq_push(q, "a", 1, NULL, 2), -EINVAL);
	/* The second fd is bad: the duplicate of the first is closed. */
	ck_assert_int_eq(sb_outq_push(q, "a", 1, fds, 2), -EBADF);
	ck_assert(sb_outq_empty(q));
	ck_assert_uint_eq(sb_outq_bytes(q), 0);
	close(fds[0]);
	ck_assert_int_eq(count_fds(), base);
	sb_outq_free(q);
}
END_TEST

START_TEST(test_outq_free_closes_unsent)
{
	struct sb_outq *q = sb_outq_new();
	int base = count_fds();
	int fd = new_fd();

	ck_assert_int_eq(sb_outq_push(q, "{}", 2, &fd, 1), 0);
	ck_assert_int_eq(sb_outq_push(q, "{}", 2, &fd, 1), 0);
	close(fd);
	ck_assert_int_eq(count_fds(), base + 2);
	ck_assert(!sb_outq_empty(q));
	ck_assert_uint_eq(sb_outq_bytes(q), 6);
	sb_outq_free(q);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_outq_flush_to_closed_peer)
{
	struct sb_outq *q = sb_outq_new();
	int sv[2];

	socket_pair(sv, SOCK_NONBLOCK);
	close(sv[1]);
	ck_assert_int_eq(sb_outq_push(q, "{}", 2, NULL, 0), 0);
	/* MSG_NOSIGNAL: an error, not a SIGPIPE. */
	ck_assert_int_eq(sb_outq_flush(q, sv[0]), -EPIPE);
	ck_assert_uint_eq(sb_outq_bytes(q), 3);
	sb_outq_free(q);
	close(sv[0]);
}
END_TEST

START_TEST(test_read_control_truncated)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int base = count_fds();
	int fd = new_fd(), sv[2];

	socket_pair(sv, 0);
	ck_assert_int_eq(sb_send_message(sv[0], "{}", 2, &fd, 1), 0);
	recv_fault = FAULT_CTRUNC;
	ck_assert_int_eq(sb_decoder_read(d, sv[1], 0), -EBADMSG);
	recv_fault = FAULT_NONE;
	/* The fd that did arrive was closed; the stream stays broken. */
	ck_assert_int_eq(count_fds(), base + 3);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], MSG_DONTWAIT), -EBADMSG);
	expect_no_frame(d);
	sb_decoder_free(d);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_read_several_rights_headers)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int fds[3] = {new_fd(), new_fd(), new_fd()};
	ino_t inos[3] = {inode_of(fds[0]), inode_of(fds[1]), inode_of(fds[2])};
	int base = count_fds();
	int sv[2];

	socket_pair(sv, 0);
	ck_assert_int_eq(sb_send_message(sv[0], "{}", 2, fds, 3), 0);
	recv_fault = FAULT_SPLIT_RIGHTS;
	ck_assert_int_eq(sb_decoder_read(d, sv[1], 0), 3);
	recv_fault = FAULT_NONE;
	expect_frame(d, "{}", 3, inos);
	sb_decoder_free(d);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_read_with_credentials)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int fds[SB_FDS_MAX];
	ino_t first, last;
	int base = count_fds();
	int sv[2], one = 1;
	struct sb_frame f = {.data = NULL};

	for (size_t i = 0; i < SB_FDS_MAX; i++)
		fds[i] = new_fd();
	first = inode_of(fds[0]);
	last = inode_of(fds[SB_FDS_MAX - 1]);
	socket_pair(sv, 0);
	ck_assert_int_eq(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	/* The most fds one message may carry, with credentials beside. */
	ck_assert_int_eq(sb_send_message(sv[0], "{}", 2, fds, SB_FDS_MAX), 0);
	for (size_t i = 0; i < SB_FDS_MAX; i++)
		close(fds[i]);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], 0), 3);
	ck_assert_int_eq(sb_decoder_next(d, &f), 1);
	ck_assert_uint_eq(f.n_fds, SB_FDS_MAX);
	ck_assert_uint_eq(inode_of(f.fds[0]), first);
	ck_assert_uint_eq(inode_of(f.fds[SB_FDS_MAX - 1]), last);
	sb_frame_done(&f);
	sb_decoder_free(d);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

START_TEST(test_read_pidfd_is_closed)
{
	struct sb_decoder *d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	int base = count_fds();
	int fd = new_fd(), sv[2], one = 1;
	ino_t ino = inode_of(fd);

	socket_pair(sv, 0);
	if (setsockopt(sv[1], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) < 0) {
		sb_decoder_free(d);
		close(fd);
		close(sv[0]);
		close(sv[1]);
		SB_SKIP("kernel has no SO_PASSPIDFD: %m");
	}
	ck_assert_int_eq(sb_send_message(sv[0], "{}", 2, &fd, 1), 0);
	close(fd);
	ck_assert_int_eq(sb_decoder_read(d, sv[1], 0), 3);
	/* Only the sent fd is the message's; the pidfd was closed. */
	expect_frame(d, "{}", 1, &ino);
	sb_decoder_free(d);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(count_fds(), base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frame");

	SB_TEST(s, test_split_at_every_byte);
	SB_TEST(s, test_one_byte_per_read);
	SB_TEST(s, test_many_messages_in_one_read);
	SB_TEST(s, test_message_exactly_at_limit);
	SB_TEST(s, test_oversize_without_nul);
	SB_TEST(s, test_oversize_with_nul);
	SB_TEST(s, test_missing_nul_at_eof);
	SB_TEST(s, test_fds_go_to_message_holding_last_byte);
	SB_TEST(s, test_fds_read_ending_with_nul);
	SB_TEST(s, test_fds_accumulate_over_reads);
	SB_TEST(s, test_fds_without_bytes);
	SB_TEST(s, test_too_many_fds);
	SB_TEST(s, test_too_many_fds_over_reads);
	SB_TEST(s, test_take_fd);
	SB_TEST(s, test_free_closes_everything);
	SB_TEST(s, test_decoder_new_rejects_zero_limit);
	SB_TEST(s, test_read_from_socket);
	SB_TEST(s, test_read_oversize_from_socket);
	SB_TEST(s, test_read_large_message);
	SB_TEST(s, test_send_message_with_three_fds);
	SB_TEST(s, test_send_message_rejects_bad_input);
	SB_TEST(s, test_send_message_short_writes);
	SB_TEST(s, test_outq_round_trip_partial_writes);
	SB_TEST(s, test_outq_round_trip_read_late);
	SB_TEST(s, test_outq_push_rejects_bad_input);
	SB_TEST(s, test_outq_free_closes_unsent);
	SB_TEST(s, test_outq_flush_to_closed_peer);
	SB_TEST(s, test_read_control_truncated);
	SB_TEST(s, test_read_several_rights_headers);
	SB_TEST(s, test_read_with_credentials);
	SB_TEST(s, test_read_pidfd_is_closed);
	SB_TEST(s, test_idle_counts_waiting_messages);
	SB_TEST(s, test_read_reports_drained_socket);
	SB_TEST(s, test_read_with_descriptors_is_not_drained);
	SB_TEST(s, test_keep_fds_closes_extras_but_counts_them);
	SB_TEST(s, test_send_nowait_whole_message_with_fd);
	SB_TEST(s, test_send_nowait_full_socket_writes_nothing);
	return sb_test_run(s);
}
