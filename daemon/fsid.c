/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/fsuid.h>
#include <unistd.h>

#include "daemon/fsid.h"

/* Cached: this runs twice per request, the ids never change. */
static uid_t own_uid;
static gid_t own_gid;

void sb_fsid_init(void)
{
	own_uid = geteuid();
	own_gid = getegid();
}

/* What the last sb_fsid_become() asked for. */
static uid_t want_uid;
static gid_t want_gid;

void sb_fsid_become(uid_t uid, gid_t gid)
{
	want_uid = uid;
	want_gid = gid;
	if (gid != own_gid)
		setfsgid(gid);
	if (uid != own_uid)
		setfsuid(uid);
}

bool sb_fsid_restore(void)
{
	bool ok = true;

	/* setfsuid() and setfsgid() return the previous value. */
	if (want_uid != own_uid)
		ok = (uid_t)setfsuid(own_uid) == want_uid;
	if (want_gid != own_gid)
		ok = (gid_t)setfsgid(own_gid) == want_gid && ok;
	want_uid = own_uid;
	want_gid = own_gid;
	return ok;
}
