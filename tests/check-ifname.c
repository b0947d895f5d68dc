/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface names in bind addresses (an IPv6 scope_id, the ifname of a
 * packet address) against the real sockbrokerd: the policy decides
 * before a name is looked up, and the daemon looks names up without
 * letting the kernel load modules for them (docs/SECURITY.md). */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "proto/message.h"
#include "tests/call.h"
#include "tests/child-check.h"
#include "tests/harness.h"
#include "tests/testlib.h"

/* nobody may bind what it may create; OTHER_UID may create the same
 * sockets and bind nothing. */
#define OTHER_UID 65533
static const char policy_text[] = "allow user:nobody socket family=AF_INET6 type=SOCK_DGRAM\n"
				  "allow user:nobody socket family=AF_PACKET type=SOCK_DGRAM\n"
				  "allow user:nobody bind family=AF_INET6\n"
				  "allow user:nobody bind family=AF_PACKET\n"
				  "allow user:65533 socket family=AF_INET6 type=SOCK_DGRAM\n"
				  "allow user:65533 socket family=AF_PACKET type=SOCK_DGRAM\n";

static struct sb_test_daemon daemon_;

static void start(void)
{
	sb_test_daemon_start(&daemon_, policy_text, NULL);
}

static void stop(void)
{
	sb_test_daemon_stop(&daemon_);
}

/* The three ways a client names an interface to the daemon. */
enum named_by { SOCKET_INET6, SOCKET_PACKET, BIND_INET6, NAMED_BY_MAX };

static void call_naming(enum named_by how, const char *name, char *json, size_t size)
{
	switch (how) {
	case SOCKET_INET6:
		snprintf(json, size,
			 "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":"
			 "\"AF_INET6\",\"type\":\"SOCK_DGRAM\",\"bind\":{\"host\":\"::1\","
			 "\"port\":0,\"scope_id\":\"%s\"}}}",
			 name);
		break;
	case SOCKET_PACKET:
		snprintf(json, size,
			 "{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":"
			 "\"AF_PACKET\",\"type\":\"SOCK_DGRAM\",\"bind\":{\"ifname\":\"%s\"}}}",
			 name);
		break;
	default:
		snprintf(json, size,
			 "{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0,"
			 "\"address\":{\"host\":\"::1\",\"port\":0,\"scope_id\":\"%s\"}}}",
			 name);
		break;
	}
}

/* The reply to a call naming name, the call's way; fd is the caller's
 * own UDP socket for Bind. */
static int call_with_name(enum named_by how, const char *name, struct sb_reply *reply)
{
	_cleanup_close_ int udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	_cleanup_close_ int conn = sb_test_connect(daemon_.socket);
	char json[512];
	int fd = -1, r;

	if (udp < 0 || conn < 0)
		return -1;
	call_naming(how, name, json, sizeof(json));
	r = sb_test_call(conn, json, how == BIND_INET6 ? &udp : NULL, how == BIND_INET6, reply,
			 &fd);
	safe_close(fd);
	return r;
}

/* Every way, an unknown name: the policy's answer (PermissionDenied)
 * when it denies, since no name is looked up before it decides;
 * InvalidParameter naming the interface when it allows. */
static int child_unknown_name(void *arg)
{
	const char *want = arg;

	for (int how = 0; how < NAMED_BY_MAX; how++) {
		struct sb_reply reply;

		REQUIRE(call_with_name(how, "nosuchif0", &reply) == 0);
		if (!reply.error || strcmp(reply.error, want) != 0) {
			fprintf(stderr, "way %d: %s: %s\n", how, reply.error ?: "success",
				reply.message ?: "");
			sb_reply_done(&reply);
			return 1;
		}
		if (strcmp(want, SB_ERR_INVALID_PARAMETER) == 0)
			REQUIRE(strstr(reply.message, "no network interface named 'nosuchif0'"));
		sb_reply_done(&reply);
	}
	return 0;
}

static pid_t fork_as(uid_t uid, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (uid == SB_TEST_NOBODY)
			sb_test_become_nobody();
		else if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
			 setresuid(uid, uid, uid) < 0)
			_exit(126);
		_exit(fn(arg));
	}
	return pid;
}

