/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The interposer and `sockbrokerctl exec`, with a program that knows
 * nothing of the broker (tests/preload-probe.c), as nobody, against the
 * real daemon, in a network namespace of the test's own. Each case first
 * shows that the same program fails without the interposer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"
#include "tests/testlib.h"

static const char policy_text[] =
	"allow user:nobody socket family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP\n"
	"allow user:nobody socket family=AF_PACKET type=SOCK_RAW\n"
	"allow user:nobody bind family=AF_INET port=80\n"
	"allow user:nobody setsockopt option=SO_MARK value=0x100-0x1ff\n";

static struct sb_test_daemon daemon_;

/* How a program is started. */
enum how {
	PLAIN,	    /* as it is */
	EXEC,	    /* sockbrokerctl exec -- PROGRAM */
	LD_PRELOAD, /* LD_PRELOAD=libsockbroker-preload.so PROGRAM */
};

struct ran {
	int status;
	long ms;
	char out[4096];
};

/* Run program with arg as nobody, started as how, talking to the broker
 * at socket_path; its output (stdout and stderr) and exit status. */
static void run(enum how how, const char *program, const char *arg, const char *socket_path,
		struct ran *r)
{
	char preload[512], ctl[512], prog[512];
	const char *argv[8];
	size_t n = 0, got = 0;
	long t0 = sb_test_now_ms();
	int out[2];
	ssize_t k;
	pid_t pid;

	/* Copies nobody can reach (sb_test_stage()). */
	sb_test_stage(".libs/libsockbroker-preload.so", 0644, preload, sizeof(preload));
	sb_test_stage("sockbrokerctl", 0755, ctl, sizeof(ctl));
	if (strchr(program, '/'))
		snprintf(prog, sizeof(prog), "%s", program);
	else
		sb_test_stage(program, 0755, prog, sizeof(prog));
	if (how == EXEC) {
		argv[n++] = ctl;
		argv[n++] = "exec";
		argv[n++] = "--";
	}
	argv[n++] = prog;
	if (arg)
		argv[n++] = arg;
	argv[n] = NULL;

	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0)
			_exit(125);
		setenv("SOCKBROKER_SOCKET", socket_path, 1);
		/* The build tree's interposer, not an installed one. */
		setenv("SOCKBROKER_PRELOAD", preload, 1);
		if (how == LD_PRELOAD)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		sb_test_become_nobody();
		execv(argv[0], (char **)argv);
		_exit(124);
	}
	close(out[1]);
	while (got < sizeof(r->out) - 1 &&
	       (k = read(out[0], r->out + got, sizeof(r->out) - 1 - got)) > 0)
		got += (size_t)k;
	r->out[got] = 0;
	close(out[0]);
	r->status = sb_test_wait_exit(pid);
	r->ms = sb_test_now_ms() - t0;
	printf("# %s %s (%s): exit %d after %ld ms\n", program, arg ?: "",
	       how == EXEC	   ? "exec"
	       : how == LD_PRELOAD ? "LD_PRELOAD"
				   : "plain",
	       r->status, r->ms);
	for (char *line = strtok(r->out, "\n"); line; line = strtok(NULL, "\n"))
		printf("#   %s\n", line);
	fflush(stdout);
}

/* The probe fails without the interposer, and passes with it. */
static void probe(const char *what, enum how how)
{
	struct ran r;

	SB_NEED_ROOT();
	run(PLAIN, "preload-probe", what, daemon_.socket, &r);
	ck_assert_int_ne(r.status, 0);
	run(how, "preload-probe", what, daemon_.socket, &r);
	ck_assert_int_eq(r.status, 0);
}

START_TEST(flags_asked_for_are_on_the_brokered_socket)
{
	probe("flags", EXEC);
}
END_TEST

START_TEST(threads_are_all_served)
{
	probe("threads", EXEC);
}
END_TEST

START_TEST(parent_and_child_are_served_after_fork)
{
	probe("fork", EXEC);
}
END_TEST

START_TEST(a_program_that_closes_every_descriptor_is_served_again)
{
	probe("close-all", EXEC);
}
END_TEST

START_TEST(a_descriptor_put_over_the_connection_is_never_written)
{
	probe("dup2", EXEC);
}
END_TEST

START_TEST(ld_preload_alone_works_too)
{
	probe("fork", LD_PRELOAD);
}
END_TEST

START_TEST(a_sandbox_answering_eperm_is_brokered)
{
	probe("seccomp-eperm", EXEC);
}
END_TEST

