/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/comm.h"
#include "daemon/fsid.h"
#include "proto/util.h"

/* Task names are chosen by clients: keep printable ASCII, escape the
 * rest, so a name can neither forge log lines nor break JSON replies. */
static void escape_name(const char *in, size_t n, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 <= size; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			out[o++] = (char)ch;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = 0;
}

bool sb_comm_read(pid_t pid, uid_t uid, gid_t gid, char out[SB_COMM_MAX])
{
	char path[32], raw[16];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = sb_fsid_become(uid, gid) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	n = fd >= 0 ? read(fd, raw, sizeof(raw)) : -1;
	/* The kernel ends the name with a newline of its own. */
	if (n > 0 && raw[n - 1] == '\n')
		n--;
	escape_name(raw, n > 0 ? (size_t)n : 0, out, SB_COMM_MAX);
	return n >= 0;
}