START_TEST(denied_binds_fail_before_names_are_looked_up)
{
	ck_assert_int_eq(sb_test_wait_exit(fork_as(OTHER_UID, child_unknown_name,
						   (void *)SB_ERR_PERMISSION_DENIED)),
			 0);
}
END_TEST

/* Allowed, a known name resolves where the socket lives, and the bound
 * packet socket reports it. */
static int child_known_name(void *arg)
{
	for (int how = 0; how < NAMED_BY_MAX; how++) {
		struct sb_reply reply;
		json_object *address, *ifname;

		REQUIRE(call_with_name(how, "lo", &reply) == 0);
		if (reply.error) {
			fprintf(stderr, "way %d: %s: %s\n", how, reply.error, reply.message ?: "");
			sb_reply_done(&reply);
			return 1;
		}
		if (how == SOCKET_PACKET) {
			REQUIRE(json_object_object_get_ex(reply.parameters, "address", &address));
			REQUIRE(json_object_object_get_ex(address, "ifname", &ifname));
			REQUIRE(strcmp(json_object_get_string(ifname), "lo") == 0);
		}
		sb_reply_done(&reply);
	}
	return child_unknown_name((void *)SB_ERR_INVALID_PARAMETER);
}

START_TEST(allowed_names_are_looked_up)
{
	ck_assert_int_eq(sb_test_wait_exit(fork_as(SB_TEST_NOBODY, child_known_name, NULL)), 0);
}
END_TEST

/* ---------------------------------------------------------------- tracer */

/* Requests that name an interface (SIOCGIFINDEX, SIOCGIFFLAGS...): the
 * kernel's dev_ioctl() calls dev_load() on the name for all of them but
 * SIOCGIFNAME and SIOCGIFCONF, below this range. */
#define IFREQ_BY_NAME_FIRST 0x8913ul
#define IFREQ_BY_NAME_LAST 0x89fful
/* dev_load() asks for modules for these (capable(): the effective set). */
#define AUTOLOAD_CAPS ((1ull << 12) | (1ull << 16)) /* CAP_NET_ADMIN, CAP_SYS_MODULE */

struct watch {
	long syscalls; /* seen while attached: the watch is real */
	long loads;    /* ioctls by name with AUTOLOAD_CAPS in effect */
};

/* Wakes the tracer's waitpid() now and then to look at its stop pipe. */
static void on_tick(int sig _unused_)
{
}

static unsigned long long effective_caps(pid_t tid)
{
	char path[64], line[256];
	unsigned long long caps = ~0ull;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return caps;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

static int seize_threads(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid_t tid = atoi(e->d_name);

		if (tid <= 0)
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE) < 0 ||
		    ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
			closedir(d);
			return -errno;
		}
		n++;
	}
	closedir(d);
	return n;
}

/* In the tracer: follow every thread of pid from syscall to syscall
 * until stop_fd (nonblocking) reads EOF; the counts go to report_fd.
 * Exiting detaches. */
static int trace(pid_t pid, int stop_fd, int report_fd)
{
	struct sigaction sa = {.sa_handler = on_tick}; /* no SA_RESTART */
	struct itimerval tick = {{0, 100000}, {0, 100000}};
	struct watch w = {0};
	int n = seize_threads(pid), st;
	char c;

	if (n <= 0) {
		dprintf(report_fd, "seize %s\n", strerror(-n));
		return 0;
	}
	REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0 && setitimer(ITIMER_REAL, &tick, NULL) == 0);
	REQUIRE(write(report_fd, "ready\n", 6) == 6);
	while (read(stop_fd, &c, 1) != 0) {
		struct __ptrace_syscall_info info;
		pid_t tid = waitpid(-1, &st, __WALL);
		int sig = 0;

		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0)
			break;
		if (!WIFSTOPPED(st))
			continue;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			w.syscalls++;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(info), &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY && info.entry.nr == SYS_ioctl &&
			    info.entry.args[1] >= IFREQ_BY_NAME_FIRST &&
			    info.entry.args[1] <= IFREQ_BY_NAME_LAST &&
			    (effective_caps(tid) & AUTOLOAD_CAPS))
				w.loads++;
		} else if (st >> 16 == 0 && WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st); /* a signal for the daemon: deliver it */
		}
		ptrace(PTRACE_SYSCALL, tid, 0, sig);
	}
	dprintf(report_fd, "%ld %ld\n", w.syscalls, w.loads);
	return 0;
}

