/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One blocking call at a time over a broker connection. The decoder is
 * kept for the connection's life so a call costs one send, one or two
 * reads and the parse of the reply. */
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "client/lib/conn.h"
#include "proto/codec.h"
#include "proto/frame.h"
#include "proto/protocol.h"

struct sb_conn {
	int fd;
	bool usable;
	/* What fd was when connected: a program may close it, or put
	 * another file in its place (dup2, or a close and a reuse). */
	dev_t dev;
	ino_t ino;
	/* Who connected: the broker decides as the connecting process. */
	uid_t euid;
	gid_t egid;
	struct sb_decoder *decoder;
};

void sb_result_done(struct sb_result *res)
{
	sb_reply_done(&res->reply);
	res->fd = safe_close(res->fd);
}

int sb_result_local_error(struct sb_result *res, int errnum, const char *what)
{
	const char *name = sb_errno_name(errnum < 0 ? -errnum : errnum);
	int r = sb_error_set(&res->error, NULL, errnum, NULL, "%s: %s", what,
			     name ? name : "error");

	res->error.name = NULL;
	return r;
}

int sb_result_take_fd(struct sb_result *res)
{
	return TAKE_FD(res->fd);
}

struct sb_conn *sb_conn_free(struct sb_conn *c)
{
	if (!c)
		return NULL;
	safe_close(c->fd);
	sb_decoder_free(c->decoder);
	free(c);
	return NULL;
}

static void sb_conn_freep(struct sb_conn **c)
{
	sb_conn_free(*c);
}

int sb_conn_open(const char *path, struct sb_conn **ret)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_(sb_conn_freep) struct sb_conn *c = NULL;
	struct stat st;
	size_t len;

	if (!path || !*path)
		return -EINVAL;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, len);

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	c->decoder = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	if (!c->decoder)
		return -ENOMEM;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	/* An interrupted connect() of an AF_UNIX socket leaves it
	 * unconnected, so it can simply be repeated. */
	while (connect(c->fd, (struct sockaddr *)&sa,
		       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1)) < 0)
		if (errno != EINTR)
			return -errno;
	if (fstat(c->fd, &st) < 0)
		return -errno;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->euid = geteuid();
	c->egid = getegid();
	c->usable = true;
	*ret = TAKE_PTR(c);
	return 0;
}

/* Is fd still the socket connected? A program may have closed it, or put
 * another file in its place (dup2, or a close and a reuse). */
static bool still_the_socket(const struct sb_conn *c)
{
	struct stat st;

	return c->fd >= 0 && fstat(c->fd, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino;
}

void sb_conn_disown(struct sb_conn *c)
{
	/* Another file in its place is the program's: never closed. */
	if (still_the_socket(c))
		safe_close(c->fd);
	c->fd = -1;
	c->usable = false;
}

bool sb_conn_usable(const struct sb_conn *c)
{
	return c && c->usable;
}

bool sb_conn_still_ours(struct sb_conn *c)
{
	if (!sb_conn_usable(c))
		return false;
	if (!still_the_socket(c)) {
		/* Not ours any more: never write to it, nor close it. */
		c->fd = -1;
		c->usable = false;
		return false;
	}
	/* The broker knows the process as who connected: after a change of
	 * identity (a service dropping root), connect again as who it is. */
	if (geteuid() != c->euid || getegid() != c->egid) {
		c->fd = safe_close(c->fd);
		c->usable = false;
		return false;
	}
	return true;
}

int sb_conn_fd(const struct sb_conn *c)
{
	return c->fd;
}

/* Which errno values each error may carry; anything else (or none) is
 * replaced by the first entry. A zero-length list takes any errno. */
static const struct {
	const char *name;
	int errnos[4];
} error_errnos[] = {
	{SB_ERR_PERMISSION_DENIED, {EACCES, EPERM}},
	{SB_ERR_SYSTEM, {EIO}},
	{SB_ERR_BAD_DESCRIPTOR, {EBADF, ENOTSOCK, EINVAL}},
	{SB_ERR_INVALID_PARAMETER, {EINVAL}},
	{SB_ERR_LIMIT_EXCEEDED, {EAGAIN, EMFILE, E2BIG, ETOOMANYREFS}},
	{SB_ERR_NOT_SUPPORTED, {EOPNOTSUPP}},
	{SB_ERR_PROTOCOL, {EBADMSG, EMSGSIZE}},
	{SB_ERR_METHOD_NOT_FOUND, {ENOSYS}},
	{SB_ERR_METHOD_NOT_IMPLEMENTED, {ENOSYS}},
	{SB_ERR_INTERFACE_NOT_FOUND, {ENOENT}},
};

/* Errors whose errno is whatever the kernel or the parser said. */
static bool error_takes_any_errno(const char *name)
{
	return strcmp(name, SB_ERR_SYSTEM) == 0 || strcmp(name, SB_ERR_INVALID_PARAMETER) == 0;
}

int sb_conn_errno(const char *error, int errnum)
{
	bool valid = errnum > 0 && errnum < 4096;

	if (!error)
		return valid ? errnum : EPROTO;
	for (size_t i = 0; i < ELEMENTSOF(error_errnos); i++) {
		if (strcmp(error, error_errnos[i].name) != 0)
			continue;
		if (valid && error_takes_any_errno(error))
			return errnum;
		for (size_t j = 0; valid && j < ELEMENTSOF(error_errnos[i].errnos); j++)
			if (error_errnos[i].errnos[j] == errnum)
				return errnum;
		return error_errnos[i].errnos[0];
	}
	return valid ? errnum : EPROTO;
}

/* Fill res->error from an error reply; returns the mapped -errno. */
static int result_set_error(struct sb_result *res)
{
	const struct sb_reply *rp = &res->reply;
	const char *param = NULL;
	int errnum = sb_conn_errno(rp->error, rp->errnum);

	if (strcmp(rp->error, SB_ERR_INVALID_PARAMETER) == 0)
		(void)sb_param_string(rp->parameters, "parameter", false,
				      sizeof(res->error.parameter) - 1, &param, NULL);
	sb_error_set(&res->error, rp->error, errnum, param, "%s",
		     rp->message ? rp->message : rp->error);
	return -errnum;
}

static int conn_fail(struct sb_conn *c, struct sb_result *res, int r, const char *what)
{
	c->usable = false;
	return sb_result_local_error(res, r, what);
}

/* Wait for the reply in poll(), not in recvmsg(). A task blocked in
 * recvmsg() on a stream socket is woken as well when the broker reads the
 * request (the kernel's write-space callback wakes every waiter); under
 * load those useless wake-ups took a quarter of the broker's CPU
 * (docs/PERFORMANCE.md, "Throughput"). poll() asks for POLLIN only and is not
 * woken by it. */
static int wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, -1) < 0)
		return -errno;
	return 0;
}

