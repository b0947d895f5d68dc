/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink framing: NUL-terminated messages on a stream socket, with the
 * SCM_RIGHTS descriptors tied to the message they were sent with.
 *
 * How descriptors find their message: the kernel attaches the fds of a
 * stream sendmsg() to the first buffer of that call, and a recvmsg() that
 * reaches such a buffer ends with it. Senders here start the sendmsg()
 * carrying a message's fds at the message's first byte and put no byte of
 * another message in it, so the message that holds the last byte of the
 * read which brought the fds is the one they were sent with. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "proto/frame.h"
#include "proto/protocol.h"
#include "proto/util.h"

#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

/* First size of the receive buffer; it doubles up to max_message. Idle
 * decoders drop back to this size so that many idle connections stay
 * cheap. Calls and replies are mostly under 200 bytes, and at this size
 * the buffer a decoder allocates for each message comes from glibc's
 * per-thread cache: 4 KiB went through the heap's bins, at a cost that
 * changed with the heap's history (docs/PERFORMANCE.md, "Memory per connection"). */
#define DECODER_BUF_MIN 1024u
/* Queued messages gathered into one sendmsg(). */
#define OUTQ_IOV_MAX 64

/* Room for the most descriptors one message may carry. */
#define FDS_CONTROL_SIZE CMSG_SPACE(sizeof(int) * SB_FDS_MAX)
union fds_control {
	struct cmsghdr align;
	char buf[FDS_CONTROL_SIZE];
};

/* What a recvmsg() may bring besides the fds: credentials (SO_PASSCRED)
 * and a pidfd (SO_PASSPIDFD), which is closed. */
#define RECV_CONTROL_SIZE \
	(FDS_CONTROL_SIZE + CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)))
union recv_control {
	struct cmsghdr align;
	char buf[RECV_CONTROL_SIZE];
};

/* How received descriptors are given up; see sb_frame_set_closer(). */
static void (*fd_closer)(int fd);

void sb_frame_set_closer(void (*closer)(int fd))
{
	fd_closer = closer;
}

/* Give up a descriptor that came from a peer: ours may be the last
 * reference, and the release can take long (a lingering TCP socket, a
 * packet socket's synchronize_net()). Returns -1 for assignment. */
static int release_fd(int fd)
{
	if (fd < 0)
		return -1;
	if (fd_closer)
		fd_closer(fd);
	else
		safe_close(fd);
	return -1;
}

static void close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		release_fd(fds[i]);
}

void sb_frame_done(struct sb_frame *f)
{
	if (!f)
		return;
	free(f->data);
	if (f->fds)
		close_fds(f->fds, f->n_fds);
	free(f->fds);
	*f = (struct sb_frame){.data = NULL};
}

int sb_frame_take_fd(struct sb_frame *f, size_t idx)
{
	if (!f || idx >= f->n_fds)
		return -1;
	return TAKE_FD(f->fds[idx]);
}

struct frame_node {
	struct frame_node *next;
	struct sb_frame frame;
};

struct sb_decoder {
	size_t max_message;
	size_t max_fds;
	size_t keep_fds; /* open descriptors kept per message */
	/* The message being received: its bytes so far (no NUL yet) and the
	 * fds that already belong to it. */
	char *buf;
	size_t len;
	size_t cap;
	int *fds;
	size_t n_fds;
	/* Complete messages not taken yet, oldest first. */
	struct frame_node *head;
	struct frame_node **tailp;
	/* Once the stream is broken, every later read fails the same way. */
	int error;
	/* The last read took less than it had room for. */
	bool drained;
};

struct sb_decoder *sb_decoder_new(size_t max_message, size_t max_fds)
{
	struct sb_decoder *d;

