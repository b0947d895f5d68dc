/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/can.h>
#include <linux/can/isotp.h>
#include <sys/socket.h>

#include "proto/socket-identity.h"

static int get_int(int fd, int opt, int *ret)
{
	socklen_t len = sizeof(*ret);

	return getsockopt(fd, SOL_SOCKET, opt, ret, &len) < 0 ? -errno : 0;
}

/* Linux (6.1 at least) leaves SO_PROTOCOL 0 for CAN raw, BCM and ISO-TP
 * sockets. CAN has no protocol 0, so this cannot misread a socket: tell
 * them apart by type and by the option only ISO-TP sockets have. */
static int can_protocol(int fd, int type)
{
	struct can_isotp_options opts;
	socklen_t len = sizeof(opts);

	if (type == SOCK_RAW)
		return CAN_RAW;
	if (getsockopt(fd, SOL_CAN_ISOTP, CAN_ISOTP_OPTS, &opts, &len) == 0)
		return CAN_ISOTP;
	return CAN_BCM;
}

int sb_socket_identity(int fd, int *family, int *type, int *protocol)
{
	int r;

	r = get_int(fd, SO_DOMAIN, family);
	if (r < 0)
		return r;
	r = get_int(fd, SO_TYPE, type);
	if (r < 0)
		return r;
	r = get_int(fd, SO_PROTOCOL, protocol);
	if (r < 0)
		return r;
	if (*family == AF_CAN && *protocol == 0)
		*protocol = can_protocol(fd, *type);
	return 0;
}
