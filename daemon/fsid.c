/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
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

void sb_fsid_become(uid_t uid, gid_t gid)
{
	if (gid != own_gid)
		setfsgid(gid);
	if (uid != own_uid)
		setfsuid(uid);
}

void sb_fsid_restore(void)
{
	setfsuid(own_uid);
	setfsgid(own_gid);
}

/* Whether sb_fsuid_become() changed anything to undo. */
static bool fsuid_changed;

void sb_fsuid_become(uid_t uid)
{
	fsuid_changed = uid != own_uid;
	if (fsuid_changed)
		setfsuid(uid);
}

void sb_fsuid_restore(void)
{
	if (fsuid_changed)
		setfsuid(own_uid);
	fsuid_changed = false;
}