	/* The NUL alone takes one byte; the limits must leave room for
	 * len + 1 and for doubling the buffer without overflow. */
	if (max_message == 0 || max_message > SIZE_MAX / 4 || max_fds > SIZE_MAX / sizeof(int)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->max_message = max_message;
	d->max_fds = max_fds;
	d->keep_fds = max_fds;
	d->tailp = &d->head;
	return d;
}

void sb_decoder_keep_fds(struct sb_decoder *d, size_t keep)
{
	d->keep_fds = keep;
}

/* Close the descriptors of seg (n of them, following `before` that the
 * message already has) beyond what a message keeps, leaving -1. */
static void drop_extra_fds(const struct sb_decoder *d, int *seg, size_t n, size_t before)
{
	for (size_t i = 0; i < n; i++)
		if (before + i >= d->keep_fds)
			seg[i] = release_fd(seg[i]);
}

void sb_decoder_free(struct sb_decoder *d)
{
	struct frame_node *node;

	if (!d)
		return;
	while ((node = d->head)) {
		d->head = node->next;
		sb_frame_done(&node->frame);
		free(node);
	}
	if (d->fds)
		close_fds(d->fds, d->n_fds);
	free(d->fds);
	free(d->buf);
	free(d);
}

/* Break the stream: close the fds of the read that broke it. */
static int decoder_fail(struct sb_decoder *d, int error, const int *fds, size_t n_fds)
{
	close_fds(fds, n_fds);
	d->error = error;
	return error;
}

/* Make the buffer hold at least need bytes (need <= max_message). */
static int decoder_reserve(struct sb_decoder *d, size_t need)
{
	size_t cap = d->cap ? d->cap : DECODER_BUF_MIN;
	char *buf;

	if (need <= d->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > d->max_message)
		cap = d->max_message;
	if (cap < need)
		return -EMSGSIZE;
	buf = realloc(d->buf, cap);
	if (!buf)
		return -ENOMEM;
	d->buf = buf;
	d->cap = cap;
	return 0;
}

/* Queue the message made of the buffered bytes and seg more bytes at p,
 * with the fds collected for it. */
static int decoder_queue(struct sb_decoder *d, const char *p, size_t seg)
{
	struct frame_node *node = calloc(1, sizeof(*node));
	size_t len = d->len + seg;
	char *data = node ? malloc(len + 1) : NULL;

	if (!data) {
		free(node);
		return -ENOMEM;
	}
	if (d->len > 0)
		memcpy(data, d->buf, d->len);
	if (seg > 0)
		memcpy(data + d->len, p, seg);
	data[len] = '\0';
	node->frame.data = data;
	node->frame.len = len;
	node->frame.fds = TAKE_PTR(d->fds);
	node->frame.n_fds = d->n_fds;
	d->n_fds = 0;
	d->len = 0;
	*d->tailp = node;
	d->tailp = &node->next;
	return 0;
}

/* Take one read: n bytes at src and the fds that came with them. With
 * in_place, src is the free part of d->buf right after the buffered
 * bytes (sb_decoder_read() receives there). The whole read is checked
 * before anything changes, so an error leaves earlier messages intact. */
static int decoder_take(struct sb_decoder *d, const char *src, size_t n, const int *fds,
			size_t n_fds, bool in_place)
{
	const char *p, *end, *nul;
	size_t msg_len = d->len, n_nul = 0;
	_cleanup_free_ int *new_fds = NULL;
	bool last_is_nul, target_is_current;
	int r;

	if (d->error)
		return decoder_fail(d, d->error, fds, n_fds);
	if (n == 0)
		return n_fds > 0 ? decoder_fail(d, -EBADMSG, fds, n_fds) : 0;
	end = src + n;

	for (p = src; (nul = memchr(p, '\0', (size_t)(end - p))); p = nul + 1) {
		msg_len += (size_t)(nul - p);
		if (msg_len >= d->max_message)
			return decoder_fail(d, -EMSGSIZE, fds, n_fds);
		msg_len = 0;
		n_nul++;
	}
	/* The unterminated rest must still leave room for its NUL. */
	msg_len += (size_t)(end - p);
	if (msg_len >= d->max_message)
		return decoder_fail(d, -EMSGSIZE, fds, n_fds);

	/* The fds belong to the message holding the read's last byte. It is
	 * the message already in progress when no other NUL comes first. */
	last_is_nul = src[n - 1] == '\0';
	target_is_current = n_nul == (last_is_nul ? 1u : 0u);
	if (n_fds > d->max_fds - (target_is_current ? d->n_fds : 0))
		return decoder_fail(d, -EBADMSG, fds, n_fds);

	/* Room for the unterminated rest (in place it is already there). */
	if (!in_place) {
		r = decoder_reserve(d, msg_len);
		if (r < 0)
			return decoder_fail(d, r, fds, n_fds);
	}
	if (n_fds > 0 && target_is_current) {
		int *all = realloc(d->fds, (d->n_fds + n_fds) * sizeof(int));

		if (!all)
			return decoder_fail(d, -ENOMEM, fds, n_fds);
		memcpy(all + d->n_fds, fds, n_fds * sizeof(int));
		drop_extra_fds(d, all + d->n_fds, n_fds, d->n_fds);
		d->fds = all;
		d->n_fds += n_fds;
	} else if (n_fds > 0) {
		new_fds = malloc(n_fds * sizeof(int));
		if (!new_fds)
			return decoder_fail(d, -ENOMEM, fds, n_fds);
		memcpy(new_fds, fds, n_fds * sizeof(int));
		drop_extra_fds(d, new_fds, n_fds, 0);
	}

	for (p = src; (nul = memchr(p, '\0', (size_t)(end - p))); p = nul + 1) {
		if (new_fds && nul == end - 1) {
			d->fds = TAKE_PTR(new_fds);
			d->n_fds = n_fds;
		}
		r = decoder_queue(d, p, (size_t)(nul - p));
		if (r < 0) {
			if (new_fds)
				close_fds(new_fds, n_fds);
			return decoder_fail(d, r, NULL, 0);
		}
	}
	if (new_fds) {
		d->fds = TAKE_PTR(new_fds);
		d->n_fds = n_fds;
	}
	if (p < end) {
		/* In place and after a NUL this moves the rest to the front;
		 * in place without a NUL the bytes are already there. */
		if (p != d->buf + d->len)
			memmove(d->buf + d->len, p, (size_t)(end - p));
		d->len += (size_t)(end - p);
	}
	return 0;
}

int sb_decoder_feed(struct sb_decoder *d, const void *buf, size_t len, const int *fds, size_t n_fds)
{
	if (!d || (!buf && len > 0) || (!fds && n_fds > 0)) {
		if (fds)
			close_fds(fds, n_fds);
		return -EINVAL;
	}
	return decoder_take(d, buf, len, fds, n_fds, false);
}

/* Collect the descriptors of a received control buffer into fds (room for
 * max); returns how many. A pidfd is not ours to keep. */
static size_t collect_fds(struct msghdr *mh, int *fds, size_t max)
{
	struct cmsghdr *cmsg;
	size_t n = 0;

	for (cmsg = CMSG_FIRSTHDR(mh); cmsg; cmsg = CMSG_NXTHDR(mh, cmsg)) {
		size_t k, i;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		if (cmsg->cmsg_type != SCM_RIGHTS && cmsg->cmsg_type != SCM_PIDFD)
			continue; /* SCM_CREDENTIALS, SCM_SECURITY: nothing to release */
		k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
			if (cmsg->cmsg_type == SCM_RIGHTS && n < max)
				fds[n++] = fd;
			else
				release_fd(fd);
		}
	}
	return n;
}

