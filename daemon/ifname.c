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

/* The kernel's answer to RTM_GETLINK for one link. Only the header,
 * ifinfomsg and the first attributes are read (IFLA_IFNAME comes first);
 * the rest is cut off. */
union link_reply {
	struct nlmsghdr nh;
	char buf[1024];
};

/* Ask for the link of index, or (index 0) of name; *len is how much of
 * the reply arrived. 0, or -errno (-ENODEV: no such link). */
static int get_link(int index, const char *name, union link_reply *reply, size_t *len)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attr[RTA_SPACE(IFNAMSIZ)];
	} req = {0};
	_cleanup_close_ int fd = -1;
	ssize_t got;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = IFNAME_SEQ;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = index;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	if (index == 0) {
		struct rtattr *rta = (struct rtattr *)req.attr;
		size_t n = strlen(name);

		rta->rta_type = IFLA_IFNAME;
		rta->rta_len = RTA_LENGTH(n + 1);
		memcpy(RTA_DATA(rta), name, n + 1);
		req.nh.nlmsg_len += RTA_ALIGN(rta->rta_len);
	}
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		return -errno;
	/* The kernel answers within send(): never wait for it. */
	got = recv(fd, reply, sizeof(*reply), MSG_DONTWAIT);
	if (got < 0)
		return -errno;
	if ((size_t)got < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    reply->nh.nlmsg_seq != IFNAME_SEQ)
		return -EIO;
	if (reply->nh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&reply->nh);

		return e->error < 0 ? e->error : -EIO;
	}
	if (reply->nh.nlmsg_type != RTM_NEWLINK)
		return -EIO;
	*len = (size_t)got < reply->nh.nlmsg_len ? (size_t)got : reply->nh.nlmsg_len;
	return 0;
}

int sb_ifname_index(const char *name)
{
	union link_reply reply;
	const struct ifinfomsg *ifi;
	size_t len;
	int r;

	if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ)
		return -ENODEV;
	r = get_link(0, name, &reply, &len);
	if (r < 0)
		return r;
	ifi = NLMSG_DATA(&reply.nh);
	return ifi->ifi_index > 0 ? ifi->ifi_index : -ENODEV;
}

int sb_ifname_name(int index, char *name)
{
	union link_reply reply;
	const struct rtattr *rta;
	size_t len;
	int r, left;

	if (index <= 0)
		return -ENODEV;
	r = get_link(index, NULL, &reply, &len);
	if (r < 0)
		return r;
	rta = IFLA_RTA(NLMSG_DATA(&reply.nh));
	left = (int)len - (int)NLMSG_LENGTH(sizeof(struct ifinfomsg));
	for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		size_t n;

		if (rta->rta_type != IFLA_IFNAME)
			continue;
		n = strnlen(RTA_DATA(rta), RTA_PAYLOAD(rta));
		if (n == 0 || n >= IFNAMSIZ)
			return -EIO;
		memcpy(name, RTA_DATA(rta), n);
		name[n] = 0;
		return 0;
	}
	return -EIO;
}

int sb_ifname_unset(const char *name _unused_)
{
	return 0;
}
