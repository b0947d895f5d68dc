/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Varlink frame decoder with attached descriptors (proto/frame.c),
 * against a model of the framing rules of frame.h and PROTOCOL.md's framing:
 * messages end at NUL, no message reaches the size limit, a message
 * carries at most max_fds descriptors, and the descriptors of a read
 * belong to the message holding the read's last byte. Errors are sticky
 * and leave complete messages intact.
 *
 * Input: a flags byte, the limits, then up to MAX_READS reads, each a
 * header byte (descriptor count, "filler" and "take frames now" bits)
 * and its bytes. A filler read repeats one byte up to 65535 times, so
 * the real 64 KiB limit is reachable from a short input.
 *
 * Mode "feed" drives sb_decoder_feed() and checks every frame, error and
 * descriptor against the model. Mode "socket" sends the reads through a
 * socketpair with SCM_RIGHTS and drives sb_decoder_read() as the daemon
 * does; the kernel chooses the read boundaries there, so only the bytes
 * and the limits are checked. In both modes no descriptor may remain
 * open afterwards. */
#include <sys/socket.h>

#include "proto/frame.h"
#include "proto/protocol.h"
#include "tests/fuzz/fuzz.h"

#define MAX_READS 64
#define MAX_FDS_PER_READ 15
/* Descriptors one input may create, well below FUZZ_FD_LIMIT. */
#define FD_SPAN (MAX_READS * MAX_FDS_PER_READ / 2)

#define FLAG_SOCKET 0x01
#define FLAG_REAL_LIMITS 0x02
#define READ_FILLER 0x10
#define READ_TAKE 0x20

static int devnull = -1;

/* A message the model expects the decoder to hand out. */
struct expected {
	struct expected *next;
	char *data;
	size_t len;
	int *fds;
	size_t n_fds;
};

struct model {
	size_t max_message, max_fds;
	int error;
	/* The message in progress. */
	char *cur;
	size_t cur_len;
	int *cur_fds;
	size_t cur_n_fds;
	/* Complete, not yet taken. */
	struct expected *head, **tailp;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	FUZZ_ASSERT(p);
	return p;
}

static void model_queue(struct model *m, const char *seg, size_t n)
{
	struct expected *e = calloc(1, sizeof(*e));

	FUZZ_ASSERT(e);
	e->data = xrealloc(NULL, m->cur_len + n);
	if (m->cur_len > 0)
		memcpy(e->data, m->cur, m->cur_len);
	if (n > 0)
		memcpy(e->data + m->cur_len, seg, n);
	e->len = m->cur_len + n;
	e->fds = m->cur_fds;
	e->n_fds = m->cur_n_fds;
	m->cur_fds = NULL;
	m->cur_n_fds = 0;
	m->cur_len = 0;
	*m->tailp = e;
	m->tailp = &e->next;
}

static void model_add_fds(struct model *m, const int *fds, size_t n)
{
	if (n == 0)
		return;
	m->cur_fds = xrealloc(m->cur_fds, (m->cur_n_fds + n) * sizeof(int));
	memcpy(m->cur_fds + m->cur_n_fds, fds, n * sizeof(int));
	m->cur_n_fds += n;
}

/* What sb_decoder_feed() must return for this read, applying it. */
static int model_read(struct model *m, const char *buf, size_t n, const int *fds, size_t n_fds)
{
	size_t msg_len = m->cur_len, n_nul = 0, start = 0;
	bool last_is_nul, to_current;

	if (m->error)
		return m->error;
	if (n == 0) {
		if (n_fds > 0)
			m->error = -EBADMSG;
		return m->error;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != 0)
			continue;
		if (msg_len + (i - start) >= m->max_message)
			return m->error = -EMSGSIZE;
		msg_len = 0;
		start = i + 1;
		n_nul++;
	}
	if (msg_len + (n - start) >= m->max_message)
		return m->error = -EMSGSIZE;
	last_is_nul = buf[n - 1] == 0;
	to_current = n_nul == (last_is_nul ? 1u : 0u);
	if (n_fds > m->max_fds - (to_current ? m->cur_n_fds : 0))
		return m->error = -EBADMSG;

	if (to_current)
		model_add_fds(m, fds, n_fds);
	start = 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != 0)
			continue;
		/* The message ending with the read's last byte gets its fds. */
		if (!to_current && i == n - 1)
			model_add_fds(m, fds, n_fds);
		model_queue(m, buf + start, i - start);
		start = i + 1;
	}
	if (!to_current && !last_is_nul)
		model_add_fds(m, fds, n_fds);
	m->cur = xrealloc(m->cur, m->cur_len + (n - start));
	if (n > start)
		memcpy(m->cur + m->cur_len, buf + start, n - start);
	m->cur_len += n - start;
	return 0;
}