ssize_t sb_decoder_read(struct sb_decoder *d, int sockfd, int flags)
{
	union recv_control control;
	int fds[RECV_CONTROL_SIZE / sizeof(int)];
	struct iovec iov;
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	size_t n_fds, room;
	ssize_t n;
	int r;

	if (!d)
		return -EINVAL;
	if (d->error)
		return d->error;
	/* A read brings at least DECODER_BUF_MIN bytes when the limit allows;
	 * the buffer never exceeds max_message, so a message without a NUL
	 * is caught when it reaches the limit. */
	room = d->max_message - d->len;
	if (room > DECODER_BUF_MIN)
		room = DECODER_BUF_MIN;
	r = decoder_reserve(d, d->len + room);
	if (r < 0)
		return r;
	iov = (struct iovec){.iov_base = d->buf + d->len, .iov_len = d->cap - d->len};

	/* Descriptors are received close-on-exec whatever the caller asked:
	 * none may leak into a child before its owner decides. */
	n = recvmsg(sockfd, &mh, flags | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	n_fds = collect_fds(&mh, fds, ELEMENTSOF(fds));
	if (mh.msg_flags & MSG_CTRUNC)
		return decoder_fail(d, -EBADMSG, fds, n_fds);

	d->drained = (size_t)n < iov.iov_len && n_fds == 0;
	r = decoder_take(d, d->buf + d->len, (size_t)n, fds, n_fds, true);
	if (r < 0)
		return r;
	if (d->len == 0 && d->cap > DECODER_BUF_MIN) {
		free(d->buf);
		d->buf = NULL;
		d->cap = 0;
	}
	return n;
}

int sb_decoder_next(struct sb_decoder *d, struct sb_frame *f)
{
	struct frame_node *node;

	if (!d || !f || !d->head)
		return 0;
	node = d->head;
	d->head = node->next;
	if (!d->head)
		d->tailp = &d->head;
	*f = node->frame;
	free(node);
	return 1;
}

bool sb_decoder_drained(const struct sb_decoder *d)
{
	return d && d->drained;
}

bool sb_decoder_idle(const struct sb_decoder *d)
{
	return !d || (d->len == 0 && d->n_fds == 0 && !d->head);
}

size_t sb_decoder_pending(const struct sb_decoder *d)
{
	return d ? d->len : 0;
}

/* Put fds into mh as one SCM_RIGHTS message. */
static void attach_fds(struct msghdr *mh, union fds_control *control, const int *fds, size_t n)
{
	struct cmsghdr *cmsg;

	memset(control->buf, 0, CMSG_SPACE(n * sizeof(int)));
	mh->msg_control = control->buf;
	mh->msg_controllen = CMSG_SPACE(n * sizeof(int));
	cmsg = CMSG_FIRSTHDR(mh);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, n * sizeof(int));
}

