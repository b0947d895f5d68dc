/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading the policy from disk: the main file, then the *.conf files of
 * policy.d beside it in name order. Files anyone but root could change
 * are refused: a policy anyone can edit is no policy. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/policy-internal.h"

#define DROPIN_DIR "policy.d"
#define DROPIN_SUFFIX ".conf"
#define MAX_DROPINS 4096

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static void policy_freep(struct sb_policy **p)
{
	sb_policy_free(*p);
}

static int errno_error(int err, const char *display, char *errbuf, size_t errsize)
{
	sb_policy_error(errbuf, errsize, "%s: %s", display, strerror(err));
	return -err;
}

/* Only root may be able to change what the policy says. The owner check
 * applies when we run as root (tests and dry runs read files of their
 * own user). */
static int check_owner_mode(const char *display, const struct stat *st, const char *what,
			    char *errbuf, size_t errsize)
{
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		sb_policy_error(errbuf, errsize,
				"%s: refusing a policy %s that is writable by %s (mode %04o)",
				display, what, st->st_mode & S_IWOTH ? "everyone" : "its group",
				(unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	/* Root, or the daemon's own user (a dedicated service user), may own
	 * the policy; anyone else could rewrite it. */
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		sb_policy_error(errbuf, errsize,
				"%s: refusing a policy %s not owned by root (owner uid %u)",
				display, what, (unsigned)st->st_uid);
		return -EPERM;
	}
	return 0;
}

/* A directory on the resolved path of a link, the first dir_len bytes of
 * path ("/" for 0): as check_owner_mode(), except that a sticky one
 * (/tmp) may be writable by others, who can add entries there but not
 * rename or remove root's. */
static int check_path_dir(const char *display, const char *path, size_t dir_len,
			  const struct stat *st, char *errbuf, size_t errsize)
{
	_cleanup_free_ char *where = NULL;
	struct stat checked = *st;

	if (checked.st_mode & S_ISVTX)
		checked.st_mode &= ~(mode_t)(S_IWGRP | S_IWOTH);
	if (asprintf(&where, "%s: %.*s", display, (int)(dir_len ? dir_len : 1), path) < 0)
		return -ENOMEM;
	return check_owner_mode(where, &checked, "directory", errbuf, errsize);
}

/* Open what the symbolic link display leads to, with open_flags, once
 * every directory on the way from / to it passed check_path_dir():
 * whoever can change one of them can swap in another root-owned file
 * at the next reload. The walk follows no link, so a link put on the
 * resolved path after realpath() fails it. */
static int open_link_target(const char *display, int open_flags, char *errbuf, size_t errsize)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_close_ int dfd = -1;
	char *component;
	int fd, r;

	target = realpath(display, NULL);
	if (!target)
		return errno_error(errno, display, errbuf, errsize);
	dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno_error(errno, "/", errbuf, errsize);
	/* realpath() gives "/a/b/file"; dfd is the directory that holds
	 * component, target up to the slash before it. */
	component = target + 1;
	for (;;) {
		char *slash = strchr(component, '/');
		struct stat st;

		if (fstat(dfd, &st) < 0)
			return errno_error(errno, display, errbuf, errsize);
		r = check_path_dir(display, target, (size_t)(component - target) - 1, &st, errbuf,
				   errsize);
		if (r < 0)
			return r;
		if (!slash)
			break;
		*slash = 0;
		fd = openat(dfd, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		if (fd < 0)
			return errno_error(errno, display, errbuf, errsize);
		close(dfd);
		dfd = fd;
		component = slash + 1;
	}
	fd = openat(dfd, component, open_flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno_error(errno, display, errbuf, errsize);
	return fd;
}

/* Open name in dirfd, shown as display, with open_flags; through a
 * symbolic link only as open_link_target() allows. */
static int open_policy_path(int dirfd, const char *name, const char *display, int open_flags,
			    char *errbuf, size_t errsize)
{
	struct stat st;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return open_link_target(display, open_flags, errbuf, errsize);
	/* A link swapped in since is refused, not followed. */
	fd = openat(dirfd, name, open_flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno_error(errno, display, errbuf, errsize);
	return fd;
}

static int read_file(int fd, const char *display, char **ret, size_t *ret_len, char *errbuf,
		     size_t errsize)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = SB_POLICY_MAX_FILE_SIZE + 1;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	/* Read one byte beyond the limit to notice a file that grew. */
	while (len < size) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno_error(errno, display, errbuf, errsize);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SB_POLICY_MAX_FILE_SIZE) {
		sb_policy_error(errbuf, errsize, "%s: file is too large (more than %d bytes)",
				display, SB_POLICY_MAX_FILE_SIZE);
		return -EFBIG;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

static int load_file(struct sb_policy *p, int dirfd, const char *name, const char *display,
		     char *errbuf, size_t errsize)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	/* O_NONBLOCK: a FIFO put in place of the file must not hang us
	 * before fstat() tells what it is. */
	fd = open_policy_path(dirfd, name, display, O_RDONLY | O_NOCTTY | O_NONBLOCK, errbuf,
			      errsize);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return errno_error(errno, display, errbuf, errsize);
	if (!S_ISREG(st.st_mode)) {
		sb_policy_error(errbuf, errsize, "%s: not a regular file", display);
		return -EINVAL;
	}
	r = check_owner_mode(display, &st, "file", errbuf, errsize);
	if (r < 0)
		return r;
	if (st.st_size > SB_POLICY_MAX_FILE_SIZE) {
		sb_policy_error(errbuf, errsize, "%s: file is too large (more than %d bytes)",
				display, SB_POLICY_MAX_FILE_SIZE);
		return -EFBIG;
	}
	r = read_file(fd, display, &text, &len, errbuf, errsize);
	if (r < 0)
		return r;
	r = sb_policy_add_file(p, display);
	if (r < 0)
		return r;
	return sb_policy_parse_buffer(p, text, len, display, errbuf, errsize);
}

static int name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dropin_name(const char *name)
{
	size_t len = strlen(name), suffix = strlen(DROPIN_SUFFIX);

	if (name[0] == '.')
		return false;
	return len > suffix && strcmp(name + len - suffix, DROPIN_SUFFIX) == 0;
}

/* The regular *.conf files of the directory, sorted by strcmp(). */
static int list_dropins(int dfd, const char *display, char ***ret, size_t *ret_n, char *errbuf,
			size_t errsize)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int fd, r = 0;

	fd = dup(dfd);
	if (fd < 0)
		return errno_error(errno, display, errbuf, errsize);
	d = fdopendir(fd);
	if (!d) {
		r = errno;
		close(fd);
		return errno_error(r, display, errbuf, errsize);
	}
	for (;;) {
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno != 0)
				r = errno_error(errno, display, errbuf, errsize);
			break;
		}
		if (!is_dropin_name(de->d_name))
			continue;
		/* Follows symlinks: a link to a regular file is read, the
		 * file's own owner and mode and the directories on the way
		 * to it are checked at open. */
		if (fstatat(dfd, de->d_name, &st, 0) < 0) {
			if (errno == ENOENT)
				continue;
			r = errno_error(errno, display, errbuf, errsize);
			break;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (n >= MAX_DROPINS) {
			sb_policy_error(errbuf, errsize, "%s: too many files (at most %d)", display,
					MAX_DROPINS);
			r = -E2BIG;
			break;
		}
		r = sb_policy_strv_add(&names, &n, de->d_name);
		if (r < 0)
			break;
	}
	if (r < 0) {
		sb_policy_strv_free(names, n);
		return r;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), name_compare);
	*ret = names;
	*ret_n = n;
	return 0;
}

