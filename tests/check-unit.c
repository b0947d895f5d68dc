/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit:NAME rules: the unit a cgroup path belongs to, and end to end, the
 * real daemon deciding clients (as nobody) that the test moves into cgroup
 * v2 directories named like units of a slice of its own. */
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "daemon/peer-unit.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/harness.h"
#include "tests/testlib.h"

/* ------------------------------------------------------------ cgroup paths */

static void expect_unit(const char *path, int want, const char *unit)
{
	char got[SB_UNIT_NAME_MAX + 1] = "";
	int r = sb_unit_from_cgroup(path, got, sizeof(got));

	ck_assert_msg(r == want, "%s: %d, expected %d", path, r, want);
	if (want == 1)
		ck_assert_str_eq(got, unit);
}

START_TEST(unit_of_cgroup_paths)
{
	expect_unit("/system.slice/sshd.service", 1, "sshd.service");
	expect_unit("/system.slice/system-getty.slice/getty@tty1.service", 1, "getty@tty1.service");
	expect_unit("/user.slice/user-1000.slice/session-3.scope", 1, "session-3.scope");
	expect_unit("/init.scope", 1, "init.scope");
	/* Below a unit, in a subtree it delegates, it is still that unit:
	 * what a delegate creates cannot make it another one. */
	expect_unit("/system.slice/foo.service/payload/sshd.service", 1, "foo.service");
	expect_unit("/user.slice/user-1000.slice/user@1000.service/app.slice/x.service", 1,
		    "user@1000.service");
	/* systemd escapes names that could be cgroup files. */
	expect_unit("/system.slice/_cgroup.procs.service", 1, "cgroup.procs.service");
	/* In no unit. */
	expect_unit("/", 0, NULL);
	expect_unit("/user.slice", 0, NULL);
	expect_unit("/machine/qemu-1", 0, NULL);
	expect_unit("/system.slice/not a unit", 0, NULL);
	expect_unit("/system.slice/basic.target", 0, NULL);
	/* Outside the reader's cgroup namespace, or not a path: unknown. */
	expect_unit("/../../system.slice/sshd.service", -EINVAL, NULL);
	expect_unit("", -EINVAL, NULL);
	expect_unit("system.slice/sshd.service", -EINVAL, NULL);
}
END_TEST

/* ------------------------------------------------------------ end to end */

#define SLICE "sbtest.slice"
#define UNIT_X "sbtest-x.service"
#define UNIT_Y "sbtest-y.service"

static const char policy_text[] =
	"allow unit:" UNIT_X " socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n"
	"allow user:nobody socket family=AF_INET type=SOCK_DGRAM\n"
	"deny unit:" UNIT_Y " socket family=AF_INET type=SOCK_DGRAM\n";

static struct sb_test_daemon daemon_;
static char cgroot[PATH_MAX]; /* where cgroup2 is mounted, "" if nowhere */

static void find_cgroup2(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX];
		const char *sep = strstr(line, " - ");

		if (!sep || strncmp(sep, " - cgroup2 ", 11) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(cgroot, sizeof(cgroot), "%s", mnt);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void cgroup_path(char *buf, size_t size, const char *unit)
{
	snprintf(buf, size, "%s/" SLICE "%s%s", cgroot, unit ? "/" : "", unit ?: "");
}

static void remove_cgroups(void)
{
	char path[PATH_MAX + 64];

	cgroup_path(path, sizeof(path), UNIT_X);
	rmdir(path);
	cgroup_path(path, sizeof(path), UNIT_Y);
	rmdir(path);
	cgroup_path(path, sizeof(path), NULL);
	rmdir(path);
}

/* The slice and its two units; false when cgroup2 is not ours to write. */
static bool make_cgroups(void)
{
	char path[PATH_MAX + 64];

	if (!cgroot[0])
		return false;
	remove_cgroups();
	cgroup_path(path, sizeof(path), NULL);
	if (mkdir(path, 0755) < 0)
		return false;
	cgroup_path(path, sizeof(path), UNIT_X);
	if (mkdir(path, 0755) < 0)
		return false;
	cgroup_path(path, sizeof(path), UNIT_Y);
	return mkdir(path, 0755) == 0;
}

/* Without root the tests skip, saying so (SB_NEED_ROOT). */
static void start(void)
{
	if (sb_test_is_root())
		sb_test_daemon_start(&daemon_, policy_text, NULL);
}

static void stop(void)
{
	if (sb_test_is_root())
		sb_test_daemon_stop(&daemon_);
}

/* Move the calling process into unit's cgroup (NULL: leave it). */
static int enter_unit(const char *unit)
{
	char path[PATH_MAX + 64];
	int fd, ok;

	if (!unit)
		return 0;
	cgroup_path(path, sizeof(path), unit);
	strcat(path, "/cgroup.procs");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, "0", 1) == 1;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* fn in a child that moves into unit's cgroup, then becomes nobody: its
 * exit status. */
static int run_in_unit(const char *unit, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (enter_unit(unit) < 0)
			_exit(125);
		sb_test_become_nobody();
		_exit(fn(arg));
	}
	return sb_test_wait_exit(pid);
}

static const char raw_icmp[] =
	"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{"
	"\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\",\"protocol\":\"IPPROTO_ICMP\"}}";
static const char udp[] = "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{"
			  "\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\"}}";

/* What the broker grants: bit 0 a raw ICMP socket, bit 1 a UDP one;
 * 64 and up when something else went wrong. */
