/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The examples of sockbroker(3), each run as nobody against the real
 * daemon, after proving nobody cannot do what it does without the
 * broker. An example that exits 77 (its kernel feature is missing) is a
 * skip with the reason it printed. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "tests/harness.h"
#include "tests/testlib.h"

#define ECHO_PORT 7
/* No other test program sends here: the sniffer reports the first
 * datagram it sees. */
#define SNIFF_PORT 9999

static const char policy[] =
	"allow user:nobody socket family=AF_PACKET type=SOCK_RAW\n"
	"allow user:nobody bind family=AF_PACKET\n"
	"allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n"
	"allow user:nobody bind family=AF_INET,AF_INET6 port=7\n"
	"allow user:nobody socket family=AF_CAN\n"
	"allow user:nobody bind family=AF_CAN\n"
	"allow user:nobody socket family=AF_ALG\n"
	"allow user:nobody bind family=AF_ALG\n";

static struct sb_test_daemon daemon_;

/* A running example: its pid and the read end of its stdout+stderr. */
struct example {
	pid_t pid;
	int out;
	char text[8192];
	size_t len;
};

/* nobody runs the examples, and the build tree may sit below a directory
 * only root may enter: run a copy, with the library beside it, where the
 * loader finds it once the build tree's path is refused. */
static void example_stage(const char *name, char *path, size_t size)
{
	char file[64], lib[512];

	sb_test_stage(".libs/libsockbroker.so.0", 0644, lib, sizeof(lib));
	snprintf(file, sizeof(file), "example-%s", name);
	sb_test_stage(file, 0755, path, size);
	setenv("LD_LIBRARY_PATH", sb_test_stage_dir(), 1);
}

