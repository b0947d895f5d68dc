/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/client-fd.h"
#include "proto/socket-identity.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static uint64_t own_netns_cookie;

void sb_sockinfo_init(void)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(own_netns_cookie);

	/* Kernels before 5.14 lack the option; the check is skipped then. */
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &own_netns_cookie, &len) < 0)
		own_netns_cookie = 0;
}

int sb_sockinfo_get(int fd, struct sb_sockinfo *si, struct sb_error *err)
{
	uint64_t cookie;
	socklen_t len = sizeof(cookie);
	int r;

	r = sb_socket_identity(fd, &si->family, &si->type, &si->protocol);
	if (r == -ENOTSOCK)
		return sb_error_set(err, SB_ERR_BAD_DESCRIPTOR, ENOTSOCK, "fd",
				    "descriptor is not a socket");
	if (r < 0)
		return sb_error_set(err, SB_ERR_BAD_DESCRIPTOR, -r, "fd",
				    "descriptor is not a usable socket: %s", strerror(-r));
	if (own_netns_cookie && getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0 &&
	    cookie != own_netns_cookie)
		return sb_error_set(err, SB_ERR_BAD_DESCRIPTOR, EXDEV, "fd",
				    "socket belongs to another network namespace");
	return 0;
}
