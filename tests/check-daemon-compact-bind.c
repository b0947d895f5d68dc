/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Bind call (proto/codec.h) through the
 * daemon: a compact call is answered byte for byte as the same call in
 * general JSON, and leaves the socket with the same address: granted,
 * denied, failed, and on sockets the address does not fit (which the
 * daemon then reads as the general address object). The codec, which
 * the daemon reads every call with, says which spelling it read.
 * Clients are nobody. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto/addr.h"
#include "proto/compact-bind.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/harness.h"

/* A privileged port no other test program binds: make check runs them in
 * parallel, and the wildcard cases would meet their binds. */
#define PORT 83
#define PORT_TEXT "83"

static const char policy_text[] =
	"allow user:nobody bind family=AF_INET,AF_INET6 port=" PORT_TEXT "\n"
	"allow user:nobody admin\n";

static struct sb_test_daemon daemon_;

struct bind_case {
	int family, type; /* of the socket sent; 0: a pipe instead */
	bool bound_before;
	const char *host;
	unsigned port;
	unsigned flowinfo; /* IPv6 */
	bool granted;	   /* expected of both spellings */
	/* The address, as the codec read it, fits the socket and is taken
	 * as it is; else the daemon reads the object made of it for the
	 * socket's family (daemon/method-bind.c). */
	bool fits;
};

/* The socket (or pipe end) a case sends, with SO_REUSEADDR so that both
 * paths can bind the same address in turn. */
static int case_fd(const struct bind_case *bc)
{
	int fds[2], one = 1, fd;

	if (bc->family == 0) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return -1;
		close(fds[1]);
		return fds[0];
	}
	fd = socket(bc->family, bc->type | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bc->family != AF_UNIX)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd >= 0 && bc->bound_before) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
		bool inet6 = bc->family == AF_INET6;

		if (bind(fd, inet6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin,
			 inet6 ? sizeof(sin6) : sizeof(sin)) < 0)
			return safe_close(fd), -1;
	}
	return fd;
}

/* fd's address in the text form of proto/addr.h, "-" for none. */
static void local_text(int fd, char *text, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    sb_addr_to_text((struct sockaddr *)&ss, len, 0, text, size, NULL) < 0)
		snprintf(text, size, "-");
}

/* The reply to text sent with a fresh fd for bc, and the address that fd
 * has after it. NULL when the exchange failed. */
static char *reply_to(const struct bind_case *bc, const char *text, char *local, size_t size)
{
	char *reply = NULL;
	int conn = sb_test_connect(daemon_.socket), fd = case_fd(bc);

	if (conn < 0 || fd < 0 || sb_test_call_raw(conn, text, &fd, 1, &reply, NULL) < 0)
		reply = NULL;
	/* A socket bound before has an ephemeral port of its own. */
	if (bc->bound_before)
		snprintf(local, size, "bound before");
	else
		local_text(fd, local, size);
	safe_close(fd);
	safe_close(conn);
	return reply;
}

/* The compact call for bc's address, and the same call with one space
 * after the method name, which only the general reader reads. */