static int grants(void *arg)
{
	int raw, dgram;

	if (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) >= 0)
		return 64;
	raw = sb_test_call_errno(daemon_.socket, raw_icmp, NULL, 0, NULL);
	dgram = sb_test_call_errno(daemon_.socket, udp, NULL, 0, NULL);
	if ((raw != 0 && raw != EACCES) || (dgram != 0 && dgram != EACCES))
		return 65;
	return (raw == 0 ? 1 : 0) | (dgram == 0 ? 2 : 0);
}

START_TEST(unit_rules_match_the_clients_unit)
{
	SB_NEED_ROOT();
	if (!make_cgroups())
		SB_SKIP("no writable cgroup2 hierarchy here");
	/* Its unit's allowance, and the uid's. */
	ck_assert_int_eq(run_in_unit(UNIT_X, grants, NULL), 3);
	/* Its unit's denial beats the uid's allowance. */
	ck_assert_int_eq(run_in_unit(UNIT_Y, grants, NULL), 0);
	/* In no unit of the policy's: the uid's rules alone. */
	ck_assert_int_eq(run_in_unit(NULL, grants, NULL), 2);
	remove_cgroups();
}
END_TEST

static int send_fd(int sock, int fd)
{
	char data = 'x';
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = {0};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* A connection its maker hands over and then exits: when the daemon
 * first decides, the process that connected is gone, its unit unknown.
 * What the broker grants on it, as grants() says. */
static int grants_on_orphaned_connection(void *arg)
{
	struct sb_reply reply;
	int sp[2], conn, raw, dgram;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return 66;
	pid = fork();
	if (pid < 0)
		return 67;
	if (pid == 0) {
		conn = sb_test_connect(daemon_.socket);
		_exit(conn >= 0 && send_fd(sp[1], conn) == 0 ? 0 : 1);
	}
	conn = recv_fd(sp[0]);
	if (conn < 0 || sb_test_wait_exit(pid) != 0)
		return 68;
	if (sb_test_call(conn, raw_icmp, NULL, 0, &reply, NULL) < 0)
		return 69;
	raw = reply.error ? reply.errnum : 0;
	sb_reply_done(&reply);
	if (sb_test_call(conn, udp, NULL, 0, &reply, NULL) < 0)
		return 70;
	dgram = reply.error ? reply.errnum : 0;
	sb_reply_done(&reply);
	if ((raw != 0 && raw != EACCES) || (dgram != 0 && dgram != EACCES))
		return 71;
	return (raw == 0 ? 1 : 0) | (dgram == 0 ? 2 : 0);
}

START_TEST(a_unit_that_cannot_be_read_gets_every_units_denials)
{
	SB_NEED_ROOT();
	if (!make_cgroups())
		SB_SKIP("no writable cgroup2 hierarchy here");
	/* No unit's allowance, and every unit's denial (here Y's, of UDP):
	 * hiding the unit must not escape a deny unit: rule. */
	ck_assert_int_eq(run_in_unit(UNIT_X, grants_on_orphaned_connection, NULL), 0);
	ck_assert_int_eq(run_in_unit(UNIT_Y, grants_on_orphaned_connection, NULL), 0);
	ck_assert(sb_test_log_wait(daemon_.log, "the unit is unknown", 2000));
	remove_cgroups();
}
END_TEST

START_TEST(decisions_name_the_unit)
{
	SB_NEED_ROOT();
	if (!make_cgroups())
		SB_SKIP("no writable cgroup2 hierarchy here");
	ck_assert_int_eq(run_in_unit(UNIT_X, grants, NULL), 3);
	ck_assert(sb_test_log_wait(daemon_.log, "unit=" UNIT_X, 2000));
	remove_cgroups();
}
END_TEST

/* admin.Check for a user in a unit: what the policy would decide. */
START_TEST(check_takes_a_unit)
{
	struct sb_reply reply;
	const char *decision = NULL;
	json_object *v;

	SB_NEED_ROOT();
	ck_assert_int_eq(
		sb_test_call_once(daemon_.socket,
				  "{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{"
				  "\"user\":\"nobody\",\"method\":\"socket\",\"keys\":{"
				  "\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\","
				  "\"protocol\":\"IPPROTO_ICMP\",\"unit\":\"" UNIT_X "\"}}}",
				  NULL, 0, &reply, NULL),
		0);
	ck_assert_ptr_null(reply.error);
	if (json_object_object_get_ex(reply.parameters, "decision", &v))
		decision = json_object_get_string(v);
	ck_assert_str_eq(decision ?: "", "allow");
	sb_reply_done(&reply);
	ck_assert_int_eq(
		sb_test_call_errno(daemon_.socket,
				   "{\"method\":\"org.sockbroker.admin.Check\",\"parameters\":{"
				   "\"user\":\"nobody\",\"method\":\"socket\",\"keys\":{"
				   "\"unit\":\"x.target\"}}}",
				   NULL, 0, SB_ERR_INVALID_PARAMETER),
		EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("unit");

	sb_test_hermetic();
	find_cgroup2();
	SB_TEST(s, unit_of_cgroup_paths);
	SB_TEST_FIXTURE(s, unit_rules_match_the_clients_unit, start, stop);
	SB_TEST_FIXTURE(s, a_unit_that_cannot_be_read_gets_every_units_denials, start, stop);
	SB_TEST_FIXTURE(s, decisions_name_the_unit, start, stop);
	SB_TEST_FIXTURE(s, check_takes_a_unit, start, stop);
	return sb_test_run(s);
}