static int load_dropins(struct sb_policy *p, const char *dir, char *errbuf, size_t errsize)
{
	_cleanup_free_ char *dropin_dir = NULL;
	_cleanup_close_ int dfd = -1;
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	int r;

	if (asprintf(&dropin_dir, "%s/%s", dir, DROPIN_DIR) < 0)
		return -ENOMEM;
	dfd = open_policy_path(AT_FDCWD, dropin_dir, dropin_dir, O_RDONLY | O_DIRECTORY, errbuf,
			       errsize);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	if (fstat(dfd, &st) < 0)
		return errno_error(errno, dropin_dir, errbuf, errsize);
	r = check_owner_mode(dropin_dir, &st, "directory", errbuf, errsize);
	if (r < 0)
		return r;
	r = list_dropins(dfd, dropin_dir, &names, &n, errbuf, errsize);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		_cleanup_free_ char *display = NULL;

		if (asprintf(&display, "%s/%s", dropin_dir, names[i]) < 0)
			r = -ENOMEM;
		else
			r = load_file(p, dfd, names[i], display, errbuf, errsize);
	}
	sb_policy_strv_free(names, n);
	return r;
}

int sb_policy_load(const char *path, struct sb_policy **ret, char *errbuf, size_t errsize)
{
	_cleanup_(policy_freep) struct sb_policy *p = NULL;
	_cleanup_free_ char *path_copy = NULL;
	const char *dir;
	struct stat st;
	int r;

	if (!path || !*path || !ret)
		return sb_policy_error(errbuf, errsize, "invalid arguments");
	p = sb_policy_new();
	path_copy = strdup(path);
	if (!p || !path_copy)
		goto oom;
	dir = dirname(path_copy);

	r = load_file(p, AT_FDCWD, path, path, errbuf, errsize);
	if (r == -ENOMEM)
		goto oom;
	if (r < 0)
		return r;
	/* Whoever can write the directory can replace the file or add a
	 * policy.d to it. */
	if (stat(dir, &st) < 0)
		return errno_error(errno, dir, errbuf, errsize);
	r = check_owner_mode(dir, &st, "directory", errbuf, errsize);
	if (r < 0)
		return r;
	r = load_dropins(p, dir, errbuf, errsize);
	if (r >= 0)
		r = sb_policy_build_index(p);
	if (r >= 0)
		r = sb_policy_resolve_members(p, errbuf, errsize);
	if (r == -ENOMEM)
		goto oom;
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
oom:
	sb_policy_error(errbuf, errsize, "%s: out of memory", path);
	return -ENOMEM;
}
