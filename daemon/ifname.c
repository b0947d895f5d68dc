/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/ifname.h"
#include "proto/util.h"

#define IFNAME_SEQ 1

int sb_ifname_index(const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attr[RTA_SPACE(IFNAMSIZ)];
	} req = {0};
	/* The reply starts with the header and ifinfomsg, or nlmsgerr: only
	 * those are read, and the attributes beyond the buffer are dropped. */
	union {
		struct nlmsghdr nh;
		char buf[1024];
	} reply;
	size_t n = strlen(name);
	struct rtattr *rta;
	_cleanup_close_ int fd = -1;
	ssize_t got;

	if (n == 0 || n >= IFNAMSIZ)
		return -ENODEV;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = IFNAME_SEQ;
	req.ifi.ifi_family = AF_UNSPEC;
	rta = (struct rtattr *)req.attr;
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = RTA_LENGTH(n + 1);
	memcpy(RTA_DATA(rta), name, n + 1);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi)) + RTA_ALIGN(rta->rta_len);
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		return -errno;
	/* The kernel answers within send(): never wait for it. */
	got = recv(fd, &reply, sizeof(reply), MSG_DONTWAIT);
	if (got < 0)
		return -errno;
	if ((size_t)got < NLMSG_LENGTH(sizeof(struct nlmsgerr)) || reply.nh.nlmsg_seq != IFNAME_SEQ)
		return -EIO;
	if (reply.nh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&reply.nh);

		return e->error < 0 ? e->error : -EIO;
	}
	if (reply.nh.nlmsg_type == RTM_NEWLINK) {
		const struct ifinfomsg *ifi = NLMSG_DATA(&reply.nh);

		return ifi->ifi_index > 0 ? ifi->ifi_index : -ENODEV;
	}
	return -EIO;
}

int sb_ifname_unset(const char *name _unused_)
{
	return 0;
}
