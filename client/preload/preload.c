/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsockbroker-preload.so: the broker for programs that know nothing of
 * it (sockbroker-preload(8)). socket(), bind() and setsockopt() go to the
 * kernel first; only a refusal for lack of privilege (EPERM, EACCES) or by
 * a sandbox's family filter (EAFNOSUPPORT) is asked of the broker, and a
 * broker that says no, or is not there, leaves the kernel's errno. A call
 * the kernel allows costs an indirect call and nothing else.
 *
 * The broker calls go through libsockbroker's process-wide connection,
 * linked in here and hidden: one call at a time, a new connection in a
 * forked child, and a check before each use that the descriptor is still
 * the connection it was (a program may have closed it or put another
 * file in its place). */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "client/lib/sockbroker.h"

/* The interposed functions, and only they, leave this library
 * (preload.sym); they are what the program calls. */
#define _interposed_ __attribute__((visibility("default")))

static int (*next_socket)(int, int, int);
static int (*next_bind)(int, const struct sockaddr *, socklen_t);
static int (*next_setsockopt)(int, int, int, const void *, socklen_t);

/* Set while this thread is in a broker call. The library's own socket()
 * and bind() (its connection) then go straight to the kernel, and so does
 * a socket() of a signal handler that interrupted the call: it gets the
 * kernel's answer instead of waiting for the lock its own thread holds. */
static __thread bool in_broker __attribute__((tls_model("initial-exec")));

__attribute__((constructor)) static void resolve(void)
{
	next_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	next_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	next_setsockopt =
		(int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
}

/* A refusal the broker may lift. */
static bool refused(int errnum, bool family_filter)
{
	return errnum == EPERM || errnum == EACCES || (family_filter && errnum == EAFNOSUPPORT);
}

_interposed_ int socket(int domain, int type, int protocol)
{
	int fd, kernel_errno;

	if (!next_socket)
		resolve();
	fd = next_socket(domain, type, protocol);
	if (fd >= 0 || in_broker || !refused(errno, true))
		return fd;
	kernel_errno = errno;
	in_broker = true;
	fd = sockbroker_socket(domain, type, protocol);
	in_broker = false;
	if (fd < 0)
		errno = kernel_errno;
	return fd;
}

_interposed_ int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int r, kernel_errno;

	if (!next_bind)
		resolve();
	r = next_bind(fd, addr, len);
	if (r == 0 || in_broker || !refused(errno, false))
		return r;
	kernel_errno = errno;
	in_broker = true;
	r = sockbroker_bind(fd, addr, len);
	in_broker = false;
	if (r < 0)
		errno = kernel_errno;
	return r;
}

_interposed_ int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	int r, kernel_errno;

	if (!next_setsockopt)
		resolve();
	r = next_setsockopt(fd, level, name, value, len);
	if (r == 0 || in_broker || !refused(errno, false))
		return r;
	kernel_errno = errno;
	in_broker = true;
	r = sockbroker_setsockopt(fd, level, name, value, len);
	in_broker = false;
	if (r < 0)
		errno = kernel_errno;
	return r;
}
