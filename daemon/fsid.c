/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/fsuid.h>
#include <unistd.h>

#include "daemon/fsid.h"

/* Cached: this runs twice per request, the ids never change. */
static uid_t own_uid;
static gid_t own_gid;

/* The identity we asked the kernel for last. Switches may nest (the
 * grant scan acts as a client, then as each process's owner), so every
 * switch compares with this, not with the daemon's own identity. */
static uid_t cur_uid;
static gid_t cur_gid;

void sb_fsid_init(void)
{
	own_uid = cur_uid = geteuid();
	own_gid = cur_gid = getegid();
}

void sb_fsid_become(uid_t uid, gid_t gid)
{
	if (gid != cur_gid)
		setfsgid(gid);
	if (uid != cur_uid)
		setfsuid(uid);
	cur_uid = uid;
	cur_gid = gid;
}

bool sb_fsid_restore(void)
{
	bool ok = true;

	/* setfsuid() and setfsgid() return the previous value: what we
	 * asked for, unless the kernel refused the switch. */
	if (cur_uid != own_uid)
		ok = (uid_t)setfsuid(own_uid) == cur_uid;
	if (cur_gid != own_gid)
		ok = (gid_t)setfsgid(own_gid) == cur_gid && ok;
	cur_uid = own_uid;
	cur_gid = own_gid;
	return ok;
}
