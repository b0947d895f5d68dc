/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compact spelling of the Socket call (proto/codec.h) through the
 * daemon, and the filesystem identity it keeps between requests
 * (daemon/fsid.h): a compact call is answered byte for byte as the same
 * call in general JSON (the codec, which the daemon reads every call
 * with, says which spelling it read), and the daemon's own file access
 * never runs as the last client. Clients are nobody. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include "proto/compact-socket.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/harness.h"

static const char policy_text[] =
	"allow user:nobody socket family=AF_INET,AF_INET6 type=SOCK_RAW protocol=IPPROTO_ICMP,IPPROTO_ICMPV6\n"
	"allow user:nobody socket family=AF_INET type=SOCK_DGRAM\n"
	"allow user:nobody socket family=AF_NETLINK\n"
	"allow user:nobody socket family=AF_PACKET\n"
	"allow user:nobody admin\n";

static struct sb_test_daemon daemon_;

static void start(void)
{
	sb_test_daemon_start(&daemon_, policy_text, NULL);
}

static void stop(void)
{
	sb_test_daemon_stop(&daemon_);
}

/* The reply to text on a fresh connection. *got_fd says whether a socket
 * came with it, and its O_NONBLOCK and SO_TYPE; it is closed. NULL when
 * the exchange failed. */
static char *reply_to(const char *text, int *got_fd)
{
	socklen_t len = sizeof(int);
	int type = 0;

	char *reply = NULL;
	int conn = sb_test_connect(daemon_.socket), fd = -1;

	if (conn < 0 || sb_test_call_raw(conn, text, NULL, 0, &reply, &fd) < 0) {
		safe_close(conn);
		return NULL;
	}
	*got_fd = 0;
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0)
		*got_fd = 0x10000 | (fcntl(fd, F_GETFL) & O_NONBLOCK) | type;
	safe_close(fd);
	close(conn);
	return reply;
}

/* The compact call and the same call with one space after the method
 * name, which only the general reader reads; compact: whether the codec
 * reads the first in the compact spelling (else, out of its ranges, as
 * general JSON). */
static int compare_paths(const struct sb_compact_socket *s, bool compact)
{
	char compact_text[SB_COMPACT_SOCKET_MAX], spaced[SB_COMPACT_SOCKET_MAX + 1];
	int read_a, read_b;
	char *a, *b;
	int fd_a = 0, fd_b = 0;
	int r = 0;

	if (sb_compact_socket_call_format(compact_text, sizeof(compact_text), s) < 0 ||
	    sb_test_call_spaced(spaced, sizeof(spaced), compact_text) < 0)
		return 10;
	read_a = sb_test_call_compact(compact_text);
	read_b = sb_test_call_compact(spaced);
	a = reply_to(compact_text, &fd_a);
	b = reply_to(spaced, &fd_b);
	if (!a || !b || read_a < 0 || read_b < 0)
		r = 11;
	else if (read_a != compact || read_b != 0) {
		fprintf(stderr, "%s\n  read compact: %d, spaced: %d\n", compact_text, read_a,
			read_b);
		r = 13;
	} else if (strcmp(a, b) != 0 || fd_a != fd_b) {
		fprintf(stderr, "%s\n  compact: %s (fd %#x)\n  general: %s (fd %#x)\n",
			compact_text, a, fd_a, b, fd_b);
		r = 12;
	}
	free(a);
	free(b);
	return r;
}

