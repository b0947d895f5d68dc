/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include "daemon/userdb.h"
#include "proto/util.h"

#define BUFFER_MAX (1024 * 1024)

/* Grow *buf (of *size bytes, 0 at first) for a call that said ERANGE;
 * false when out of memory or beyond BUFFER_MAX. */
static bool grow(char **buf, size_t *size)
{
	size_t n = *size ? *size * 2 : 1024;
	char *b;

	if (n > BUFFER_MAX)
		return false;
	b = realloc(*buf, n);
	if (!b)
		return false;
	*buf = b;
	*size = n;
	return true;
}

int sb_userdb_lookup(bool user, const char *name, uint32_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	struct passwd pw, *pw_found = NULL;
	struct group gr, *gr_found = NULL;
	int r = ERANGE;

	while (r == ERANGE) {
		if (!grow(&buf, &size))
			return size ? -ERANGE : -ENOMEM;
		if (user)
			r = getpwnam_r(name, &pw, buf, size, &pw_found);
		else
			r = getgrnam_r(name, &gr, buf, size, &gr_found);
	}
	if (r != 0)
		return -r;
	if (user ? !pw_found : !gr_found)
		return -ENOENT;
	*ret = user ? pw.pw_uid : gr.gr_gid;
	return 0;
}

int sb_userdb_each_user(int (*fn)(uid_t uid, gid_t gid, void *arg), void *arg)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	int r = 0;

	if (!grow(&buf, &size))
		return -ENOMEM;
	setpwent();
	for (;;) {
		struct passwd pw, *found = NULL;
		int e = getpwent_r(&pw, buf, size, &found);

		if (e == ERANGE) {
			/* The entry is read again with the larger buffer. */
			if (!grow(&buf, &size)) {
				r = -ERANGE;
				break;
			}
			continue;
		}
		if (e == ENOENT || !found)
			break;
		if (e != 0) {
			r = -e;
			break;
		}
		r = fn(pw.pw_uid, pw.pw_gid, arg);
		if (r < 0)
			break;
	}
	endpwent();
	return r < 0 ? r : 0;
}

int sb_userdb_each_member(gid_t gid, int (*fn)(uid_t uid, void *arg), void *arg)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	struct group gr, *found = NULL;
	int r = ERANGE;

	while (r == ERANGE) {
		if (!grow(&buf, &size))
			return size ? -ERANGE : -ENOMEM;
		r = getgrgid_r(gid, &gr, buf, size, &found);
	}
	if (r != 0)
		return -r;
	for (char **m = found ? gr.gr_mem : NULL; m && *m; m++) {
		uint32_t uid;

		r = sb_userdb_lookup(true, *m, &uid);
		if (r == -ENOENT)
			continue;
		if (r >= 0)
			r = fn((uid_t)uid, arg);
		if (r < 0)
			return r;
	}
	return 0;
}