struct out_msg {
	struct out_msg *next;
	char *data;
	size_t len; /* NUL included */
	size_t sent;
	/* Held until the message's first byte leaves with them. */
	int *fds;
	size_t n_fds;
};

struct sb_outq {
	struct out_msg *head;
	struct out_msg **tailp;
	size_t bytes; /* not sent yet */
};

static void out_msg_free(struct out_msg *m)
{
	if (!m)
		return;
	if (m->fds)
		close_fds(m->fds, m->n_fds);
	free(m->fds);
	free(m->data);
	free(m);
}

static void out_msg_freep(struct out_msg **m)
{
	out_msg_free(*m);
}

struct sb_outq *sb_outq_new(void)
{
	struct sb_outq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->tailp = &q->head;
	return q;
}

void sb_outq_free(struct sb_outq *q)
{
	struct out_msg *m;

	if (!q)
		return;
	while ((m = q->head)) {
		q->head = m->next;
		out_msg_free(m);
	}
	free(q);
}

/* A message must not hold a NUL of its own: it would end the frame. */
static int check_outgoing(const char *msg, size_t len, const int *fds, size_t n_fds)
{
	if ((!msg && len > 0) || len >= SIZE_MAX - 1 || memchr(msg ? msg : "", '\0', len))
		return -EINVAL;
	if (n_fds > SB_FDS_MAX || (!fds && n_fds > 0))
		return -EINVAL;
	return 0;
}

int sb_outq_push(struct sb_outq *q, const char *msg, size_t len, const int *fds, size_t n_fds)
{
	_cleanup_(out_msg_freep) struct out_msg *m = NULL;
	int r;

	if (!q)
		return -EINVAL;
	r = check_outgoing(msg, len, fds, n_fds);
	if (r < 0)
		return r;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->data = malloc(len + 1);
	if (!m->data)
		return -ENOMEM;
	if (len > 0)
		memcpy(m->data, msg, len);
	m->data[len] = '\0';
	m->len = len + 1;
	if (n_fds > 0) {
		m->fds = calloc(n_fds, sizeof(int));
		if (!m->fds)
			return -ENOMEM;
		for (; m->n_fds < n_fds; m->n_fds++) {
			int fd = fcntl(fds[m->n_fds], F_DUPFD_CLOEXEC, 3);

			if (fd < 0)
				return -errno;
			m->fds[m->n_fds] = fd;
		}
	}
	q->bytes += m->len;
	*q->tailp = m;
	q->tailp = &m->next;
	TAKE_PTR(m);
	return 0;
}