static int child_compare(void *arg)
{
	/* Granted, denied, refused and out of range, with each flag form;
	 * out of range and negative values are read as general JSON. */
	static const struct {
		struct sb_compact_socket s;
		bool compact;
	} cases[] = {
		{{AF_INET, SOCK_RAW, 0, IPPROTO_ICMP}, true},
		{{AF_INET6, SOCK_RAW, SOCK_CLOEXEC, IPPROTO_ICMPV6}, true},
		{{AF_INET, SOCK_DGRAM, SOCK_NONBLOCK, 0}, true},
		{{AF_INET, SOCK_DGRAM, SOCK_NONBLOCK | SOCK_CLOEXEC, 0}, true},
		{{AF_NETLINK, SOCK_RAW, SOCK_CLOEXEC, 0}, true},
		{{AF_INET, SOCK_RAW, 0, IPPROTO_UDP}, true},
		{{AF_INET6, SOCK_STREAM, 0, 0}, true},
		{{AF_UNIX, SOCK_STREAM, 0, 0}, true},
		{{0, SOCK_DGRAM, 0, 0}, false},
		{{AF_MAX, SOCK_DGRAM, 0, 0}, false},
		{{1000, SOCK_DGRAM, 0, 0}, false},
		{{AF_INET, 0, 0, 0}, false},
		{{AF_INET, SOCK_PACKET + 1, 0, 0}, false},
		/* PF_INET with SOCK_PACKET would be an AF_PACKET socket. */
		{{AF_INET, SOCK_PACKET, 0, IPPROTO_ICMP}, false},
		{{AF_PACKET, SOCK_PACKET, 0, 0x300}, true},
		{{AF_INET, SOCK_DGRAM, 0, 0x7fffffff}, true},
		{{AF_PACKET, SOCK_DGRAM, 0, 0x10300}, false},
		{{AF_PACKET, SOCK_DGRAM, 0, 0xffff}, true},
		{{-2, SOCK_DGRAM, 0, 0}, false},
		{{AF_INET, SOCK_DGRAM, 0, -17}, false},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = compare_paths(&cases[i].s, cases[i].compact);

		if (r != 0) {
			fprintf(stderr, "case %zu: failure %d\n", i, r);
			return 1;
		}
	}
	return 0;
}

START_TEST(compact_calls_are_answered_as_general_ones)
{
	SB_NEED_ROOT();
	start();
	ck_assert_int_eq(sb_test_run_as_nobody(child_compare, NULL), 0);
	stop();
}
END_TEST

static int child_one_socket(void *arg)
{
	char text[SB_COMPACT_SOCKET_MAX], *reply;
	struct sb_compact_socket s = {AF_INET, SOCK_DGRAM, SOCK_CLOEXEC, 0};
	int fd = 0;

	if (sb_compact_socket_call_format(text, sizeof(text), &s) < 0)
		return 10;
	reply = reply_to(text, &fd);
	free(reply);
	return reply && fd ? 0 : 11;
}

/* Between requests the daemon keeps the last client's fs ids; a reload
 * must still read the policy as the daemon. The policy file is 0600
 * root, which nobody cannot read. */
START_TEST(reload_after_a_client_reads_the_policy_as_the_daemon)
{
	const char *check = "{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":"
			    "{\"user\":\"nobody\",\"method\":\"socket\",\"keys\":"
			    "{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\"}}}";
	struct sb_reply reply;
	json_object *decision;

	FILE *f;

	SB_NEED_ROOT();
	start();
	ck_assert_int_eq(sb_test_run_as_nobody(child_one_socket, NULL), 0);
	ck_assert_str_eq(sb_test_fs_ids(daemon_.pid), "65534 65534");

	f = fopen(daemon_.policy, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fchmod(fileno(f), 0600), 0);
	fputs("allow user:nobody socket family=AF_INET type=SOCK_STREAM\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(kill(daemon_.pid, SIGHUP), 0);
	/* Signals are handled before new connections: this call follows
	 * the reload. */
	ck_assert_int_eq(sb_test_call_once(daemon_.socket, check, NULL, 0, &reply, NULL), 0);
	ck_assert_ptr_null(reply.error);
	ck_assert(json_object_object_get_ex(reply.parameters, "decision", &decision));
	ck_assert_str_eq(json_object_get_string(decision), "allow");
	sb_reply_done(&reply);
	stop();
}
END_TEST

/* A socket of the daemon's: its descriptor and the socket it is. */
struct daemon_socket {
	int fd;
	char target[48];
};

/* The daemon's sockets, from /proc/PID/fd. */
static size_t daemon_sockets(struct daemon_socket *sockets, size_t max)
{
	char path[64];
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)daemon_.pid);
	dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	for (struct dirent *de; (de = readdir(dir)) && n < max;) {
		struct daemon_socket *s = &sockets[n];
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(dir), de->d_name, s->target, sizeof(s->target) - 1);
		if (len <= 0)
			continue;
		s->target[len] = '\0';
		if (strncmp(s->target, "socket:", 7) == 0) {
			s->fd = atoi(de->d_name);
			n++;
		}
	}
	closedir(dir);
	return n;
}

