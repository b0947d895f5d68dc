/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The socket is created with the daemon's full privileges. Whoever can
 * change a directory on its path can turn them on other files: have
 * bind() create the socket elsewhere, have another socket removed as a
 * stale one, or swap the socket for a link to a file whose mode the
 * daemon then sets. So every directory on the path must be root's or the
 * daemon's user's; others may write one only where the sticky bit keeps
 * them from renaming entries they do not own, and never the socket's own.
 * The mode is given to the socket before bind() creates the file: nothing
 * is changed by path afterwards. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/listen.h"
#include "proto/util.h"

static int listen_error(char *errbuf, size_t errsize, int err, const char *fmt, ...) _printf_(4, 5);

static int listen_error(char *errbuf, size_t errsize, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, errsize, fmt, ap);
	va_end(ap);
	return -err;
}

static const char *writers(mode_t mode)
{
	return mode & S_IWOTH ? "everyone" : "its group";
}

/* One directory of the resolved path; parent: the socket's own. */
static int check_directory(const char *dir, bool parent, char *errbuf, size_t errsize)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return listen_error(errbuf, errsize, errno, "%s: %s", dir, strerror(errno));
	/* Resolved a moment ago: a link here now was put by a writer of a
	 * directory above, which the walk from / refused already. */
	if (!S_ISDIR(st.st_mode))
		return listen_error(errbuf, errsize, ENOTDIR, "%s: not a directory", dir);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return listen_error(
			errbuf, errsize, EPERM,
			"refusing directory %s on the socket's path: its owner (uid %u) could "
			"replace the socket; it must be owned by root or the daemon's user",
			dir, (unsigned)st.st_uid);
	if (!(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if (parent)
		return listen_error(
			errbuf, errsize, EPERM,
			"refusing directory %s for the socket: it is writable by %s (mode "
			"%04o), who could put anything in the socket's place",
			dir, writers(st.st_mode), (unsigned)(st.st_mode & 07777));
	if (!(st.st_mode & S_ISVTX))
		return listen_error(
			errbuf, errsize, EPERM,
			"refusing directory %s on the socket's path: it is writable by %s "
			"without the sticky bit (mode %04o), who could rename what leads to "
			"the socket",
			dir, writers(st.st_mode), (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Every directory of dir (absolute, resolved), from / down: each is
 * checked before anything below it is trusted. holds_socket: dir is the
 * socket's own. */
static int check_path(const char *dir, bool holds_socket, char *errbuf, size_t errsize)
{
	_cleanup_free_ char *prefix = strdup(dir);
	int r;

	if (!prefix)
		return listen_error(errbuf, errsize, ENOMEM, "out of memory");
	r = check_directory("/", holds_socket && dir[1] == 0, errbuf, errsize);
	if (r < 0 || dir[1] == 0)
		return r;
	for (char *p = prefix + 1;; p++) {
		char c = *p;

		if (c != '/' && c != 0)
			continue;
		*p = 0;
		r = check_directory(prefix, holds_socket && c == 0, errbuf, errsize);
		*p = c;
		if (r < 0 || c == 0)
			return r;
	}
}

static bool is_name(const char *name)
{
	return *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Cut path in place at its last slash: returns the last component and
 * sets *dir to what is above it ("." for none, "/" for the root). */
static const char *split_path(char *path, const char **dir)
{
	char *slash = strrchr(path, '/');

	*dir = ".";
	if (!slash)
		return path;
	*dir = slash == path ? "/" : path;
	*slash = 0;
	return slash + 1;
}

/* The socket's directory, resolved, into *ret. A missing one is made
 * (mode 0755) in the directory above, once that is checked. The result
 * is resolved again: a link put in its place is refused by the check. */
static int resolve_dir(const char *given, char **ret, char *errbuf, size_t errsize)
{
	_cleanup_free_ char *copy = NULL, *above = NULL;
	_cleanup_close_ int afd = -1;
	const char *leaf, *given_above;
	int r;

	*ret = realpath(given, NULL);
	if (*ret)
		return 0;
	if (errno != ENOENT)
		return listen_error(errbuf, errsize, errno, "%s: %s", given, strerror(errno));
	copy = strdup(given);
	if (!copy)
		return listen_error(errbuf, errsize, ENOMEM, "out of memory");
	leaf = split_path(copy, &given_above);
	if (!is_name(leaf))
		return listen_error(errbuf, errsize, ENOENT, "%s: no such directory", given);
	above = realpath(given_above, NULL);
	if (!above)
		return listen_error(errbuf, errsize, errno, "%s: %s", given_above, strerror(errno));
	r = check_path(above, false, errbuf, errsize);
	if (r < 0)
		return r;
	afd = open(above, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (afd < 0)
		return listen_error(errbuf, errsize, errno, "%s: %s", above, strerror(errno));
	if (mkdirat(afd, leaf, 0755) < 0 && errno != EEXIST)
		return listen_error(errbuf, errsize, errno, "cannot create %s: %s", given,
				    strerror(errno));
	if (asprintf(ret, "%s/%s", strcmp(above, "/") ? above : "", leaf) < 0) {
		*ret = NULL;
		return listen_error(errbuf, errsize, ENOMEM, "out of memory");
	}
	return 0;
}

/* Does a server accept on the socket name in dfd? A live one is not
 * stale: taking its path over would leave it running, unreachable.
 * Connected through the directory already checked, without a wait: a
 * full backlog (EAGAIN) is a live server too. */
static bool socket_answers(int dfd, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, name);

	if (fd < 0 || n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return false;
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN ||
	       errno == EINPROGRESS;
}

/* A socket of a previous run is replaced; anything else stays. dfd is a
 * directory only root or the daemon's user can change, so what fstatat()
 * sees is what unlinkat() removes. */
static int remove_stale(int dfd, const char *dir, const char *name, char *errbuf, size_t errsize)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return listen_error(errbuf, errsize, errno, "%s/%s: %s", dir, name,
				    strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return listen_error(errbuf, errsize, EEXIST, "%s/%s exists and is not a socket",
				    dir, name);
	if (socket_answers(dfd, name))
		return listen_error(errbuf, errsize, EADDRINUSE,
				    "%s/%s: another daemon is listening on it; stop it first, or "
				    "listen elsewhere",
				    dir, name);
	if (unlinkat(dfd, name, 0) < 0)
		return listen_error(errbuf, errsize, errno,
				    "cannot remove the stale socket %s/%s: %s", dir, name,
				    strerror(errno));
	return 0;
}

/* With umask 0: the modes given are the modes the files get. path is a
 * writable copy of given, which the messages name. */
static int listen_at(const char *given, char *path, char *errbuf, size_t errsize)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dfd = -1, fd = -1;
	const char *given_dir, *name = split_path(path, &given_dir);
	int r;

	if (!is_name(name))
		return listen_error(errbuf, errsize, EINVAL, "%s: not a file name", given);
	/* Bound by the resolved path: a link on the given one could be
	 * changed after the check by whoever owns it. */
	r = resolve_dir(given_dir, &dir, errbuf, errsize);
	if (r < 0)
		return r;
	r = check_path(dir, true, errbuf, errsize);
	if (r < 0)
		return r;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return listen_error(errbuf, errsize, errno, "%s: %s", dir, strerror(errno));
	r = remove_stale(dfd, dir, name, errbuf, errsize);
	if (r < 0)
		return r;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", strcmp(dir, "/") ? dir : "",
		     name) >= (int)sizeof(sa.sun_path))
		return listen_error(errbuf, errsize, ENAMETOOLONG,
				    "%s/%s: longer than a socket address takes", dir, name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* bind() gives the file the socket's own mode, less the umask. */
	if (fd < 0 || fchmod(fd, 0666) < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, SOMAXCONN) < 0)
		return listen_error(errbuf, errsize, errno, "%s: %s", sa.sun_path, strerror(errno));
	return TAKE_FD(fd);
}

int sb_listen_on(const char *path, char *errbuf, size_t errsize)
{
	_cleanup_free_ char *copy = strdup(path);
	mode_t umask_before;
	int r;

	if (!copy)
		return listen_error(errbuf, errsize, ENOMEM, "out of memory");
	/* The daemon has no other thread yet to create files meanwhile. */
	umask_before = umask(0);
	r = listen_at(path, copy, errbuf, errsize);
	umask(umask_before);
	return r;
}