/* Account n bytes sent from the head of the queue. */
static void outq_advance(struct sb_outq *q, size_t n)
{
	while (n > 0 && q->head) {
		struct out_msg *m = q->head;
		size_t k = m->len - m->sent;

		if (k > n)
			k = n;
		m->sent += k;
		q->bytes -= k;
		n -= k;
		if (m->sent == m->len) {
			q->head = m->next;
			if (!q->head)
				q->tailp = &q->head;
			out_msg_free(m);
		}
	}
}

int sb_outq_flush(struct sb_outq *q, int sockfd)
{
	if (!q)
		return -EINVAL;
	while (q->head) {
		struct out_msg *m = q->head;
		struct iovec iov[OUTQ_IOV_MAX];
		union fds_control control;
		struct msghdr mh = {.msg_iov = iov};
		size_t n_iov = 0;
		ssize_t n;

		iov[n_iov++] =
			(struct iovec){.iov_base = m->data + m->sent, .iov_len = m->len - m->sent};
		if (m->n_fds > 0) {
			/* Unsent fds mean nothing of m went yet: this call
			 * starts at its first byte and carries it alone. */
			attach_fds(&mh, &control, m->fds, m->n_fds);
		} else {
			for (struct out_msg *o = m->next;
			     o && o->n_fds == 0 && n_iov < OUTQ_IOV_MAX; o = o->next)
				iov[n_iov++] =
					(struct iovec){.iov_base = o->data, .iov_len = o->len};
		}
		mh.msg_iovlen = n_iov;

		n = sendmsg(sockfd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		/* The kernel holds its own references now. */
		if (m->n_fds > 0) {
			close_fds(m->fds, m->n_fds);
			free(m->fds);
			m->fds = NULL;
			m->n_fds = 0;
		}
		outq_advance(q, (size_t)n);
	}
	return 0;
}

bool sb_outq_empty(const struct sb_outq *q)
{
	return !q || !q->head;
}

size_t sb_outq_bytes(const struct sb_outq *q)
{
	return q ? q->bytes : 0;
}

/* Wait until a non-blocking socket takes data again. A blocking socket
 * that says EAGAIN hit its SO_SNDTIMEO, which is the caller's to see. */
static int wait_writable(int sockfd)
{
	struct pollfd pfd = {.fd = sockfd, .events = POLLOUT};
	int fl = fcntl(sockfd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (!(fl & O_NONBLOCK))
		return -EAGAIN;
	while (poll(&pfd, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

ssize_t sb_send_nowait(int sockfd, const char *msg, size_t len, const int *fds, size_t n_fds)
{
	static const char nul = '\0';
	struct iovec iov[2] = {
		{.iov_base = (char *)msg, .iov_len = len},
		{.iov_base = (char *)&nul, .iov_len = 1},
	};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	union fds_control control;
	ssize_t n;
	int r;

	r = check_outgoing(msg, len, fds, n_fds);
	if (r < 0)
		return r;
	if (n_fds > 0)
		attach_fds(&mh, &control, fds, n_fds);
	n = sendmsg(sockfd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

int sb_send_message(int sockfd, const char *msg, size_t len, const int *fds, size_t n_fds)
{
	static const char nul = '\0';
	size_t done = 0;
	int r;

	r = check_outgoing(msg, len, fds, n_fds);
	if (r < 0)
		return r;
	while (done < len + 1) {
		struct iovec iov[2];
		union fds_control control;
		struct msghdr mh = {.msg_iov = iov};
		ssize_t n;

		if (done < len) {
			iov[0] = (struct iovec){.iov_base = (char *)msg + done,
						.iov_len = len - done};
			iov[1] = (struct iovec){.iov_base = (char *)&nul, .iov_len = 1};
			mh.msg_iovlen = 2;
		} else {
			iov[0] = (struct iovec){.iov_base = (char *)&nul, .iov_len = 1};
			mh.msg_iovlen = 1;
		}
		/* The fds ride on the call that carries the first byte. */
		if (done == 0 && n_fds > 0)
			attach_fds(&mh, &control, fds, n_fds);

		n = sendmsg(sockfd, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				r = wait_writable(sockfd);
				if (r < 0)
					return r;
				continue;
			}
			return -errno;
		}
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}