/* A connection accepted after a client's call is the daemon's socket,
 * not one owned by that client. */
START_TEST(connections_are_accepted_as_the_daemon)
{
	struct daemon_socket before[64], after[64];
	size_t n_before, n_after, found = 0;
	struct sb_reply reply;
	char path[64];
	struct stat st;
	int conn;

	SB_NEED_ROOT();
	start();
	ck_assert_int_eq(sb_test_run_as_nobody(child_one_socket, NULL), 0);
	n_before = daemon_sockets(before, ELEMENTSOF(before));
	conn = sb_test_connect(daemon_.socket);
	ck_assert_int_ge(conn, 0);
	/* One call: the connection has been accepted once it is answered. */
	ck_assert_int_eq(
		sb_test_call(conn, "{\"method\":\"org.sockbroker.Info\"}", NULL, 0, &reply, NULL),
		0);
	sb_reply_done(&reply);
	/* New sockets by what they are, not by number: the child's
	 * connection may be closed meanwhile (on a closing thread) and its
	 * number given to this one. */
	n_after = daemon_sockets(after, ELEMENTSOF(after));
	for (size_t i = 0; i < n_after; i++) {
		bool old = false;

		for (size_t j = 0; j < n_before; j++)
			old = old || strcmp(after[i].target, before[j].target) == 0;
		if (old)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)daemon_.pid, after[i].fd);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_uid, 0);
		ck_assert_uint_eq(st.st_gid, 0);
		found++;
	}
	ck_assert_uint_eq(found, 1);
	close(conn);
	stop();
}
END_TEST

static int child_connect_and_leave(void *arg)
{
	int conn = sb_test_connect(daemon_.socket);

	if (conn < 0)
		return 10;
	close(conn);
	return 0;
}

/* Connections accepted in one go: reading a client's name takes its
 * identity, and the next connection must still be the daemon's. */
START_TEST(connections_accepted_together_are_the_daemons)
{
	struct daemon_socket sockets[64];
	struct sb_reply reply;
	char path[64];
	struct stat st;
	size_t n;
	int conn;

	SB_NEED_ROOT();
	start();
	/* Both wait in the listener's backlog while the daemon is stopped:
	 * nobody's first, then root's. */
	ck_assert(sb_test_stop(daemon_.pid, 5000));
	ck_assert_int_eq(sb_test_run_as_nobody(child_connect_and_leave, NULL), 0);
	conn = sb_test_connect(daemon_.socket);
	ck_assert_int_ge(conn, 0);
	ck_assert_int_eq(kill(daemon_.pid, SIGCONT), 0);
	ck_assert_int_eq(
		sb_test_call(conn, "{\"method\":\"org.sockbroker.Info\"}", NULL, 0, &reply, NULL),
		0);
	sb_reply_done(&reply);
	n = daemon_sockets(sockets, ELEMENTSOF(sockets));
	ck_assert_uint_ge(n, 2); /* the listener and root's connection */
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)daemon_.pid, sockets[i].fd);
		if (stat(path, &st) < 0)
			continue; /* nobody's, closed meanwhile */
		ck_assert_msg(st.st_uid == 0 && st.st_gid == 0, "fd %d (%s) is owned by %u:%u",
			      sockets[i].fd, sockets[i].target, (unsigned)st.st_uid,
			      (unsigned)st.st_gid);
	}
	close(conn);
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon-compact-socket");

	sb_test_hermetic();

	SB_TEST(s, compact_calls_are_answered_as_general_ones);
	SB_TEST(s, reload_after_a_client_reads_the_policy_as_the_daemon);
	SB_TEST(s, connections_are_accepted_as_the_daemon);
	SB_TEST(s, connections_accepted_together_are_the_daemons);
	return sb_test_run(s);
}
