/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/peer-unit.h"
#include "proto/util.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* Unit name characters (systemd's VALID_CHARS), n bytes of s. */
static bool unit_chars(const char *s, size_t n)
{
	static const char valid[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-@";

	if (n == 0 || n > SB_UNIT_NAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(valid, s[i]))
			return false;
	return true;
}

static bool runs_processes(const char *s, size_t n)
{
	static const char *const suffixes[] = {".service", ".scope", ".socket", ".mount", ".swap"};

	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
		if (has_suffix(s, n, suffixes[i]))
			return true;
	return false;
}

bool sb_unit_name_valid(const char *name)
{
	size_t n = strlen(name);

	return unit_chars(name, n) && runs_processes(name, n);
}

int sb_unit_from_cgroup(const char *path, char *unit, size_t size)
{
	const char *p = path;

	if (*p != '/')
		return -EINVAL;
	while (*p) {
		const char *c;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		n = strcspn(p, "/");
		p += n;
		/* Above the root of our cgroup namespace: whose is unknown. */
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return -EINVAL;
		/* systemd escapes a name that could be a cgroup file with '_'. */
		if (c[0] == '_') {
			c++;
			n--;
		}
		if (unit_chars(c, n) && has_suffix(c, n, ".slice"))
			continue;
		if (!unit_chars(c, n) || !runs_processes(c, n) || n >= size)
			return 0;
		memcpy(unit, c, n);
		unit[n] = 0;
		return 1;
	}
	return 0;
}

/* The pid of pidfd in our pid namespace (its fdinfo's Pid:), or -errno:
 * -ESRCH once the process is gone (the kernel then says -1). */
static int pidfd_pid(int pidfd)
{
	char path[64], buf[512];
	_cleanup_close_ int fd = -1;
	const char *line;
	ssize_t n;
	long pid;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	line = strstr(buf, "\nPid:\t");
	if (!line)
		return -ENOTSUP;
	pid = strtol(line + 6, NULL, 10);
	return pid > 0 ? (int)pid : -ESRCH;
}

/* The unified hierarchy's line ("0::PATH") of /proc/PID/cgroup, into
 * path (size bytes). */
static int read_cgroup(int pid, char *path, size_t size)
{
	char file[64], buf[4096];
	_cleanup_close_ int fd = -1;
	const char *line;
	size_t len = 0;
	ssize_t n = 0;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		return -errno;
	buf[len] = 0;
	line = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!line)
		return -ENOENT;
	line += line == buf ? 3 : 4;
	n = (ssize_t)strcspn(line, "\n");
	if (!line[n] || (size_t)n >= size)
		return -ENAMETOOLONG;
	memcpy(path, line, (size_t)n);
	path[n] = 0;
	return 0;
}

/* A pidfd for the peer: the kernel's own (SO_PEERPIDFD, Linux 6.5) names
 * the process that connected; before that, one opened by the pid, which
 * may already be another process's: the check after reading only proves
 * the pid did not change hands during the read. */
static int peer_pidfd(int conn, pid_t pid)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0)
		return pidfd;
	if (errno != ENOPROTOOPT)
		return -errno;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return pidfd < 0 ? -errno : pidfd;
}

int sb_peer_unit(int conn, const struct ucred *cred, char *unit, size_t size)
{
	char path[4096];
	_cleanup_close_ int pidfd = -1;
	int pid, r;

	pidfd = peer_pidfd(conn, cred->pid);
	if (pidfd < 0)
		return pidfd;
	pid = pidfd_pid(pidfd);
	if (pid < 0)
		return pid;
	r = read_cgroup(pid, path, sizeof(path));
	if (r < 0)
		return r;
	/* Still that process, not yet reaped: its pid was not reused while
	 * the file was read, so the file was its own. */
	if (pidfd_pid(pidfd) != pid)
		return -ESRCH;
	return sb_unit_from_cgroup(path, unit, size);
}
