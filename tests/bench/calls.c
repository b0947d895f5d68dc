/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calls measured, each timed in a worker: the floor client, the
 * brokered socket and bind calls, and a plain bind() (which authbind
 * intercepts when preloaded). */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "client/lib/sockbroker.h"
#include "proto/protocol.h"
#include "tests/bench/bench.h"
#include "tests/call.h"

/* Byte for byte what sockbroker_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 * sends, NUL included. */
static const char socket_request[] = "{\"method\":\"" SB_METHOD_SOCKET
				     "\",\"parameters\":{\"family\":2,\"type\":3,\"protocol\":1}}";

/* The floor client: one send, one recvmsg() for the reply and its fd. */
static int floor_call(int conn)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	char reply[256];
	struct iovec iov = {.iov_base = reply, .iov_len = sizeof(reply)};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd = -1;

	if (send(conn, socket_request, sizeof(socket_request), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(socket_request))
		return -EIO;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n < 0 ? -errno : -ECONNRESET;
	cmsg = CMSG_FIRSTHDR(&mh);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
	    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	/* The floor server sends each reply in one sendmsg(), which one
	 * recvmsg() takes whole. */
	if (fd < 0 || reply[n - 1] != '\0')
		return safe_close(fd), -EPROTO;
	return fd;
}

/* The socket handed over is the one asked for. */
static int check_raw_icmp(int fd, struct bench_result *res)
{
	int type = 0, proto = 0;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0)
		return bench_fail(res, errno, "getsockopt on the socket received: %m");
	if (type != SOCK_RAW || proto != IPPROTO_ICMP)
		return bench_fail(res, EPROTO,
				  "received type %d protocol %d, not a raw ICMP socket", type,
				  proto);
	return 0;
}

static void finish(struct bench_result *res, uint64_t t0, unsigned calls)
{
	uint64_t ns = bench_now_ns() - t0;

	res->count = calls;
	res->seconds = (double)ns / 1e9;
	res->value = calls ? (double)ns / calls : 0;
}

/* Rate: calls per second over job->seconds, checking the clock every
 * few calls. */
static void finish_rate(struct bench_result *res, uint64_t t0, uint64_t calls)
{
	uint64_t ns = bench_now_ns() - t0;

	res->count = calls;
	res->seconds = (double)ns / 1e9;
	res->value = ns ? (double)calls * 1e9 / (double)ns : 0;
}

/* A connection to the floor server, its first call checked, then
 * job->warmup more; the worker is ready to be timed. */
static int floor_warm_up(struct bench_job *job, struct bench_result *res)
{
	int conn = sb_test_connect(job->socket);
	int fd, r;

	if (conn < 0)
		return bench_fail(res, conn, "connect to %s: %s", job->socket, strerror(-conn));
	fd = floor_call(conn);
	if (fd < 0) {
		close(conn);
		return bench_fail(res, fd, "floor call: %s", strerror(-fd));
	}
	r = check_raw_icmp(fd, res);
	close(fd);
	if (r < 0) {
		close(conn);
		return r;
	}
	for (unsigned i = 0; i < job->warmup; i++)
		safe_close(floor_call(conn));
	bench_worker_ready(job);
	return conn;
}

int bench_job_floor_socket(struct bench_job *job, struct bench_result *res)
{
	_cleanup_close_ int conn = floor_warm_up(job, res);
	uint64_t t0;

	if (conn < 0)
		return conn;
	t0 = bench_now_ns();
	for (unsigned i = 0; i < job->calls; i++) {
		int fd = floor_call(conn);

		if (fd < 0)
			return bench_fail(res, fd, "floor call %u: %s", i, strerror(-fd));
		close(fd);
	}
	finish(res, t0, job->calls);
	return 0;
}

int bench_job_floor_socket_rate(struct bench_job *job, struct bench_result *res)
{
	_cleanup_close_ int conn = floor_warm_up(job, res);
	uint64_t t0, end, calls = 0;

	if (conn < 0)
		return conn;
	t0 = bench_now_ns();
	end = t0 + (uint64_t)(job->seconds * 1e9);
	do {
		for (int k = 0; k < 16; k++, calls++) {
			int fd = floor_call(conn);

			if (fd < 0)
				return bench_fail(res, fd, "floor call: %s", strerror(-fd));
			close(fd);
		}
	} while (bench_now_ns() < end);
	finish_rate(res, t0, calls);
	return 0;
}

/* The process-wide connection of libsockbroker, as a program uses it:
 * its first call checked, then job->warmup more; the worker is ready to
 * be timed. */
static int broker_warm_up(struct bench_job *job, struct bench_result *res)
{
	int fd, r;

	if (setenv("SOCKBROKER_SOCKET", job->socket, 1) < 0)
		return bench_fail(res, errno, "setenv: %m");
	fd = sockbroker_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return bench_fail(res, errno, "sockbroker_socket: %m (%s)",
				  sockbroker_last_message());
	r = check_raw_icmp(fd, res);
	close(fd);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < job->warmup; i++)
		safe_close(sockbroker_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	bench_worker_ready(job);
	return 0;
}

/* Let the server finish and go back to waiting before the next call, so
 * that it takes the same path every time (the profile's call counts do
 * not depend on how the two processes happen to overlap). */
static void pause_us(unsigned us)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};

	if (us)
		nanosleep(&ts, NULL);
}