/* Read until one whole message is buffered. */
static int read_frame(struct sb_conn *c, int recv_flags, struct sb_frame *f)
{
	for (;;) {
		ssize_t n;
		int r = sb_decoder_next(c->decoder, f);

		if (r != 0)
			return r < 0 ? r : 0;
		r = wait_readable(c->fd);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		n = sb_decoder_read(c->decoder, c->fd, recv_flags);
		if (n == -EINTR)
			continue;
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return (int)n;
	}
}

int sb_conn_call(struct sb_conn *c, const char *msg, size_t len, const int *fds, size_t n_fds,
		 int recv_flags, struct sb_result *res)
{
	struct sb_frame f = {.data = NULL};
	int r;

	memset(res, 0, sizeof(*res));
	res->stage = SB_CALL_UNSENT;
	res->fd = -1;
	if (!sb_conn_usable(c))
		return sb_result_local_error(res, -ENOTCONN, "call");

	r = sb_send_message(c->fd, msg, len, fds, n_fds);
	if (r < 0) {
		/* A descriptor the kernel refused to pass fails the first
		 * sendmsg(), before any byte went: the stream is intact. */
		if (r == -EBADF && n_fds > 0)
			return sb_result_local_error(res, r, "cannot pass the descriptor");
		return conn_fail(c, res, r, "send to the broker");
	}
	res->stage = SB_CALL_SENT;

	r = read_frame(c, recv_flags, &f);
	if (r < 0)
		return conn_fail(c, res, r, "receive from the broker");
	res->stage = SB_CALL_ANSWERED;
	/* One call is in flight, so nothing may follow its reply. */
	if (sb_decoder_pending(c->decoder) > 0)
		c->usable = false;
	if (f.n_fds > 0) {
		res->fd = sb_frame_take_fd(&f, 0);
		/* The decoder receives every descriptor close-on-exec, so no
		 * other thread's exec() can catch one early; keep it so only
		 * when the caller asked. */
		if (res->fd >= 0 && !(recv_flags & MSG_CMSG_CLOEXEC) &&
		    fcntl(res->fd, F_SETFD, 0) < 0) {
			r = -errno;
			sb_frame_done(&f);
			res->fd = safe_close(res->fd);
			return sb_result_local_error(res, r, "clear FD_CLOEXEC");
		}
	}
	r = sb_reply_read(f.data, f.len, &res->reply, &res->error);
	sb_frame_done(&f);
	if (r < 0) {
		char why[sizeof(res->error.message)];

		memcpy(why, res->error.message, sizeof(why));
		res->fd = safe_close(res->fd);
		c->usable = false;
		return sb_error_set(&res->error, SB_ERR_PROTOCOL, EPROTO, NULL,
				    "malformed reply: %s", why);
	}
	if (res->reply.error) {
		res->fd = safe_close(res->fd);
		/* The broker hangs up after a ProtocolError. */
		if (strcmp(res->reply.error, SB_ERR_PROTOCOL) == 0)
			c->usable = false;
		return result_set_error(res);
	}
	if (res->reply.continues) {
		res->fd = safe_close(res->fd);
		c->usable = false;
		return sb_error_set(&res->error, SB_ERR_PROTOCOL, EPROTO, NULL,
				    "unexpected continued reply");
	}
	return 0;
}
