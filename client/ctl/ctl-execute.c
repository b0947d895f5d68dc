/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-execute.h"

char *ctl_find_command(const char *cmd, int amode)
{
	const char *path = getenv("PATH"), *p;
	char buf[PATH_MAX];

	if (strchr(cmd, '/'))
		return access(cmd, amode) == 0 ? strdup(cmd) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);

		if (snprintf(buf, sizeof(buf), "%.*s%s%s", n, p, n ? "/" : "", cmd) <
			    (int)sizeof(buf) &&
		    access(buf, amode) == 0)
			return strdup(buf);
		if (!*end)
			return NULL;
		p = end;
	}
}

int ctl_execute(const char *what, char **cmd)
{
	_cleanup_free_ char *found = NULL;
	int r;

	fflush(stdout);
	execvp(cmd[0], cmd);
	r = errno;
	/* execvp() reports EACCES when some directory of $PATH could not be
	 * searched, though the command is in none of the others: that is
	 * "not found", as the shell says. */
	if (r == EACCES && !strchr(cmd[0], '/')) {
		found = ctl_find_command(cmd[0], F_OK);
		if (!found)
			r = ENOENT;
	}
	ctl_error("%s: cannot execute %s: %s", what, cmd[0], strerror(r));
	return r == ENOENT ? 127 : 126;
}