START_TEST(a_sandbox_answering_eafnosupport_is_brokered)
{
	probe("seccomp-eafnosupport", EXEC);
}
END_TEST

/* What the broker refuses, and everything when there is no broker, fails
 * with the kernel's own errno, at once. */
START_TEST(refusals_keep_the_kernels_errno)
{
	struct ran r;
	char nowhere[160];

	SB_NEED_ROOT();
	run(EXEC, "preload-probe", "denied", daemon_.socket, &r);
	ck_assert_int_eq(r.status, 0);
	snprintf(nowhere, sizeof(nowhere), "%s/no-broker-here", daemon_.dir);
	run(EXEC, "preload-probe", "denied", nowhere, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_lt(r.ms, 2000);
	run(EXEC, "preload-probe", "flags", nowhere, &r);
	ck_assert_int_ne(r.status, 0);
	ck_assert_int_lt(r.ms, 2000);
}
END_TEST

START_TEST(exec_gives_the_shells_exit_statuses)
{
	char file[160];
	struct ran r;
	int fd;

	SB_NEED_ROOT();
	run(EXEC, "/nonexistent/program", NULL, daemon_.socket, &r);
	ck_assert_int_eq(r.status, 127);
	snprintf(file, sizeof(file), "%s/not-executable", daemon_.dir);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	run(EXEC, file, NULL, daemon_.socket, &r);
	unlink(file); /* the daemon's directory goes when it stops */
	ck_assert_int_eq(r.status, 126);
	/* The program's own status, through the same process. */
	run(EXEC, "/bin/sh", "-c", daemon_.socket, &r);
	ck_assert_int_eq(r.status, 2);
}
END_TEST

/* The loader ignores LD_PRELOAD for set-id programs and cannot preload
 * into static ones: exec says so. */
START_TEST(exec_warns_about_programs_it_cannot_reach)
{
	char file[160], cmd[400];
	struct ran r;

	SB_NEED_ROOT();
	snprintf(file, sizeof(file), "%s/setuid-true", daemon_.dir);
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s && chmod 4755 %s", file, file);
	ck_assert_int_eq(system(cmd), 0);
	run(EXEC, file, NULL, daemon_.socket, &r);
	unlink(file);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "set-user-ID"));
	run(EXEC, "/bin/true", NULL, daemon_.socket, &r);
	ck_assert_ptr_null(strstr(r.out, "warning"));
	if (access("/bin/busybox", X_OK) < 0)
		SB_SKIP("no statically linked /bin/busybox (busybox-static) to try");
	run(EXEC, "/bin/busybox", "true", daemon_.socket, &r);
	ck_assert_ptr_nonnull(strstr(r.out, "statically linked"));
}
END_TEST

static void start(void)
{
	SB_NEED_ROOT();
	sb_test_daemon_start(&daemon_, policy_text, NULL);
}

static void stop(void)
{
	if (daemon_.pid > 0)
		sb_test_daemon_stop(&daemon_);
}

int main(void)
{
	Suite *s = suite_create("preload");

	if (!sb_test_is_root())
		sb_test_skip_all(
			"the interposer tests need root (to start sockbrokerd and drop to nobody)");
	sb_test_hermetic();
	SB_TEST_FIXTURE(s, flags_asked_for_are_on_the_brokered_socket, start, stop);
	SB_TEST_FIXTURE(s, threads_are_all_served, start, stop);
	SB_TEST_FIXTURE(s, parent_and_child_are_served_after_fork, start, stop);
	SB_TEST_FIXTURE(s, a_program_that_closes_every_descriptor_is_served_again, start, stop);
	SB_TEST_FIXTURE(s, a_descriptor_put_over_the_connection_is_never_written, start, stop);
	SB_TEST_FIXTURE(s, ld_preload_alone_works_too, start, stop);
	SB_TEST_FIXTURE(s, a_sandbox_answering_eperm_is_brokered, start, stop);
	SB_TEST_FIXTURE(s, a_sandbox_answering_eafnosupport_is_brokered, start, stop);
	SB_TEST_FIXTURE(s, refusals_keep_the_kernels_errno, start, stop);
	SB_TEST_FIXTURE(s, exec_gives_the_shells_exit_statuses, start, stop);
	SB_TEST_FIXTURE(s, exec_warns_about_programs_it_cannot_reach, start, stop);
	return sb_test_run(s);
}
