/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-floor-server: the floor for a brokered socket. It does the same
 * exchange as sockbrokerd with nothing else: read a NUL-terminated JSON
 * request from an AF_UNIX stream connection, create the socket, pass it
 * back with SCM_RIGHTS after a NUL-terminated JSON reply. No parsing, no
 * policy, no logging; blocking I/O, one connection at a time, or (with
 * --epoll) non-blocking I/O from an epoll loop, the shape of any server
 * of many clients. With --work=NS it also spends NS nanoseconds of CPU
 * on each request, the stand-in for a server that does anything at all.
 * Run as root (raw sockets need CAP_NET_RAW).
 * Usage: bench-floor-server [--epoll] [--work=NS] PATH */
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "proto/util.h"

/* The same reply sockbrokerd sends for this request. */
static const char reply[] =
	"{\"parameters\":{\"fd\":0,\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":1}}";

/* Time spent busy on each request (--work); the client waits meanwhile,
 * so it is CPU time of the server's alone. At most a second. */
#define WORK_NS_MAX 1000000000L
static long work_ns;

static long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

/* Busy, not asleep: the point is CPU time on the server's side. */
static void work(void)
{
	struct timespec start, now;

	if (work_ns <= 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while (elapsed_ns(&start, &now) < work_ns);
}

static int send_socket(int conn)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = (void *)reply, .iov_len = sizeof(reply)};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);
	_cleanup_close_ int fd = -1;

	work();
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	/* The reply is short: one sendmsg() takes it whole on a blocking
	 * socket, NUL included (sizeof counts it). */
	if (sendmsg(conn, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(reply))
		return -EIO;
	return 0;
}

/* Answer every complete request in buf (len bytes); keep the rest.
 * false when the connection is beyond use. */
static bool answer(int conn, char *buf, size_t *len)
{
	char *start = buf, *nul;

	while ((nul = memchr(start, '\0', *len - (size_t)(start - buf)))) {
		if (send_socket(conn) < 0)
			return false;
		start = nul + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	return true;
}

/* Answer every NUL-terminated request until the client hangs up. */
static void serve(int conn)
{
	char buf[4096];
	size_t len = 0;

	for (;;) {
		ssize_t n = recv(conn, buf + len, sizeof(buf) - len, 0);

		if (n <= 0)
			return;
		len += (size_t)n;
		/* A request filling the buffer is not one of ours. */
		if (!answer(conn, buf, &len) || len == sizeof(buf))
			return;
	}
}

/* The same from an epoll loop, for any number of clients: wait, read
 * until EAGAIN, answer. */
struct conn {
	int fd;
	size_t len;
	char buf[4096];
};

static void conn_drop(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

static void conn_add(int ep, int listener)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct conn *c;
	int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
	}
}

static void serve_epoll(int ep, int listener)
{
	for (;;) {
		struct epoll_event ev;
		struct conn *c;

		if (epoll_wait(ep, &ev, 1, -1) != 1)
			continue;
		if (!ev.data.ptr) {
			conn_add(ep, listener);
			continue;
		}
		c = ev.data.ptr;
		for (;;) {
			ssize_t n =
				recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);

			if (n < 0 && errno == EAGAIN)
				break;
			if (n > 0)
				c->len += (size_t)n;
			if (n <= 0 || !answer(c->fd, c->buf, &c->len) || c->len == sizeof(c->buf)) {
				conn_drop(ep, c);
				break;
			}
		}
	}
}

/* --work=NS: a decimal number of nanoseconds up to WORK_NS_MAX. */
static bool parse_work(const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 0 || v > WORK_NS_MAX)
		return false;
	work_ns = v;
	return true;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = argc > 1 ? argv[argc - 1] : "";
	bool use_epoll = false;
	int fd, i;

	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "--epoll") == 0)
			use_epoll = true;
		else if (strncmp(argv[i], "--work=", 7) != 0 || !parse_work(argv[i] + 7))
			break;
	}
	if (argc < 2 || i != argc - 1 || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: bench-floor-server [--epoll] [--work=NS] PATH\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	signal(SIGPIPE, SIG_IGN);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		perror("bench-floor-server");
		return 1;
	}
	if (use_epoll) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
		int ep = epoll_create1(EPOLL_CLOEXEC);

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("bench-floor-server: epoll");
			return 1;
		}
		serve_epoll(ep, fd);
	}
	for (;;) {
		_cleanup_close_ int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (conn >= 0)
			serve(conn);
	}
}
