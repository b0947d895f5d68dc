/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CAN raw send and receive through brokered sockets: two CAN_RAW
 * sockets bound to one interface, each from its text form; one sends a
 * frame and the other receives it (local loopback of CAN_RAW).
 *
 *     example-can [IFNAME]
 *
 * Uses IFNAME (default vcan0), prints the frame and exits 0 when it came
 * back intact. Exits 77 when the broker's kernel has no AF_CAN or there
 * is no such interface. */
#include <errno.h>
#include <linux/can.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sockbroker.h>

#define SKIP 77

static int can_socket(const char *ifname)
{
	char spec[64];
	int fd;

	snprintf(spec, sizeof(spec), "AF_CAN:SOCK_RAW:CAN_RAW@%s", ifname);
	fd = sockbroker_socket_spec(spec);
	if (fd < 0)
		fprintf(stderr, "example-can: %s: %s (%s)\n", spec, strerror(errno),
			sockbroker_last_message());
	return fd;
}

int main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "vcan0";
	struct can_frame out = {.can_id = 0x123, .len = 8}, in;
	struct pollfd p = {.events = POLLIN};
	struct sockbroker_info info;
	int tx, rx;

	if (argc > 2) {
		fprintf(stderr, "usage: example-can [IFNAME]\n");
		return 2;
	}
	if (sockbroker_info(NULL, &info) < 0) {
		fprintf(stderr, "example-can: no broker: %s\n", strerror(errno));
		return 1;
	}
	if (!SOCKBROKER_INFO_HAS_FAMILY(&info, AF_CAN)) {
		fprintf(stderr, "example-can: the broker's kernel has no AF_CAN\n");
		return SKIP;
	}
	rx = can_socket(ifname);
	if (rx < 0)
		return errno == ENODEV || errno == EAFNOSUPPORT ? SKIP : 1;
	tx = can_socket(ifname);
	if (tx < 0)
		return 1;

	memcpy(out.data, "sockbrkr", 8);
	if (write(tx, &out, sizeof(out)) != (ssize_t)sizeof(out)) {
		perror("example-can: write");
		return 1;
	}
	p.fd = rx;
	if (poll(&p, 1, 2000) != 1 || read(rx, &in, sizeof(in)) != (ssize_t)sizeof(in)) {
		fprintf(stderr, "example-can: the frame did not come back\n");
		return 1;
	}
	if (in.can_id != out.can_id || in.len != out.len || memcmp(in.data, out.data, 8) != 0) {
		fprintf(stderr, "example-can: received a different frame\n");
		return 1;
	}
	printf("%s: sent and received %03X#", ifname, in.can_id);
	for (int i = 0; i < in.len; i++)
		printf("%02X", in.data[i]);
	printf("\n");
	close(tx);
	close(rx);
	return 0;
}
