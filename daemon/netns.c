/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "daemon/fsid.h"
#include "daemon/log.h"
#include "daemon/netns.h"
#include "proto/protocol.h"

#define NETNS_RUN_DIR "/run/netns"

static int own_netns_fd = -1;

int sb_netns_init(void)
{
	own_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return own_netns_fd < 0 ? -errno : 0;
}

int sb_netns_enter(const char *name, struct sb_error *err)
{
	_cleanup_close_ int fd = -1;
	char path[sizeof(NETNS_RUN_DIR) + SB_NETNS_NAME_MAX + 2];

	if (!sb_netns_name_valid(name))
		return sb_error_param(err, "netns", "netns: not a valid namespace name");
	if (own_netns_fd < 0)
		return sb_error_set(err, SB_ERR_NOT_SUPPORTED, EOPNOTSUPP, "netns",
				    "network namespaces are not available");
	snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	/* Opened as the daemon, not as the last client (see fsid.h). */
	if (!sb_fsid_restore())
		return sb_error_set(err, SB_ERR_SYSTEM, EPERM, "netns",
				    "cannot return to the daemon's own filesystem identity");
	/* O_NOFOLLOW: the file is a bind mount of an nsfs inode, never a link. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, "netns", "network namespace %s: %m",
				    name);
	/* setns() checks the file really is a network namespace. */
	if (setns(fd, CLONE_NEWNET) < 0)
		return sb_error_set(err, SB_ERR_SYSTEM, errno, "netns",
				    "cannot enter network namespace %s: %m", name);
	return 0;
}

void sb_netns_leave(void)
{
	if (setns(own_netns_fd, CLONE_NEWNET) < 0) {
		log_error("cannot return to the daemon's network namespace: %m");
		abort();
	}
}
