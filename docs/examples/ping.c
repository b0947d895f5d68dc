/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ping without set-uid or file capabilities: the raw ICMP socket comes
 * from the broker through sockbroker_socket(), the drop-in for
 * socket(2); everything after that is ordinary socket code.
 *
 *     example-ping [HOST [COUNT]]
 *
 * Sends COUNT (default 1) ICMP echo requests to HOST (default
 * 127.0.0.1, numeric IPv4) and exits 0 when every one was answered. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sockbroker.h>

static uint16_t checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Wait up to 2 s for the reply to (id, seq); its TTL, or -1. */
static int wait_reply(int fd, uint16_t id, uint16_t seq)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		unsigned char buf[1500];
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const struct icmphdr *icmp;
		size_t ihl;
		ssize_t n;
		int left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = 2000 - (int)ms_between(&start, &now);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		/* A raw socket reads whole IPv4 packets, header first, and
		 * sees every ICMP packet of the host: pick ours. */
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 20)
			continue;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < ihl + sizeof(*icmp))
			continue;
		icmp = (const struct icmphdr *)(buf + ihl);
		if (icmp->type == ICMP_ECHOREPLY && ntohs(icmp->un.echo.id) == id &&
		    ntohs(icmp->un.echo.sequence) == seq)
			return buf[8];
	}
}

int main(int argc, char **argv)
{
	const char *host = argc > 1 ? argv[1] : "127.0.0.1";
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	struct sockaddr_in to = {.sin_family = AF_INET};
	uint16_t id = (uint16_t)getpid();
	int fd, answered = 0;

	if (argc > 3 || count < 1 || count > 100 || inet_pton(AF_INET, host, &to.sin_addr) != 1) {
		fprintf(stderr, "usage: example-ping [IPV4-ADDRESS [COUNT]]\n");
		return 2;
	}
	fd = sockbroker_socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		fprintf(stderr, "example-ping: raw ICMP socket: %s (%s)\n", strerror(errno),
			sockbroker_last_message());
		return 1;
	}

	for (uint16_t seq = 1; seq <= count; seq++) {
		struct {
			struct icmphdr h;
			struct timespec sent;
		} req;
		struct timespec now;
		int ttl;

		memset(&req, 0, sizeof(req));
		req.h.type = ICMP_ECHO;
		req.h.un.echo.id = htons(id);
		req.h.un.echo.sequence = htons(seq);
		clock_gettime(CLOCK_MONOTONIC, &req.sent);
		req.h.checksum = checksum(&req, sizeof(req));
		if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("example-ping: sendto");
			break;
		}
		ttl = wait_reply(fd, id, seq);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ttl < 0) {
			printf("no reply from %s: icmp_seq=%u\n", host, seq);
			continue;
		}
		answered++;
		printf("%zu bytes from %s: icmp_seq=%u ttl=%d time=%.3f ms\n", sizeof(req), host,
		       seq, ttl, ms_between(&req.sent, &now));
	}
	close(fd);
	return answered == count ? 0 : 1;
}