/* The timed calls of a warmed-up worker. */
static int broker_socket_calls(struct bench_job *job, struct bench_result *res)
{
	uint64_t t0 = bench_now_ns();

	for (unsigned i = 0; i < job->calls; i++) {
		int fd = sockbroker_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

		if (fd < 0)
			return bench_fail(res, errno, "sockbroker_socket call %u: %m (%s)", i,
					  sockbroker_last_message());
		close(fd);
		pause_us(job->pause_us);
	}
	finish(res, t0, job->calls);
	return 0;
}

int bench_job_broker_socket(struct bench_job *job, struct bench_result *res)
{
	int r = broker_warm_up(job, res);

	return r < 0 ? r : broker_socket_calls(job, res);
}

/* A GetInfo call on conn, the profile's marker (profile.c), and the same
 * pause as after a measured call. */
static int mark(struct bench_job *job, int conn, struct bench_result *res)
{
	char *reply = NULL;
	int r = sb_test_call_raw(conn, "{\"method\":\"" SB_METHOD_GET_INFO "\"}", NULL, 0, &reply,
				 NULL);

	free(reply);
	if (r < 0)
		return bench_fail(res, -r, "GetInfo marker: %s", strerror(-r));
	pause_us(job->pause_us);
	return 0;
}

int bench_job_broker_socket_marked(struct bench_job *job, struct bench_result *res)
{
	_cleanup_close_ int conn = -1;
	int r = broker_warm_up(job, res);

	if (r < 0)
		return r;
	conn = sb_test_connect(job->socket);
	if (conn < 0)
		return bench_fail(res, -conn, "marker connection: %s", strerror(-conn));
	if (mark(job, conn, res) < 0 || mark(job, conn, res) < 0 ||
	    broker_socket_calls(job, res) < 0)
		return -EIO;
	return mark(job, conn, res);
}

int bench_job_broker_socket_rate(struct bench_job *job, struct bench_result *res)
{
	uint64_t t0, end, calls = 0;
	int r = broker_warm_up(job, res);

	if (r < 0)
		return r;
	t0 = bench_now_ns();
	end = t0 + (uint64_t)(job->seconds * 1e9);
	do {
		for (int k = 0; k < 16; k++, calls++) {
			int fd = sockbroker_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

			if (fd < 0)
				return bench_fail(res, errno, "sockbroker_socket: %m (%s)",
						  sockbroker_last_message());
			close(fd);
		}
	} while (bench_now_ns() < end);
	finish_rate(res, t0, calls);
	return 0;
}

/* One bind of a fresh TCP socket to 127.0.0.1:80. SO_REUSEADDR lets the
 * next socket bind while the broker may still be closing its copy of the
 * previous one (it closes the request's fd after the reply). */
static int bind_once(bool brokered, bool check)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(BENCH_BIND_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	_cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, r;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	if (brokered)
		r = sockbroker_bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	else
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0)
		return -errno;
	if (check) {
		struct sockaddr_in got;
		socklen_t len = sizeof(got);

		if (getsockname(fd, (struct sockaddr *)&got, &len) < 0)
			return -errno;
		if (got.sin_port != sa.sin_port)
			return -EADDRNOTAVAIL;
	}
	return 0;
}

static int bind_loop(struct bench_job *job, struct bench_result *res, bool brokered)
{
	uint64_t t0;
	int r;

	r = bind_once(brokered, true);
	if (r < 0)
		return bench_fail(res, r, "%s to 127.0.0.1:%d: %s (%s)",
				  brokered ? "sockbroker_bind" : "bind", BENCH_BIND_PORT,
				  strerror(-r), brokered ? sockbroker_last_message() : "no broker");
	for (unsigned i = 0; i < job->warmup; i++)
		bind_once(brokered, false);
	bench_worker_ready(job);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < job->calls; i++) {
		r = bind_once(brokered, false);
		if (r < 0)
			return bench_fail(res, r, "bind call %u: %s", i, strerror(-r));
	}
	finish(res, t0, job->calls);
	return 0;
}

int bench_job_broker_bind(struct bench_job *job, struct bench_result *res)
{
	if (setenv("SOCKBROKER_SOCKET", job->socket, 1) < 0)
		return bench_fail(res, errno, "setenv: %m");
	return bind_loop(job, res, true);
}

int bench_job_plain_bind(struct bench_job *job, struct bench_result *res)
{
	return bind_loop(job, res, false);
}

int bench_job_broker_bind_marked(struct bench_job *job, struct bench_result *res)
{
	_cleanup_close_ int conn = -1;
	uint64_t t0;
	int r;

	if (setenv("SOCKBROKER_SOCKET", job->socket, 1) < 0)
		return bench_fail(res, errno, "setenv: %m");
	r = bind_once(true, true);
	if (r < 0)
		return bench_fail(res, r, "sockbroker_bind to 127.0.0.1:%d: %s (%s)",
				  BENCH_BIND_PORT, strerror(-r), sockbroker_last_message());
	for (unsigned i = 0; i < job->warmup; i++)
		bind_once(true, false);
	bench_worker_ready(job);
	conn = sb_test_connect(job->socket);
	if (conn < 0)
		return bench_fail(res, -conn, "marker connection: %s", strerror(-conn));
	if (mark(job, conn, res) < 0 || mark(job, conn, res) < 0)
		return -EIO;
	t0 = bench_now_ns();
	for (unsigned i = 0; i < job->calls; i++) {
		r = bind_once(true, false);
		if (r < 0)
			return bench_fail(res, r, "bind call %u: %s", i, strerror(-r));
		pause_us(job->pause_us);
	}
	finish(res, t0, job->calls);
	return mark(job, conn, res);
}
