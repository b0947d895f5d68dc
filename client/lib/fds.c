/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Passing descriptors over AF_UNIX sockets (SCM_RIGHTS), for programs
 * that hand brokered sockets on. */
#include <string.h>
#include <sys/socket.h>

#include "client/lib/internal.h"

_public_ ssize_t sockbroker_send_fds(int sock, const void *buf, size_t len, const int *fds,
				     size_t n_fds)
{
	/* Room for the most descriptors one message can carry. */
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * SOCKBROKER_FDS_MAX)];
	} control;
	static const char nul;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (n_fds > SOCKBROKER_FDS_MAX || (n_fds > 0 && !fds) || (len > 0 && !buf))
		return sb_fail(-EINVAL, NULL);
	/* Descriptors need at least one byte to travel with. */
	if (len == 0) {
		iov.iov_base = (void *)&nul;
		iov.iov_len = 1;
	}
	if (n_fds > 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n_fds);
	}
	n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return sb_fail(-errno, NULL);
	return len == 0 ? 0 : n;
}

static void close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		safe_close(fds[i]);
}

_public_ ssize_t sockbroker_recv_fds(int sock, void *buf, size_t len, int *fds, size_t *n_fds,
				     int flags)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * SOCKBROKER_FDS_MAX)];
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	size_t max, got = 0;
	bool overflow = false;
	ssize_t n;

	if (!n_fds || *n_fds > SOCKBROKER_FDS_MAX || (*n_fds > 0 && !fds) || (len > 0 && !buf) ||
	    (flags & ~(MSG_CMSG_CLOEXEC | MSG_DONTWAIT | MSG_WAITALL)))
		return sb_fail(-EINVAL, NULL);
	max = *n_fds;
	/* Always offer room for SCM_MAX_FD descriptors: the kernel drops
	 * those that do not fit without closing them in a way we could
	 * report, so take them all and close the surplus here. */
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof(control.buf);
	n = recvmsg(sock, &mh, flags);
	if (n < 0)
		return sb_fail(-errno, NULL);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		const unsigned char *data = CMSG_DATA(c);
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			if (got < max) {
				fds[got++] = fd;
			} else {
				safe_close(fd);
				overflow = true;
			}
		}
	}
	if (overflow || (mh.msg_flags & MSG_CTRUNC)) {
		close_fds(fds, got);
		*n_fds = 0;
		return sb_fail(-EMSGSIZE, NULL);
	}
	*n_fds = got;
	return n;
}