static int compare_paths(const struct bind_case *bc)
{
	char compact_text[SB_COMPACT_BIND_MAX], spaced[SB_COMPACT_BIND_MAX + 1];
	char local_a[128], local_b[128];
	struct sockaddr_storage ss = {0};
	socklen_t sslen;
	int read_a, read_b;
	char *a, *b;
	int n, r = 0;

	if (strchr(bc->host, ':')) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)bc->port);
		sin6->sin6_flowinfo = htonl(bc->flowinfo);
		inet_pton(AF_INET6, bc->host, &sin6->sin6_addr);
		sslen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)bc->port);
		inet_pton(AF_INET, bc->host, &sin->sin_addr);
		sslen = sizeof(*sin);
	}
	n = sb_compact_bind_call_format(compact_text, sizeof(compact_text), (struct sockaddr *)&ss,
					sslen);
	if (n < 0 || !sb_compact_bind_call_parse(compact_text, (size_t)n, &ss, &sslen) ||
	    sb_test_call_spaced(spaced, sizeof(spaced), compact_text) < 0)
		return 10;
	read_a = sb_test_call_compact(compact_text);
	read_b = sb_test_call_compact(spaced);
	a = reply_to(bc, compact_text, local_a, sizeof(local_a));
	b = reply_to(bc, spaced, local_b, sizeof(local_b));
	if (!a || !b || read_a < 0 || read_b < 0) {
		r = 11;
	} else if (read_a != 1 || read_b != 0 ||
		   bc->fits !=
			   (bc->family == 0 || sb_addr_bind_family(bc->family) == ss.ss_family)) {
		fprintf(stderr, "%s\n  read compact: %d, spaced: %d, fits: %d\n", compact_text,
			read_a, read_b, bc->fits);
		r = 14;
	} else if (strcmp(a, b) != 0 || strcmp(local_a, local_b) != 0) {
		fprintf(stderr, "%s\n  compact: %s (bound to %s)\n  general: %s (bound to %s)\n",
			compact_text, a, local_a, b, local_b);
		r = 12;
	} else if ((strncmp(a, "{\"parameters\":", 14) == 0) != bc->granted) {
		fprintf(stderr, "%s\n  both:    %s\n", compact_text, a);
		r = 13;
	}
	free(a);
	free(b);
	return r;
}

static int child_compare(void *arg)
{
	const bool ipv6 = *(const bool *)arg;
	static const struct bind_case cases[] = {
		{AF_INET, SOCK_STREAM, false, "127.0.0.1", PORT, 0, true, true},
		{AF_INET, SOCK_DGRAM, false, "0.0.0.0", PORT, 0, true, true},
		{AF_INET6, SOCK_DGRAM, false, "::1", PORT, 0, true, true},
		{AF_INET6, SOCK_STREAM, false, "::", PORT, 0x12345, true, true},
		{AF_INET6, SOCK_DGRAM, false, "::ffff:127.0.0.1", PORT, 0, true, true},
		/* Not in the policy. */
		{AF_INET, SOCK_STREAM, false, "127.0.0.1", 81, 0, false, true},
		{AF_INET6, SOCK_STREAM, false, "::", 1023, 0, false, true},
		/* Allowed, and the kernel refuses. */
		{AF_INET, SOCK_DGRAM, false, "192.0.2.1", PORT, 0, false, true},
		{AF_INET, SOCK_DGRAM, true, "127.0.0.1", PORT, 0, false, true},
		{AF_INET6, SOCK_DGRAM, true, "::1", PORT, 0, false, true},
		{AF_INET6, SOCK_DGRAM, false, "2001:db8::1", PORT, 0, false, true},
		/* The address does not fit the socket: read as the object. */
		{AF_INET6, SOCK_DGRAM, false, "127.0.0.1", PORT, 0, false, false},
		{AF_INET, SOCK_DGRAM, false, "::1", PORT, 0, false, false},
		{AF_UNIX, SOCK_STREAM, false, "127.0.0.1", PORT, 0, false, false},
		/* Not a socket: refused on either path. */
		{0, 0, false, "127.0.0.1", PORT, 0, false, true},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r;

		if (!ipv6 && (cases[i].family == AF_INET6 || strchr(cases[i].host, ':')))
			continue;
		r = compare_paths(&cases[i]);
		if (r != 0) {
			fprintf(stderr, "case %zu: failure %d\n", i, r);
			return 1;
		}
	}
	return 0;
}

START_TEST(compact_binds_are_answered_as_general_ones)
{
	_cleanup_close_ int probe = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 lo = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bool ipv6 = probe >= 0 && bind(probe, (struct sockaddr *)&lo, sizeof(lo)) == 0;

	SB_NEED_ROOT();
	if (!ipv6)
		fprintf(stderr, "no IPv6 loopback here: IPv6 cases left out\n");
	sb_test_daemon_start(&daemon_, policy_text, NULL);
	ck_assert_int_eq(sb_test_run_as_nobody(child_compare, &ipv6), 0);
	sb_test_daemon_stop(&daemon_);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-compact-bind");

	sb_test_hermetic();

	SB_TEST(s, compact_binds_are_answered_as_general_ones);
	return sb_test_run(s);
}