/* Names the kernel maps to modules (netdev-NAME aliases): ip_gre, sit,
 * ipip, ip6_tunnel, ip6_gre. None is an interface here unless its module
 * is loaded, which the first call would do. */
static const char *const module_names[] = {"gre0", "sit0", "tunl0", "ip6tnl0", "ip6gre0"};
static const char *const modules[] = {"ip_gre", "sit", "ipip", "ip6_tunnel", "ip6_gre"};

static int child_module_names(void *arg _unused_)
{
	for (size_t i = 0; i < ELEMENTSOF(module_names); i++)
		for (int how = 0; how < NAMED_BY_MAX; how++) {
			struct sb_reply reply;

			REQUIRE(call_with_name(how, module_names[i], &reply) == 0);
			REQUIRE(reply.error);
			sb_reply_done(&reply);
		}
	return 0;
}

static bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

START_TEST(names_never_load_modules)
{
	bool before[ELEMENTSOF(modules)];
	int stop[2], report[2];
	char line[128] = "";
	long syscalls = -1, loads = -1;
	ssize_t n;
	pid_t tracer;

	for (size_t i = 0; i < ELEMENTSOF(modules); i++)
		before[i] = module_loaded(modules[i]);
	/* Where modules load, loading them is the attack; on any kernel the
	 * daemon's own syscalls show whether it asked the kernel to: an
	 * interface ioctl by name while CAP_NET_ADMIN or CAP_SYS_MODULE is
	 * effective (a kernel without modules just has nothing to load). */
	ck_assert_int_eq(pipe2(stop, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(report, O_CLOEXEC), 0);
	tracer = fork();
	ck_assert_int_ge(tracer, 0);
	if (tracer == 0) {
		close(stop[1]);
		close(report[0]);
		fcntl(stop[0], F_SETFL, O_NONBLOCK);
		_exit(trace(daemon_.pid, stop[0], report[1]));
	}
	close(stop[0]);
	close(report[1]);
	n = read(report[0], line, sizeof(line) - 1);
	ck_assert_int_gt(n, 0);
	line[n] = 0;
	if (strncmp(line, "seize ", 6) == 0) {
		close(stop[1]);
		sb_test_wait_exit(tracer);
		SB_SKIP("cannot trace the daemon (ptrace: %.*s)", (int)strcspn(line + 6, "\n"),
			line + 6);
	}
	ck_assert_str_eq(line, "ready\n");

	ck_assert_int_eq(sb_test_wait_exit(fork_as(SB_TEST_NOBODY, child_module_names, NULL)), 0);

	close(stop[1]);
	n = read(report[0], line, sizeof(line) - 1);
	ck_assert_int_gt(n, 0);
	line[n] = 0;
	close(report[0]);
	ck_assert_int_eq(sb_test_wait_exit(tracer), 0);
	ck_assert_int_eq(sscanf(line, "%ld %ld", &syscalls, &loads), 2);
	printf("# %ld syscalls of the daemon traced, %ld interface ioctls by name with "
	       "CAP_NET_ADMIN or CAP_SYS_MODULE effective\n",
	       syscalls, loads);
	ck_assert_int_gt(syscalls, 0);
	ck_assert_int_eq(loads, 0);
	for (size_t i = 0; i < ELEMENTSOF(modules); i++)
		ck_assert_msg(before[i] || !module_loaded(modules[i]), "module %s was loaded",
			      modules[i]);
	/* Detached, the daemon serves on. */
	ck_assert_int_eq(sb_test_call_errno(daemon_.socket, "{\"method\":\"org.sockbroker.Info\"}",
					    NULL, 0, NULL),
			 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ifname");

	sb_test_hermetic();

	if (!sb_test_is_root())
		sb_test_skip_all("interface name tests need root (to start sockbrokerd and "
				 "drop to nobody)");
	SB_TEST_FIXTURE(s, denied_binds_fail_before_names_are_looked_up, start, stop);
	SB_TEST_FIXTURE(s, allowed_names_are_looked_up, start, stop);
	SB_TEST_FIXTURE(s, names_never_load_modules, start, stop);
	return sb_test_run(s);
}