static void example_start(struct example *e, const char *name, const char *arg1, const char *arg2)
{
	char path[512];
	int p[2];

	memset(e, 0, sizeof(*e));
	example_stage(name, path, sizeof(path));
	ck_assert_msg(access(path, X_OK) == 0, "%s: %m", path);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	e->pid = fork();
	ck_assert_int_ge(e->pid, 0);
	if (e->pid == 0) {
		sb_test_become_nobody();
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execl(path, path, arg1, arg2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	e->out = p[0];
}

/* Read the example's output until it contains want (or, with want NULL,
 * until it closes it), for at most ms milliseconds. */
static bool example_read(struct example *e, const char *want, int ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = {.fd = e->out, .events = POLLIN};
		long left;
		ssize_t n;

		if (want && strstr(e->text, want))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ms - ((now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		n = read(e->out, e->text + e->len, sizeof(e->text) - 1 - e->len);
		if (n <= 0)
			return !want;
		e->len += (size_t)n;
		e->text[e->len] = 0;
	}
}

/* Wait for the example to end (killing it after ms); its exit status. */
static int example_wait(struct example *e, int ms)
{
	int status;

	example_read(e, NULL, ms);
	if (waitpid(e->pid, &status, WNOHANG) == 0) {
		kill(e->pid, SIGKILL);
		waitpid(e->pid, &status, 0);
	}
	close(e->out);
	fprintf(stderr, "--- output of the example ---\n%s--- end ---\n", e->text);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last line an example printed, for a skip reason. */
static const char *last_line(struct example *e)
{
	char *end = e->text + e->len;

	while (end > e->text && end[-1] == '\n')
		*--end = 0;
	while (end > e->text && end[-1] != '\n')
		end--;
	return end;
}

static int expect_errno(int r, int err)
{
	return r == -1 && errno == err ? 0 : 1;
}

static int raw_icmp_fails(void *arg)
{
	return expect_errno(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
}

static int packet_fails(void *arg)
{
	return expect_errno(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)), EPERM);
}

static int port7_fails(void *arg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(ECHO_PORT),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return fd < 0 ? 1 : expect_errno(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), EACCES);
}

START_TEST(test_without_broker)
{
	static const char *const names[] = {"ping", "sniffer", "echo-server", "sha256", "can"};

	SB_NEED_ROOT();
	/* The operations the examples need fail for nobody... */
	ck_assert_int_eq(sb_test_run_as_nobody(raw_icmp_fails, NULL), 0);
	ck_assert_int_eq(sb_test_run_as_nobody(packet_fails, NULL), 0);
	ck_assert_int_eq(sb_test_run_as_nobody(port7_fails, NULL), 0);
	/* ...and the examples fail cleanly without a broker. */
	ck_assert_int_eq(setenv("SOCKBROKER_SOCKET", "/nonexistent/sockbroker.sock", 1), 0);
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		struct example e;

		example_start(&e, names[i], NULL, NULL);
		ck_assert_int_eq(example_wait(&e, 5000), 1);
	}
}
END_TEST

START_TEST(test_ping)
{
	struct example e;

	SB_NEED_ROOT();
	sb_test_daemon_start_for_library(&daemon_, policy);
	example_start(&e, "ping", "127.0.0.1", "3");
	ck_assert_int_eq(example_wait(&e, 10000), 0);
	ck_assert_ptr_nonnull(strstr(e.text, "from 127.0.0.1: icmp_seq=1 "));
	ck_assert_ptr_nonnull(strstr(e.text, "from 127.0.0.1: icmp_seq=3 "));
	sb_test_daemon_stop(&daemon_);
}
END_TEST

START_TEST(test_sniffer)
{
	char port[16], want[64];
	struct sockaddr_in to = {.sin_family = AF_INET,
				 .sin_port = htons(SNIFF_PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct example e;
	int fd, status = -1;

	SB_NEED_ROOT();
	sb_test_daemon_start_for_library(&daemon_, policy);
	snprintf(port, sizeof(port), "%d", SNIFF_PORT);
	example_start(&e, "sniffer", "lo", port);
	ck_assert_msg(example_read(&e, "capturing on lo\n", 5000), "no start: %s", e.text);

	/* Send until the sniffer reports a frame of ours and exits. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 50; i++) {
		sendto(fd, "sockbroker sniffer test", 23, 0, (struct sockaddr *)&to, sizeof(to));
		if (example_read(&e, NULL, 100))
			break;
	}
	close(fd);
	status = example_wait(&e, 1000);
	ck_assert_int_eq(status, 0);
	snprintf(want, sizeof(want), "-> 127.0.0.1:%d, 23 bytes of data", SNIFF_PORT);
	ck_assert_ptr_nonnull(strstr(e.text, want));
	sb_test_daemon_stop(&daemon_);
}
END_TEST

START_TEST(test_echo_server)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(ECHO_PORT),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct example e;

	SB_NEED_ROOT();
	sb_test_daemon_start_for_library(&daemon_, policy);
	example_start(&e, "echo-server", "127.0.0.1:7", "2");
	ck_assert_msg(example_read(&e, "listening on 127.0.0.1:7\n", 5000), "no start: %s", e.text);

	for (int i = 0; i < 2; i++) {
		char msg[32], back[32] = "";
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		size_t len = (size_t)snprintf(msg, sizeof(msg), "hello %d", i), got = 0;

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
		ck_assert_int_eq(write(fd, msg, len), (ssize_t)len);
		while (got < len) {
			ssize_t n = read(fd, back + got, sizeof(back) - 1 - got);

			ck_assert_int_gt(n, 0);
			got += (size_t)n;
		}
		ck_assert_str_eq(back, msg);
		/* We close first, so TIME_WAIT stays on our side, not port 7. */
		close(fd);
	}
	ck_assert_int_eq(example_wait(&e, 5000), 0);
	sb_test_daemon_stop(&daemon_);
}
END_TEST

START_TEST(test_sha256)
{
	struct example e;
	int status;

	SB_NEED_ROOT();
	sb_test_daemon_start_for_library(&daemon_, policy);
	example_start(&e, "sha256", "abc", NULL);
	status = example_wait(&e, 5000);
	sb_test_daemon_stop(&daemon_);
	if (status == 77)
		SB_SKIP("%s", last_line(&e));
	ck_assert_int_eq(status, 0);
	/* FIPS 180-2, appendix B.1. */
	ck_assert_str_eq(e.text,
			 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
}
END_TEST

START_TEST(test_can)
{
	struct example e;
	int status;

	SB_NEED_ROOT();
	sb_test_daemon_start_for_library(&daemon_, policy);
	example_start(&e, "can", "vcan0", NULL);
	status = example_wait(&e, 5000);
	sb_test_daemon_stop(&daemon_);
	if (status == 77)
		SB_SKIP("%s", last_line(&e));
	ck_assert_int_eq(status, 0);
	ck_assert_ptr_nonnull(strstr(e.text, "vcan0: sent and received 123#736F636B62726B72\n"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("examples");

	sb_test_hermetic();

	SB_TEST(s, test_without_broker);
	SB_TEST(s, test_ping);
	SB_TEST(s, test_sniffer);
	SB_TEST(s, test_echo_server);
	SB_TEST(s, test_sha256);
	SB_TEST(s, test_can);
	return sb_test_run(s);
}
