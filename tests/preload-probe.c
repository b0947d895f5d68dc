/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A program that knows nothing of the broker, for check-preload: it makes
 * plain socket(), bind() and setsockopt() calls the way real programs do
 * (from threads, around fork(), after closing every descriptor, after
 * dup2() over descriptors it does not know, under a seccomp filter) and
 * says on stdout what the kernel, or the interposer, gave it. Exit 0
 * when everything it checks held. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXPECT(cond)                                                                       \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "preload-probe: %s:%d: %s (errno %s)\n", __FILE__, \
				__LINE__, #cond, strerrorname_np(errno));                  \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

/* What the test's policy grants: a raw ICMP socket. */
static int raw_icmp(int flags)
{
	return socket(AF_INET, SOCK_RAW | flags, IPPROTO_ICMP);
}

static int probe_flags(void)
{
	int fd = raw_icmp(SOCK_NONBLOCK | SOCK_CLOEXEC), plain;

	EXPECT(fd >= 0);
	EXPECT(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	plain = raw_icmp(0);
	EXPECT(plain >= 0);
	EXPECT(!(fcntl(plain, F_GETFL) & O_NONBLOCK));
	EXPECT(!(fcntl(plain, F_GETFD) & FD_CLOEXEC));
	printf("flags: ok\n");
	return 0;
}

static void *thread_sockets(void *arg)
{
	for (int i = 0; i < 20; i++) {
		int fd = raw_icmp(SOCK_CLOEXEC);

		if (fd < 0)
			return (void *)(long)errno;
		close(fd);
	}
	return NULL;
}

static int probe_threads(void)
{
	pthread_t t[16];

	for (int i = 0; i < 16; i++)
		EXPECT(pthread_create(&t[i], NULL, thread_sockets, NULL) == 0);
	for (int i = 0; i < 16; i++) {
		void *err;

		EXPECT(pthread_join(t[i], &err) == 0);
		errno = (int)(long)err;
		EXPECT(err == NULL);
	}
	printf("threads: 320 sockets\n");
	return 0;
}

static int probe_fork(void)
{
	int status;
	pid_t pid;

	EXPECT(raw_icmp(0) >= 0);
	pid = fork();
	EXPECT(pid >= 0);
	if (pid == 0) {
		EXPECT(raw_icmp(0) >= 0);
		EXPECT(raw_icmp(0) >= 0);
		_exit(0);
	}
	EXPECT(raw_icmp(0) >= 0);
	EXPECT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT(raw_icmp(0) >= 0);
	printf("fork: parent and child served\n");
	return 0;
}

/* A daemon-style start-up: every descriptor beyond stderr closed. */
static int probe_close_all(void)
{
	EXPECT(raw_icmp(0) >= 0);
	EXPECT(syscall(SYS_close_range, 3, ~0u, 0) == 0);
	EXPECT(raw_icmp(0) >= 0);
	printf("close-all: served again\n");
	return 0;
}

/* dup2() of a pipe over every AF_UNIX stream socket this process did not
 * make (the interposer's connection among them): the interposer must see
 * its connection is gone, and must write nothing into the pipe. */
static int probe_dup2(void)
{
	int p[2], replaced = 0;
	char buf[64];

	EXPECT(raw_icmp(0) >= 0);
	EXPECT(pipe2(p, O_CLOEXEC) == 0);
	for (int fd = 3; fd < 256; fd++) {
		int domain = 0, type = 0;
		socklen_t len = sizeof(int);

		if (fd == p[0] || fd == p[1] ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
			continue;
		EXPECT(dup2(p[1], fd) == fd);
		replaced++;
	}
	EXPECT(replaced == 1);
	EXPECT(raw_icmp(0) >= 0);
	EXPECT(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	EXPECT(read(p[0], buf, sizeof(buf)) < 0 && errno == EAGAIN);
	printf("dup2: served again, nothing written into the pipe\n");
	return 0;
}

/* The kernel's errno for what the broker refuses, or for everything
 * without a broker. */
static int probe_denied(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(81),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd, mark = 7;

	errno = 0;
	EXPECT(socket(AF_INET, SOCK_RAW, IPPROTO_TCP) < 0 && errno == EPERM);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT(fd >= 0);
	EXPECT(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EACCES);
	EXPECT(setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0 && errno == EPERM);
	printf("denied: EPERM, EACCES, EPERM\n");
	return 0;
}

/* A sandbox that refuses AF_PACKET sockets with errnum, as systemd's
 * RestrictAddressFamilies= does with EAFNOSUPPORT. */
static int probe_seccomp(int errnum)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_PACKET, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)errnum),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	int fd;

	EXPECT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	EXPECT(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0);
	EXPECT(syscall(SYS_socket, AF_PACKET, SOCK_RAW, htons(3)) < 0 && errno == errnum);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(3));
	EXPECT(fd >= 0);
	printf("seccomp %s: brokered\n", strerrorname_np(errnum));
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(what, "flags") == 0)
		return probe_flags();
	if (strcmp(what, "threads") == 0)
		return probe_threads();
	if (strcmp(what, "fork") == 0)
		return probe_fork();
	if (strcmp(what, "close-all") == 0)
		return probe_close_all();
	if (strcmp(what, "dup2") == 0)
		return probe_dup2();
	if (strcmp(what, "denied") == 0)
		return probe_denied();
	if (strcmp(what, "seccomp-eperm") == 0)
		return probe_seccomp(EPERM);
	if (strcmp(what, "seccomp-eafnosupport") == 0)
		return probe_seccomp(EAFNOSUPPORT);
	fprintf(stderr, "usage: preload-probe flags|threads|fork|close-all|dup2|denied|"
			"seccomp-eperm|seccomp-eafnosupport\n");
	return 2;
}