static void expected_free(struct expected *e)
{
	free(e->data);
	free(e->fds);
	free(e);
}

static void model_done(struct model *m)
{
	struct expected *e;

	while ((e = m->head)) {
		m->head = e->next;
		expected_free(e);
	}
	free(m->cur);
	free(m->cur_fds);
}

/* Take every frame the decoder has and compare it with the model. */
static void take_frames(struct sb_decoder *d, struct model *m)
{
	struct sb_frame f;

	while (sb_decoder_next(d, &f) > 0) {
		struct expected *e = m->head;

		FUZZ_ASSERT(e);
		FUZZ_ASSERT(f.len == e->len);
		FUZZ_ASSERT(f.data[f.len] == 0);
		FUZZ_ASSERT(memcmp(f.data, e->data, e->len) == 0);
		FUZZ_ASSERT(f.n_fds == e->n_fds);
		for (size_t i = 0; i < f.n_fds; i++)
			FUZZ_ASSERT(f.fds[i] == e->fds[i]);
		m->head = e->next;
		if (!m->head)
			m->tailp = &m->head;
		expected_free(e);
		sb_frame_done(&f);
	}
	FUZZ_ASSERT(!m->head);
}

/* One read from the input: bytes into buf (malloc'ed), and n_fds new
 * descriptors. false at the end of the input. */
static bool next_read(struct fuzz_input *in, char **buf, size_t *len, int *fds, size_t *n_fds,
		      bool *take, size_t *fds_left)
{
	uint8_t h;

	if (in->left == 0)
		return false;
	h = fuzz_u8(in);
	*take = h & READ_TAKE;
	*n_fds = h & MAX_FDS_PER_READ;
	if (*n_fds > *fds_left)
		*n_fds = *fds_left;
	*fds_left -= *n_fds;
	if (h & READ_FILLER) {
		size_t count = fuzz_u16(in);
		uint8_t byte = fuzz_u8(in);

		/* Every NUL is a message: keep those few enough to stay fast. */
		if (byte == 0)
			count %= 512;
		*buf = xrealloc(NULL, count);
		memset(*buf, byte, count);
		*len = count;
	} else {
		size_t want = fuzz_u8(in), got;
		const uint8_t *p = fuzz_bytes(in, want, &got);

		*buf = xrealloc(NULL, got);
		memcpy(*buf, p, got);
		*len = got;
	}
	for (size_t i = 0; i < *n_fds; i++) {
		fds[i] = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
		FUZZ_ASSERT(fds[i] >= 0);
	}
	return true;
}

static void run_feed(struct fuzz_input *in, size_t max_message, size_t max_fds)
{
	struct model m = {.max_message = max_message, .max_fds = max_fds};
	struct sb_decoder *d = sb_decoder_new(max_message, max_fds);
	size_t fds_left = FD_SPAN;

	FUZZ_ASSERT(d);
	m.tailp = &m.head;
	for (int i = 0; i < MAX_READS; i++) {
		int fds[MAX_FDS_PER_READ];
		size_t len, n_fds;
		char *buf;
		bool take;
		int want, r;

		if (!next_read(in, &buf, &len, fds, &n_fds, &take, &fds_left))
			break;
		want = model_read(&m, buf, len, fds, n_fds);
		r = sb_decoder_feed(d, buf, len, fds, n_fds);
		free(buf);
		FUZZ_ASSERT(r == want);
		if (r < 0) {
			/* A failed read closes its own descriptors at once. */
			for (size_t k = 0; k < n_fds; k++)
				FUZZ_ASSERT(fcntl(fds[k], F_GETFD) < 0 && errno == EBADF);
		} else {
			FUZZ_ASSERT(sb_decoder_pending(d) == m.cur_len);
		}
		if (take)
			take_frames(d, &m);
	}
	take_frames(d, &m);
	/* Descriptors of the message in progress stay open until the
	 * decoder goes. */
	for (size_t k = 0; k < m.cur_n_fds && !m.error; k++)
		FUZZ_ASSERT(fcntl(m.cur_fds[k], F_GETFD) >= 0);
	sb_decoder_free(d);
	model_done(&m);
}

/* Bytes of the stream sent so far, for the socket mode's oracle. */
struct stream {
	char *data;
	size_t len;
	bool had_fds;
};

/* Read all the socket has, as the daemon does; check each frame against
 * the next message of the stream. Returns the decoder's error or 0/1
 * (1: end of stream). */
