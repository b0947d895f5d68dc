/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/sandbox.h"

/* Generous for a VM under software emulation on busy cores. */
#define RECEIVE_MS 5000

#if defined(__x86_64__)
#define SB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + sizeof(__u32))
#endif

bool sb_sandbox_available(void)
{
#ifdef SB_AUDIT_ARCH
	return true;
#else
	return false;
#endif
}

/* A system call of another ABI (x32, i386) kills the process: the filter
 * could not tell its socket() apart. The kernel reads only the low 32 bits
 * of the int domain, so the filter compares just those. */
int sb_sandbox(const int *families, size_t n)
{
#ifdef SB_AUDIT_ARCH
	struct sock_filter filter[8 + SB_SANDBOX_MAX_FAMILIES];
	struct sock_fprog prog = {.filter = filter};
	size_t k = 0;

	if (n == 0 || n > SB_SANDBOX_MAX_FAMILIES)
		return -EINVAL;
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						   offsetof(struct seccomp_data, arch));
	filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_AUDIT_ARCH, 1, 0);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						   offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 system calls share the arch value, with this bit set. */
	filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
	/* Not socket(): past the load and the n comparisons, to the allow. */
	filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0,
						   (unsigned char)(n + 1));
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LOW);
	/* Comparison i jumps over the n - 1 - i after it and the allow. */
	for (size_t i = 0; i < n; i++)
		filter[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							   (unsigned)families[i],
							   (unsigned char)(n - i), 0);
	filter[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	filter[k++] =
		(struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | SB_SANDBOX_ERRNO);
	prog.len = (unsigned short)k;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return -errno;
	return 0;
#else
	(void)families;
	(void)n;
	return -EOPNOTSUPP;
#endif
}

bool sb_test_in_vm(void)
{
	const char *vm = getenv("SB_VM");

	return vm && strcmp(vm, "1") == 0;
}

const char *sb_kernel_lacks(int family, int type, int protocol, const char *name, char *why,
			    size_t size)
{
	int fd = socket(family, type | SOCK_CLOEXEC, protocol);

	if (fd >= 0) {
		close(fd);
		return NULL;
	}
	if (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT)
		snprintf(why, size, "no %s in this kernel; run it in the VM", name);
	else
		snprintf(why, size, "cannot create an %s socket as root: %s", name,
			 strerror(errno));
	return why;
}

void sb_print_hex(const char *label, const void *data, size_t n)
{
	const unsigned char *p = data;

	fprintf(stderr, "  %s ", label);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", p[i]);
	fprintf(stderr, "\n");
}

bool sb_vm_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, RECEIVE_MS) == 1 && (p.revents & POLLIN);
}

/* Runs as nobody: the filter, the check that it holds, then the work. */
static int sandboxed(const struct sb_sandboxed_client *c)
{
	int r = sb_sandbox(c->families, c->n_families);

	if (r < 0) {
		fprintf(stderr, "cannot install the seccomp filter: %s\n", strerror(-r));
		return 2;
	}
	if (c->blocked && c->blocked() != 0)
		return 3;
	return c->fn();
}

void sb_run_sandboxed(struct sb_test_daemon *d, const char *policy_text,
		      const struct sb_sandboxed_client *c)
{
	char msg[2048], drain[512];
	size_t len = 0;
	int p[2], status;
	pid_t pid;

	sb_test_daemon_start_for_library(d, policy_text);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* dup2 clears close-on-exec on the copy: stderr stays open. */
		if (dup2(p[1], STDERR_FILENO) < 0)
			_exit(125);
		sb_test_become_nobody();
		_exit(sandboxed(c));
	}
	close(p[1]);
	for (;;) {
		/* Past the buffer, drain and drop: the client must not block. */
		bool full = len == sizeof(msg) - 1;
		ssize_t n = full ? read(p[0], drain, sizeof(drain))
				 : read(p[0], msg + len, sizeof(msg) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!full)
			len += (size_t)n;
	}
	msg[len] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	sb_test_daemon_stop(d);
	fputs(msg, stderr);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the client failed (wait status 0x%x): %.*s", status, (int)strcspn(msg, "\n"),
		      msg);
}
