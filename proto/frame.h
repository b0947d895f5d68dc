/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink framing over SOCK_STREAM: NUL-terminated JSON messages, with
 * SCM_RIGHTS descriptors tied to the bytes of the message they came with. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One complete message taken from a decoder. data is NUL-terminated; len
 * excludes the NUL. fds[i] is -1 once taken with sb_frame_take_fd(), or
 * when the decoder did not keep it (sb_decoder_keep_fds()). */
struct sb_frame {
	char *data;
	size_t len;
	int *fds;
	size_t n_fds;
};

/* Every descriptor received from a peer that proto/ gives up goes to
 * closer (NULL: close() at once). A server sets one that closes away from
 * its event loop: the last close of a peer's socket can block. Set it
 * before any decoder or queue exists. */
void sb_frame_set_closer(void (*closer)(int fd));

/* Give up the frame: frees the data and closes every fd not taken. */
void sb_frame_done(struct sb_frame *f);
/* Take ownership of fds[idx]; -1 if out of range or already taken. */
int sb_frame_take_fd(struct sb_frame *f, size_t idx);

/* Incremental decoder. Bytes and descriptors arrive in "reads"; the fds
 * of one read belong to the message that holds the read's last byte (the
 * kernel ends a stream recvmsg() at the skb that carried them, and a
 * sender attaches them to the first skb of its message). */
struct sb_decoder;

/* max_message counts the NUL; max_fds caps descriptors per message. */
struct sb_decoder *sb_decoder_new(size_t max_message, size_t max_fds);
/* Frees buffered bytes and closes every descriptor still held. */
void sb_decoder_free(struct sb_decoder *d);
/* Keep at most keep descriptors open per message (default: max_fds).
 * Those beyond are closed as they arrive and appear as -1 in the frame,
 * whose n_fds still counts them: a receiver that knows no message takes
 * more than keep can refuse the message by its count without letting an
 * unfinished one hold the rest. */
void sb_decoder_keep_fds(struct sb_decoder *d, size_t keep);

/* recvmsg() once from a stream socket (MSG_DONTWAIT as given by flags;
 * MSG_CMSG_CLOEXEC is always added) and feed the result. Returns bytes read (> 0), 0 on
 * EOF, or -errno (-EAGAIN when nothing is there, -EMSGSIZE when the
 * pending message outgrows the limit, -EBADMSG for truncated control data
 * or too many fds; the received fds are closed in every error case). */
ssize_t sb_decoder_read(struct sb_decoder *d, int sockfd, int flags);

/* After an error the decoder stays failed: every later read or feed
 * returns the same error; messages completed before it can still be
 * taken with sb_decoder_next(). */

/* Feed one read's worth of bytes and descriptors (ownership of fds passes
 * to the decoder, also on error). Same errors as sb_decoder_read(). fds
 * with no bytes at all are closed and -EBADMSG returned. */
int sb_decoder_feed(struct sb_decoder *d, const void *buf, size_t len, const int *fds,
		    size_t n_fds);

/* Take the next complete message: 1 and *f filled, 0 when none is
 * complete yet. */
int sb_decoder_next(struct sb_decoder *d, struct sb_frame *f);

/* Did the last sb_decoder_read() take less than it had room for, and no
 * descriptors? Then the socket held no more data at that moment (the
 * kernel ends a read early after descriptors, so such a read never
 * counts), and a reader woken by the socket's next data can wait for it
 * instead of trying again. A shutdown by the peer may still be pending:
 * an edge-triggered reader learns of it from EPOLLRDHUP. */
bool sb_decoder_drained(const struct sb_decoder *d);

/* Nothing held: no bytes, no descriptors, no complete message waiting
 * to be taken. A decoder in this state can be freed and made anew. */
bool sb_decoder_idle(const struct sb_decoder *d);

/* Bytes of an incomplete message buffered (0 when idle). */
size_t sb_decoder_pending(const struct sb_decoder *d);

/* Outgoing queue for non-blocking writers: each message keeps its fds
 * until its first byte is sent, then they ride on that sendmsg(). */
struct sb_outq;

struct sb_outq *sb_outq_new(void);
void sb_outq_free(struct sb_outq *q); /* closes fds not yet sent */
/* Queue msg (len bytes, NUL appended here). fds are duplicated with
 * F_DUPFD_CLOEXEC, the caller keeps its own. -errno on failure. */
int sb_outq_push(struct sb_outq *q, const char *msg, size_t len, const int *fds, size_t n_fds);
/* Write as much as the socket takes (MSG_NOSIGNAL|MSG_DONTWAIT). 0 when
 * everything went, -EAGAIN when data is left, -errno on error. */
int sb_outq_flush(struct sb_outq *q, int sockfd);
bool sb_outq_empty(const struct sb_outq *q);
size_t sb_outq_bytes(const struct sb_outq *q);

/* One non-blocking sendmsg() of msg, its NUL and its fds, for writers
 * that queue only what the socket does not take at once. Returns the
 * bytes written (the fds went with them when > 0; n <= len means the text
 * from msg + n and the NUL are left), or -errno (-EAGAIN: nothing went). */
ssize_t sb_send_nowait(int sockfd, const char *msg, size_t len, const int *fds, size_t n_fds);

/* Blocking send of one message (NUL appended) with its fds in one
 * sendmsg() for the first chunk; loops on short writes. 0 or -errno. */
int sb_send_message(int sockfd, const char *msg, size_t len, const int *fds, size_t n_fds);
