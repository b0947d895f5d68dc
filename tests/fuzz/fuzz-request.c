/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's request path: sb_client_serve() on a connection object,
 * which runs sb_call_parse(), the method table, the fd-count check and
 * every method's own parameter parsing and validation (daemon/method-*.c),
 * the policy check, and the reply builder, exactly as a client reaches
 * them. The connection's socket is one end of a socketpair and the reply
 * is read from the other; the event loop runs only for the calls that act
 * on a worker (Bind, SetSockOpt), until they are answered.
 *
 * Input: a subject byte (which uid/groups ask), a descriptor byte (how
 * many descriptors of which kinds come with the call: sockets of several
 * families, one from another network namespace, a pipe, O_PATH, eventfd,
 * or 253 of them), then the message.
 *
 * The policy grants only side-effect-free things: INET/INET6/NETLINK
 * sockets, binds to loopback, a few options, admin for one uid. Root is
 * confined by deny rules the same way, and named network namespaces are
 * unavailable (the namespace code is not initialised), so no input can
 * create packet sockets, bind public ports or switch namespaces.
 *
 * Oracles: every call but a oneway one gets exactly one reply, which the
 * project's own reply parser accepts and which fits the message limit;
 * an error reply carries an errno and no descriptor; a descriptor comes
 * only with a successful reply; the connection stays usable; and no
 * descriptor of the input (sent, created or received) stays open; only
 * a ProtocolError ends the connection. */
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include "daemon/client-fd.h"
#include "daemon/fsid.h"
#include "daemon/log.h"
#include "daemon/server.h"
#include "daemon/subid.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "tests/fuzz/fuzz.h"

static const char policy_text[] =
	"allow user:1001 socket family=AF_INET,AF_INET6 type=SOCK_DGRAM,SOCK_STREAM,SOCK_RAW\n"
	"allow user:1001 socket family=AF_NETLINK protocol=NETLINK_ROUTE\n"
	"allow user:1001 bind family=AF_INET,AF_INET6 address=127.0.0.0/8,::1/128\n"
	"allow user:1001 bind family=AF_NETLINK\n"
	"allow user:1001 setsockopt option=SO_MARK,SO_PRIORITY,SO_RCVBUFFORCE,IP_TRANSPARENT "
	"value=0-1000\n"
	"allow user:1001 setsockopt option=SO_BINDTODEVICE\n"
	"allow user:1001 admin\n"
	"allow group:100 socket family=AF_INET type=SOCK_DGRAM netns=*\n"
	"allow group:100 bind family=AF_INET port=0 netns=*\n"
	"deny user:0 socket\n"
	"allow user:0 socket family=AF_INET,AF_INET6 type=SOCK_DGRAM,SOCK_STREAM\n"
	"deny user:0 bind\n"
	"allow user:0 bind family=AF_INET,AF_INET6 address=127.0.0.1,::1\n";

struct subject {
	uid_t uid;
	gid_t gid;
	gid_t groups[2];
	size_t n_groups;
};

static const struct subject subjects[] = {
	{1001, 1001, {1001}, 1},
	{1002, 1002, {100, 1002}, 2},
	{65534, 65534, {0}, 0},
	{0, 0, {0}, 1},
};

static struct sb_server server;
static char dir[] = "/tmp/sockbroker-fuzz-XXXXXX";
static char policy_path[sizeof(dir) + 16];
/* A UDP socket of another network namespace (-1 when we cannot make one). */
static int foreign_socket = -1;

static int make_fd(unsigned kind)
{
	int p[2], fd;

	switch (kind) {
	case 0:
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	case 1:
		return socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	case 2:
		return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	case 3:
		return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	case 4:
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		close(p[1]);
		return p[0];
	case 5:
		return open("/", O_PATH | O_CLOEXEC);
	case 6:
		return eventfd(0, EFD_CLOEXEC);
	case 7:
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		return fd >= 0 ? fd : socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	default:
		if (foreign_socket >= 0)
			return fcntl(foreign_socket, F_DUPFD_CLOEXEC, 3);
		return socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
}
#define FD_KINDS 9

/* A socket made in a new network namespace by a child, passed back. */
static int make_foreign_socket(void)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	char byte = 0;
	struct iovec iov = {&byte, 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control.buf,
			    .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *c;
	int sv[2], fd = -1, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int s;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		s = socket(AF_INET, SOCK_DGRAM, 0);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &s, sizeof(int));
		_exit(sendmsg(sv[1], &mh, 0) == 1 ? 0 : 1);
	}
	close(sv[1]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && status == 0 &&
	    recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC) == 1 && (c = CMSG_FIRSTHDR(&mh)) &&
	    c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	close(sv[0]);
	return fd;
}

static void cleanup(void)
{
	unlink(policy_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct sb_limits limits = SB_LIMITS_DEFAULT;
	sd_event *event = NULL;
	FILE *f;

	/* The daemon code logs every decision on stderr: send that to
	 * /dev/null and report on a copy of the real stderr (sanitizer
	 * reports keep using descriptor 2 itself). */
	*fuzz_err_slot() = fdopen(fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3), "w");
	stderr = fopen("/dev/null", "we");
	FUZZ_ASSERT(*fuzz_err_slot() && stderr);
	log_setup(false);
	sb_sockinfo_init();
	sb_fsid_init();
	FUZZ_ASSERT(mkdtemp(dir));
	atexit(cleanup);
	snprintf(policy_path, sizeof(policy_path), "%s/policy.conf", dir);
	f = fopen(policy_path, "we");
	FUZZ_ASSERT(f);
	fputs(policy_text, f);
	FUZZ_ASSERT(fclose(f) == 0);
	FUZZ_ASSERT(chmod(policy_path, 0644) == 0);
	FUZZ_ASSERT(sd_event_new(&event) >= 0);
	FUZZ_ASSERT(sb_server_init(&server, event, policy_path, SB_SUBUID_FILE, SB_SUBGID_FILE,
				   &limits) >= 0);
	sd_event_unref(event);
	foreign_socket = make_foreign_socket();
	return 0;
}

