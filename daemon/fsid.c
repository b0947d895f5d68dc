/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/fsuid.h>
#include <unistd.h>

#include "daemon/fsid.h"

/* Cached: the daemon's ids never change. */
static uid_t own_uid;
static gid_t own_gid;

/* The identity the kernel last confirmed. Switches may nest (the grant
 * scan acts as each process's owner while a client's identity is kept),
 * so every switch compares with this, not with the daemon's own. */
static uid_t cur_uid;
static gid_t cur_gid;
static bool cur_known;

void sb_fsid_init(void)
{
	own_uid = cur_uid = geteuid();
	own_gid = cur_gid = getegid();
	cur_known = true;
}

/* setfsuid() and setfsgid() return the previous id whatever happened;
 * an invalid id (-1) changes nothing and so reads the current one. */
static bool set_gid(gid_t gid)
{
	if (cur_known && gid == cur_gid)
		return true;
	setfsgid(gid);
	return (gid_t)setfsgid((gid_t)-1) == gid;
}

static bool set_uid(uid_t uid)
{
	if (cur_known && uid == cur_uid)
		return true;
	setfsuid(uid);
	return (uid_t)setfsuid((uid_t)-1) == uid;
}

bool sb_fsid_become(uid_t uid, gid_t gid)
{
	bool ok = set_gid(gid) && set_uid(uid);

	cur_uid = uid;
	cur_gid = gid;
	cur_known = ok;
	return ok;
}

bool sb_fsid_restore(void)
{
	return sb_fsid_become(own_uid, own_gid);
}
