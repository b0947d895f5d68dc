/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny packet sniffer for unprivileged users: the broker creates an
 * AF_PACKET socket bound to one interface (one round trip, from the
 * socket's text form), and the program reads frames from it itself.
 *
 *     example-sniffer [IFNAME [UDP-PORT]]
 *
 * Prints the first frame seen on IFNAME (default lo), or with UDP-PORT
 * the first IPv4 UDP datagram to that port, and exits 0; exits 1 when
 * nothing came within 10 seconds. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sockbroker.h>

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static unsigned int be16(const unsigned char *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* Describe an Ethernet frame; returns the UDP destination port of an
 * IPv4 UDP datagram, or -1. */
static int describe(const unsigned char *f, size_t len, char *out, size_t size)
{
	const unsigned char *ip = f + 14;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	size_t ihl;

	if (len < 14) {
		snprintf(out, size, "%zu bytes, runt frame", len);
		return -1;
	}
	if (be16(f + 12) != 0x0800 || len < 14 + 20 || (ip[0] >> 4) != 4) {
		snprintf(out, size, "%zu bytes, ethertype 0x%04x", len, be16(f + 12));
		return -1;
	}
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	inet_ntop(AF_INET, ip + 12, src, sizeof(src));
	inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
	if (ip[9] != 17 || ihl < 20 || len < 14 + ihl + 8) {
		snprintf(out, size, "%zu bytes, IPv4 %s -> %s protocol %u", len, src, dst, ip[9]);
		return -1;
	}
	snprintf(out, size, "%zu bytes, IPv4 UDP %s:%u -> %s:%u, %u bytes of data", len, src,
		 be16(ip + ihl), dst, be16(ip + ihl + 2), be16(ip + ihl + 4) - 8);
	return (int)be16(ip + ihl + 2);
}

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "lo";
	long port = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
	unsigned char frame[65536];
	char spec[64], text[160];
	struct timespec start;
	int fd;

	if (argc > 3 || (argc > 2 && (port <= 0 || port > 65535))) {
		fprintf(stderr, "usage: example-sniffer [IFNAME [UDP-PORT]]\n");
		return 2;
	}
	/* Every frame of every protocol on ifname: ETH_P_ALL, bound to the
	 * interface by the broker before the socket is handed over. */
	snprintf(spec, sizeof(spec), "AF_PACKET:SOCK_RAW:ETH_P_ALL@%s", ifname);
	fd = sockbroker_socket_spec(spec);
	if (fd < 0) {
		fprintf(stderr, "example-sniffer: %s: %s (%s)\n", spec, strerror(errno),
			sockbroker_last_message());
		return 1;
	}
	printf("capturing on %s\n", ifname);
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long left = 10000 - ms_since(&start);
		ssize_t n;

		if (left <= 0) {
			fprintf(stderr, "example-sniffer: no matching frame on %s\n", ifname);
			close(fd);
			return 1;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, frame, sizeof(frame), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("example-sniffer: recv");
			close(fd);
			return 1;
		}
		if (describe(frame, (size_t)n, text, sizeof(text)) == port || port < 0) {
			printf("%s: %s\n", ifname, text);
			break;
		}
	}
	close(fd);
	return 0;
}
