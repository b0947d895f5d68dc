/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Section 5: the data path. One client (uid 65534) holds two UDP
 * sockets, one from the broker and one it created itself, and sends
 * datagrams over loopback to a receiver of its own, alternating between
 * the two in short batches; packets per second should not differ,
 * because the broker is not on the data path. The ratio is the median of
 * the ratios of neighbouring batches, which cancels the drift of a shared
 * machine. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "client/lib/sockbroker.h"
#include "tests/bench/bench.h"

#define PACKET_SIZE 64

struct datapath_out {
	double brokered[64];
	double own[64];
	unsigned rounds;
};

/* Send one datagram and receive it, batch times: packets per second. */
static double pump(int tx, int rx, unsigned batch)
{
	char buf[PACKET_SIZE] = {0};
	uint64_t t0 = bench_now_ns();

	for (unsigned i = 0; i < batch; i++) {
		if (send(tx, buf, sizeof(buf), 0) != sizeof(buf))
			return -errno;
		if (recv(rx, buf, sizeof(buf), 0) != sizeof(buf))
			return -errno;
	}
	return (double)batch * 1e9 / (double)(bench_now_ns() - t0);
}

static int datapath_job(struct bench_job *job, struct bench_result *res)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	_cleanup_close_ int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	_cleanup_close_ int own = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	_cleanup_close_ int brokered = -1;
	struct datapath_out out = {.rounds = job->calls < 64 ? job->calls : 64};
	unsigned batch = *(const unsigned *)job->arg;

	if (setenv("SOCKBROKER_SOCKET", job->socket, 1) < 0)
		return bench_fail(res, errno, "setenv: %m");
	brokered = sockbroker_socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (brokered < 0)
		return bench_fail(res, errno, "sockbroker_socket(AF_INET, SOCK_DGRAM): %m (%s)",
				  sockbroker_last_message());
	if (rx < 0 || own < 0 || bind(rx, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(rx, (struct sockaddr *)&sa, &len) < 0 ||
	    connect(own, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    connect(brokered, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return bench_fail(res, errno, "UDP set-up: %m");
	pump(own, rx, batch);
	pump(brokered, rx, batch);
	for (unsigned r = 0; r < out.rounds; r++) {
		/* Alternate which goes first. */
		int first = r % 2 ? own : brokered, second = r % 2 ? brokered : own;
		double a = pump(first, rx, batch), b = pump(second, rx, batch);

		if (a < 0 || b < 0)
			return bench_fail(res, (int)-(a < 0 ? a : b), "send/recv: %s",
					  strerror((int)-(a < 0 ? a : b)));
		out.brokered[r] = r % 2 ? b : a;
		out.own[r] = r % 2 ? a : b;
	}
	/* The rates go ahead of the result, on the same pipe. */
	if (write(job->result_fd, &out, sizeof(out)) != (ssize_t)sizeof(out))
		return bench_fail(res, errno, "write: %m");
	return 0;
}

void bench_datapath(const struct bench_opts *o)
{
	struct bench_server d = {0};
	static const unsigned batch = 5000; /* datagrams per batch */
	struct bench_job job = {
		.fn = datapath_job,
		.calls = 64, /* rounds */
		.arg = &batch,
		.who = BENCH_NOBODY,
		.cpu = -1,
		.go_fd = -1,
		.ready_fd = -1,
	};
	struct datapath_out out;
	struct bench_result res = {0};
	char value[64], ratio[48];
	double b, m, q, ratios[64];
	int fd;
	pid_t pid;

	bench_progress("5. data path: UDP over loopback, brokered socket vs own socket");
	if (bench_daemon_start(&d, "datapath", bench_policy, NULL) < 0) {
		bench_row("5", "data path", "-", "", "", "failed");
		return;
	}
	job.socket = d.socket;
	pid = bench_worker_start(&job, &fd);
	if (pid < 0 || read(fd, &out, sizeof(out)) != (ssize_t)sizeof(out)) {
		if (pid >= 0)
			bench_worker_finish(pid, fd, &res);
		bench_row("5", "data path", "-", "", "", "failed");
		bench_note("data path: %s", res.error ? res.what : "no result");
		bench_server_stop(&d);
		return;
	}
	bench_worker_finish(pid, fd, &res);
	/* Pairs first: the medians below sort the rates in place. */
	for (unsigned r = 0; r < out.rounds; r++)
		ratios[r] = out.own[r] > 0 ? out.brokered[r] / out.own[r] : 0;
	m = bench_median(out.own, out.rounds);
	b = bench_median(out.brokered, out.rounds);
	snprintf(value, sizeof(value), "%.0f pkt/s [%.0f–%.0f]", m,
		 bench_quantile(out.own, out.rounds, 0.25),
		 bench_quantile(out.own, out.rounds, 0.75));
	bench_row("5", "own UDP socket, send+recv", value, "", "", "-");
	q = bench_median(ratios, out.rounds);
	snprintf(value, sizeof(value), "%.0f pkt/s [%.0f–%.0f]", b,
		 bench_quantile(out.brokered, out.rounds, 0.25),
		 bench_quantile(out.brokered, out.rounds, 0.75));
	snprintf(ratio, sizeof(ratio), "%.3f x own [%.3f–%.3f]", q,
		 bench_quantile(ratios, out.rounds, 0.25),
		 bench_quantile(ratios, out.rounds, 0.75));
	bench_row("5", "brokered UDP socket, send+recv", value, ratio, "1 within noise (±5%)",
		  q >= 0.95 && q <= 1.05 ? "met" : "NOT MET");
	bench_server_stop(&d);
}
