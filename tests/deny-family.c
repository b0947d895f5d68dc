/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deny-family FAMILY ERRNO CMD [ARG...]: execute CMD under a seccomp
 * filter that fails socket(FAMILY, ...) with ERRNO, as a sandbox does
 * (systemd's RestrictAddressFamilies= answers EAFNOSUPPORT). The filter
 * is inherited by CMD and its children; no privilege is needed. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned family, errnum;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), /* family, set below */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO), /* errno, set below */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (argc < 4) {
		fprintf(stderr, "usage: deny-family FAMILY ERRNO CMD [ARG...]\n");
		return 2;
	}
	family = (unsigned)strtoul(argv[1], NULL, 0);
	errnum = (unsigned)strtoul(argv[2], NULL, 0);
	f[3].k = family;
	f[4].k = SECCOMP_RET_ERRNO | (errnum & SECCOMP_RET_DATA);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("deny-family: seccomp");
		return 125;
	}
	execvp(argv[3], argv + 3);
	perror("deny-family: exec");
	return errno == ENOENT ? 127 : 126;
}
