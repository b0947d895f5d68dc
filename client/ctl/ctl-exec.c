/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl exec: run a command with the interposer preloaded, so that
 * its socket(), bind() and setsockopt() calls the kernel refuses for lack
 * of privilege are asked of the broker (sockbroker-preload(8)). */
#include <elf.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "client/ctl/ctl-commands.h"
#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-execute.h"

static const char exec_help[] =
	"Usage: sockbrokerctl exec [--] CMD [ARG...]\n"
	"Execute CMD with libsockbroker-preload.so in LD_PRELOAD (after what is\n"
	"already preloaded): socket(), bind() and setsockopt() go to the kernel\n"
	"first, and what it refuses for lack of privilege is asked of the broker.\n"
	"CMD replaces sockbrokerctl (same pid); its children inherit the\n"
	"interposer. Exit status: CMD's, or 127 (not found) / 126 (not\n"
	"executable). See sockbroker-preload(8).\n";

/* The interposer: $SOCKBROKER_PRELOAD (a build tree's copy), else the
 * installed one. */
static const char *preload_path(void)
{
	const char *env = secure_getenv("SOCKBROKER_PRELOAD");

	return env && *env ? env : SB_PRELOAD_PATH;
}

/* A dynamically linked ELF file names its loader (PT_INTERP); a static
 * one has none, and nothing is preloaded into it. Scripts and files
 * that cannot be read are taken as interposable. */
static bool statically_linked(const char *file)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return false;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return false;
		if (ph.p_type == PT_INTERP)
			return false;
	}
	return true;
}

/* Say so when the loader will not preload anything into cmd. */
static void warn_uninterposable(const char *cmd)
{
	_cleanup_free_ char *file = ctl_find_command(cmd, X_OK);
	struct stat st;

	if (!file || stat(file, &st) < 0)
		return;
	if (st.st_mode & (S_ISUID | S_ISGID))
		ctl_error("exec: warning: %s is set-user-ID or set-group-ID: the dynamic loader "
			  "ignores LD_PRELOAD for it, and it runs without the broker",
			  file);
	else if (getxattr(file, "security.capability", NULL, 0) >= 0)
		ctl_error("exec: warning: %s has file capabilities: the dynamic loader ignores "
			  "LD_PRELOAD for it, and it runs without the broker",
			  file);
	else if (statically_linked(file))
		ctl_error("exec: warning: %s is statically linked: nothing can be preloaded "
			  "into it, and it runs without the broker (use 'sockbrokerctl run', "
			  "libsockbroker or the Python package instead)",
			  file);
}

/* Does the LD_PRELOAD list (entries separated by ':' or blanks, as the
 * dynamic loader reads it) hold lib? */
static bool preloads(const char *list, const char *lib)
{
	size_t n = strlen(lib);

	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ": \t");

		if (k == n && strncmp(p, lib, n) == 0)
			return true;
		p += k;
		p += strspn(p, ": \t");
	}
	return false;
}

/* LD_PRELOAD with the interposer after what is there already. */
static int add_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	_cleanup_free_ char *value = NULL;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (preloads(old, lib))
		return 0;
	if (asprintf(&value, "%s:%s", old, lib) < 0)
		return -1;
	return setenv("LD_PRELOAD", value, 1);
}

int ctl_exec(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *lib = preload_path();
	char **cmd;
	int c;

	optind = 0;
	opterr = 0;
	/* "+": options after CMD are CMD's. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) >= 0) {
		if (c != 'h')
			return ctl_usage_error("exec: unknown option %s", argv[optind - 1]);
		fputs(exec_help, stdout);
		return CTL_EXIT_OK;
	}
	if (optind >= argc)
		return ctl_usage_error("exec: no command given");
	cmd = argv + optind;
	if (access(lib, R_OK) < 0) {
		ctl_error("exec: cannot use the interposer %s: %m", lib);
		return CTL_EXIT_FAILED;
	}
	if (add_preload(lib) < 0 || setenv("SOCKBROKER_SOCKET", ctl->socket_path, 1) < 0) {
		ctl_error("exec: cannot set the environment: %m");
		return CTL_EXIT_FAILED;
	}
	warn_uninterposable(cmd[0]);
	return ctl_execute("exec", cmd);
}