static int drain(struct sb_decoder *d, int sock, const struct stream *s, size_t *taken,
		 size_t max_fds)
{
	for (;;) {
		ssize_t n = sb_decoder_read(d, sock, MSG_DONTWAIT);
		struct sb_frame f;

		while (sb_decoder_next(d, &f) > 0) {
			FUZZ_ASSERT(*taken + f.len < s->len);
			FUZZ_ASSERT(memcmp(f.data, s->data + *taken, f.len) == 0);
			FUZZ_ASSERT(s->data[*taken + f.len] == 0);
			FUZZ_ASSERT(f.data[f.len] == 0);
			FUZZ_ASSERT(f.n_fds <= max_fds);
			for (size_t i = 0; i < f.n_fds; i++)
				FUZZ_ASSERT(fcntl(f.fds[i], F_GETFD) == FD_CLOEXEC);
			*taken += f.len + 1;
			sb_frame_done(&f);
		}
		if (n == -EAGAIN)
			return 0;
		if (n == 0)
			return 1;
		if (n < 0)
			return (int)n;
	}
}

/* Is the decoder's error justified by the stream? */
static void check_socket_error(int r, const struct stream *s, size_t max_message)
{
	size_t seg = 0, longest = 0;

	for (size_t i = 0; i < s->len; i++) {
		if (s->data[i] == 0) {
			seg = 0;
			continue;
		}
		if (++seg > longest)
			longest = seg;
	}
	if (r == -EMSGSIZE)
		FUZZ_ASSERT(longest >= max_message);
	else if (r == -EBADMSG)
		FUZZ_ASSERT(s->had_fds);
	else
		FUZZ_ASSERT(r == 0 || r == 1);
	/* Without an oversized message there is no reason for EMSGSIZE. */
	if (longest < max_message)
		FUZZ_ASSERT(r != -EMSGSIZE);
}

static void run_socket(struct fuzz_input *in, size_t max_message, size_t max_fds)
{
	struct sb_decoder *d = sb_decoder_new(max_message, max_fds);
	struct stream s = {0};
	size_t taken = 0, fds_left = FD_SPAN / 2;
	int sv[2], r = 0;

	FUZZ_ASSERT(d);
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0);
	for (int i = 0; i < MAX_READS && r == 0; i++) {
		int fds[MAX_FDS_PER_READ];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(fds))];
		} control;
		size_t len, n_fds, sent = 0;
		char *buf;
		bool take;

		if (!next_read(in, &buf, &len, fds, &n_fds, &take, &fds_left))
			break;
		if (len > 0) {
			s.data = xrealloc(s.data, s.len + len);
			memcpy(s.data + s.len, buf, len);
			s.len += len;
		}
		s.had_fds |= n_fds > 0;
		while (r == 0 && (sent < len || (len == 0 && sent == 0))) {
			struct iovec iov = {.iov_base = buf + sent, .iov_len = len - sent};
			struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
			ssize_t n;

			if (sent == 0 && n_fds > 0) {
				struct cmsghdr *c;

				memset(&control, 0, sizeof(control));
				mh.msg_control = control.buf;
				mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
				c = CMSG_FIRSTHDR(&mh);
				c->cmsg_level = SOL_SOCKET;
				c->cmsg_type = SCM_RIGHTS;
				c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
				memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
			}
			n = sendmsg(sv[0], &mh, MSG_NOSIGNAL);
			if (n < 0) {
				FUZZ_ASSERT(errno == EAGAIN);
				r = drain(d, sv[1], &s, &taken, max_fds);
				continue;
			}
			if (len == 0)
				break;
			sent += (size_t)n;
			/* The kernel holds the descriptors now. */
			for (size_t k = 0; k < n_fds; k++)
				fds[k] = safe_close(fds[k]);
			n_fds = 0;
		}
		for (size_t k = 0; k < n_fds; k++)
			safe_close(fds[k]);
		free(buf);
		if (r == 0 && take)
			r = drain(d, sv[1], &s, &taken, max_fds);
	}
	if (r == 0) {
		shutdown(sv[0], SHUT_WR);
		r = drain(d, sv[1], &s, &taken, max_fds);
	}
	check_socket_error(r, &s, max_message);
	if (r == 1) {
		/* Everything arrived: all complete messages were taken and the
		 * decoder holds exactly the unterminated rest. */
		FUZZ_ASSERT(taken + sb_decoder_pending(d) == s.len);
	}
	close(sv[0]);
	close(sv[1]);
	sb_decoder_free(d);
	free(s.data);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	FUZZ_ASSERT(devnull >= 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	uint8_t flags = fuzz_u8(&in);
	size_t max_message = SB_MESSAGE_MAX, max_fds = SB_FDS_MAX;

	fuzz_fd_snapshot();

	if (!(flags & FLAG_REAL_LIMITS)) {
		max_message = 1 + fuzz_u16(&in) % 2048;
		max_fds = fuzz_u8(&in) % 20;
	}
	if (flags & FLAG_SOCKET)
		run_socket(&in, max_message, max_fds);
	else
		run_feed(&in, max_message, max_fds);
	fuzz_assert_fds_closed();
	return 0;
}