/* Read everything the daemon wrote for this call. */
static size_t read_reply(int sock, char *buf, size_t size, int *fds, size_t *n_fds)
{
	size_t got = 0;

	*n_fds = 0;
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * 4)];
		} control;
		struct iovec iov = {buf + got, size - got};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = control.buf,
				    .msg_controllen = sizeof(control.buf)};
		ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n <= 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			FUZZ_ASSERT(c->cmsg_type == SCM_RIGHTS && *n_fds + k <= 4);
			memcpy(fds + *n_fds, CMSG_DATA(c), k * sizeof(int));
			*n_fds += k;
		}
		FUZZ_ASSERT(!(mh.msg_flags & MSG_CTRUNC));
		got += (size_t)n;
		FUZZ_ASSERT(got < size);
	}
	return got;
}

/* Returns whether the reply was a ProtocolError (after which the daemon
 * hangs up). */
static bool check_reply(const char *text, size_t len, const char *buf, size_t got, size_t n_fds)
{
	bool protocol_error;
	struct sb_error err = {0};
	struct sb_reply reply;
	struct sb_call call;
	int r;

	if (got == 0) {
		/* Silence is right only for a valid oneway call. */
		r = sb_call_parse(text, len, &call, &err);
		FUZZ_ASSERT(r == 0 && call.oneway);
		sb_call_done(&call);
		FUZZ_ASSERT(n_fds == 0);
		return false;
	}
	/* One message, NUL-terminated, within the limit a client accepts. */
	FUZZ_ASSERT(buf[got - 1] == 0);
	FUZZ_ASSERT(strlen(buf) == got - 1);
	FUZZ_ASSERT(got <= SB_MESSAGE_MAX);
	r = sb_reply_parse(buf, got - 1, &reply, &err);
	if (r < 0)
		fprintf(FUZZ_ERR, "reply rejected by sb_reply_parse (%s): %s\n", err.message, buf);
	FUZZ_ASSERT(r == 0);
	if (reply.error) {
		FUZZ_ASSERT(reply.errnum > 0);
		FUZZ_ASSERT(reply.message);
		FUZZ_ASSERT(n_fds == 0);
	}
	FUZZ_ASSERT(n_fds <= 1);
	if (n_fds == 1) {
		json_object *fd;

		FUZZ_ASSERT(json_object_object_get_ex(reply.parameters, "fd", &fd));
		FUZZ_ASSERT(json_object_get_int(fd) == 0);
	}
	protocol_error = reply.error && strcmp(reply.error, SB_ERR_PROTOCOL) == 0;
	sb_reply_done(&reply);
	return protocol_error;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[SB_MESSAGE_MAX * 2];
	struct fuzz_input in = {data, size};
	const struct subject *who = &subjects[fuzz_u8(&in) % ELEMENTSOF(subjects)];
	uint8_t fdspec = fuzz_u8(&in);
	struct sb_client conn = {0};
	struct sb_frame f = {0};
	int sv[2], got_fds[4];
	size_t n_fds, got;
	char *text;

	fuzz_fd_snapshot();
	f.data = fuzz_rest_string(&in, &f.len);
	text = strdup(f.data);
	FUZZ_ASSERT(text);
	n_fds = fdspec == 0xff ? SB_FDS_MAX : (size_t[]){0, 1, 1, 2}[fdspec & 3];
	f.fds = calloc(n_fds ? n_fds : 1, sizeof(int));
	FUZZ_ASSERT(f.fds);
	for (f.n_fds = 0; f.n_fds < n_fds; f.n_fds++) {
		f.fds[f.n_fds] = make_fd(((fdspec >> 2) + f.n_fds) % FD_KINDS);
		FUZZ_ASSERT(f.fds[f.n_fds] >= 0);
	}

	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0);
	conn.server = &server;
	conn.fd = sv[0];
	conn.cred = (struct ucred){.pid = getpid(), .uid = who->uid, .gid = who->gid};
	conn.groups = (gid_t *)who->groups;
	conn.n_groups = who->n_groups;
	snprintf(conn.comm, sizeof(conn.comm), "fuzz");
	conn.reading = true;

	sb_client_serve(&conn, &f);
	sb_frame_done(&f);
	/* Bind and SetSockOpt act on a worker and answer from the loop. */
	while (conn.offload)
		FUZZ_ASSERT(sd_event_run(server.event, 5 * 1000 * 1000) >= 0);
	/* The reply fitted in the socket buffer, so nothing stays queued. */
	FUZZ_ASSERT(!conn.out);

	got = read_reply(sv[1], buf, sizeof(buf), got_fds, &n_fds);
	/* Only a message that is not Varlink ends the connection. */
	FUZZ_ASSERT(check_reply(text, strlen(text), buf, got, n_fds) ==
		    (conn.state == SB_CONN_CLOSING));
	for (size_t i = 0; i < n_fds; i++)
		close(got_fds[i]);
	close(sv[0]);
	close(sv[1]);
	free(text);
	fuzz_assert_fds_closed();
	/* The daemon keeps a client's fs ids after a request (fsid.h); this
	 * process writes libFuzzer's corpus and must do so as itself. */
	FUZZ_ASSERT(sb_fsid_restore());
	return 0;
}
