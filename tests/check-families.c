/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The families sockbrokerd reports (Info) are learnt without loading a
 * kernel module for a family no policy rule names: socket() of such a
 * family would load it. Seen two ways: the socket() calls the daemon
 * makes (strace), and, on a kernel with loadable modules, the modules
 * loaded before and after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "proto/consts.h"
#include "proto/protocol.h"
#include "tests/call.h"
#include "tests/harness.h"
#include "tests/testlib.h"
#include "tests/trace.h"

/* AF_INET alone; the deny rule names a family too, but grants nothing. */
static const char policy_inet[] = "allow user:nobody socket family=AF_INET type=SOCK_DGRAM\n"
				  "deny user:nobody socket family=AF_APPLETALK\n"
				  "allow user:nobody setsockopt option=SO_MARK\n";
static const char policy_appletalk[] = "allow user:nobody socket family=AF_APPLETALK\n";

static const char *const trace_socket_calls[] = {"-e", "trace=socket", NULL};

struct traced_daemon {
	struct sb_test_daemon d;
	char dir[64];
	char trace[128];
};

static void traced_start(struct traced_daemon *t, const char *policy)
{
	struct sb_test_daemon_opts opts = {.strace_opts = trace_socket_calls};

	snprintf(t->dir, sizeof(t->dir), "/tmp/sockbroker-families-XXXXXX");
	ck_assert_msg(mkdtemp(t->dir), "mkdtemp: %m");
	snprintf(t->trace, sizeof(t->trace), "%s/trace", t->dir);
	opts.trace = t->trace;
	sb_test_daemon_kill_at_exit(&t->d);
	sb_test_daemon_start_opts(&t->d, policy, NULL, &opts);
}

/* Stop the daemon and wait for the whole trace. */
static void traced_stop(struct traced_daemon *t)
{
	pid_t pid = t->d.pid;

	sb_test_daemon_stop(&t->d);
	ck_assert_msg(sb_test_trace_complete(t->trace, pid, 5000), "strace did not finish %s",
		      t->trace);
}

static void traced_remove(const struct traced_daemon *t)
{
	unlink(t->trace);
	rmdir(t->dir);
}

/* The family of each socket() call in the trace, as strace names it
 * ("AF_INET"), through fn; the number of calls. */
static int each_socket_call(const char *trace,
			    void (*fn)(const char *family, const char *line, void *arg), void *arg)
{
	char line[1024], family[64];
	FILE *f = fopen(trace, "re");
	int n = 0;

	ck_assert_msg(f, "%s: %m", trace);
	while (fgets(line, sizeof(line), f)) {
		const char *call = strstr(line, " socket(");

		if (!call || sscanf(call, " socket(%63[^,]", family) != 1)
			continue;
		fn(family, line, arg);
		n++;
	}
	fclose(f);
	return n;
}

static void assert_unix_or_inet(const char *family, const char *line, void *arg)
{
	ck_assert_msg(strcmp(family, "AF_UNIX") == 0 || strcmp(family, "AF_INET") == 0,
		      "socket() of a family no rule allows, which may load its module: %s", line);
}

START_TEST(no_family_the_policy_does_not_name_is_probed)
{
	/* Static: the exit handler that kills the daemon reads it. */
	static struct traced_daemon t;
	char why[128];

	if (!sb_test_strace_usable(why, sizeof(why)))
		SB_SKIP("%s: the test reads the daemon's socket() calls from strace", why);
	traced_start(&t, policy_inet);
	/* A reload learns the families again. */
	sb_test_daemon_reload(&t.d, policy_inet);
	traced_stop(&t);
	/* AF_UNIX: its own sockets; AF_INET: the policy names it (a probe
	 * may be needed or not, the kernel may have it registered). */
	ck_assert_int_gt(each_socket_call(t.trace, assert_unix_or_inet, NULL), 0);
	traced_remove(&t);
}
END_TEST

struct appletalk_calls {
	int calls;
	bool found; /* a call the kernel did not refuse for the family */
};

static void count_appletalk(const char *family, const char *line, void *arg)
{
	struct appletalk_calls *a = arg;

	if (strcmp(family, "AF_APPLETALK") != 0)
		return;
	a->calls++;
	if (!strstr(line, "EAFNOSUPPORT"))
		a->found = true;
}

/* Info's families, as JSON text. */
static char *info_families(const struct sb_test_daemon *d)
{
	struct sb_reply reply;
	json_object *families;
	char *text;

	ck_assert_int_eq(sb_test_call_once(d->socket, "{\"method\":\"" SB_METHOD_INFO "\"}", NULL,
					   0, &reply, NULL),
			 0);
	ck_assert(json_object_object_get_ex(reply.parameters, "families", &families));
	text = strdup(json_object_to_json_string(families));
	sb_reply_done(&reply);
	ck_assert_ptr_nonnull(text);
	return text;
}

START_TEST(a_family_a_rule_names_is_probed)
{
	/* Static: the exit handler that kills the daemon reads it. */
	static struct traced_daemon t;
	struct appletalk_calls a = {};
	_cleanup_free_ char *families = NULL;
	char why[128];

	if (!sb_test_strace_usable(why, sizeof(why)))
		SB_SKIP("%s: the test reads the daemon's socket() calls from strace", why);
	traced_start(&t, policy_appletalk);
	families = info_families(&t.d);
	traced_stop(&t);
	each_socket_call(t.trace, count_appletalk, &a);
	ck_assert_msg(a.calls > 0, "AF_APPLETALK, named by a rule, was not asked for");
	ck_assert_msg(a.found == (strstr(families, "\"AF_APPLETALK\"") != NULL),
		      "Info says %s, the kernel %s AF_APPLETALK", families,
		      a.found ? "has" : "lacks");
	traced_remove(&t);
}
END_TEST

/* Registered protocols (/proc/self/net/protocols) and the family Info
 * must list for each. */
START_TEST(info_reports_the_registered_families)
{
	static const struct {
		const char *protocol, *family;
	} registered[] = {
		{"TCP", "AF_INET"},
		{"TCPv6", "AF_INET6"},
		{"PACKET", "AF_PACKET"},
	};
	static struct sb_test_daemon d; /* read by the exit handler */
	_cleanup_free_ char *families = NULL;
	char line[512], name[64], quoted[64];
	FILE *f;

	sb_test_daemon_kill_at_exit(&d);
	sb_test_daemon_start(&d, policy_inet, NULL);
	families = info_families(&d);
	sb_test_daemon_stop(&d);
	ck_assert_msg(strstr(families, "\"AF_UNIX\"") && strstr(families, "\"AF_NETLINK\""),
		      "Info: %s", families);
	f = fopen("/proc/self/net/protocols", "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < ELEMENTSOF(registered); i++)
			if (sscanf(line, "%63s", name) == 1 &&
			    strcmp(name, registered[i].protocol) == 0) {
				snprintf(quoted, sizeof(quoted), "\"%s\"", registered[i].family);
				ck_assert_msg(strstr(families, quoted), "%s registered, Info: %s",
					      name, families);
			}
	fclose(f);
}
END_TEST

/* Modules the start-up probe of every family loaded on Debian's kernel,
 * none of which the test's policy names. */
static const char *const unnamed_modules[] = {
	"appletalk", "af_key", "llc2", "phonet", "rxrpc", "kcm", "qrtr", "nfc", "atm", "pppox",
};

/* Whether /proc/modules lists module. */
static bool module_loaded(const char *module)
{
	char line[512], name[64];
	bool loaded = false;
	FILE *f = fopen("/proc/modules", "re");

	ck_assert_ptr_nonnull(f);
	while (!loaded && fgets(line, sizeof(line), f))
		loaded = sscanf(line, "%63s", name) == 1 && strcmp(name, module) == 0;
	fclose(f);
	return loaded;
}

/* Whether this kernel's modules.dep has module as a loadable file. */
static bool module_available(const char *module)
{
	struct utsname u;
	char path[256], line[1024], file[80];
	bool found = false;
	FILE *f;

	ck_assert_int_eq(uname(&u), 0);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	f = fopen(path, "re");
	if (!f)
		return false;
	snprintf(file, sizeof(file), "/%s.ko", module);
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (colon) {
			*colon = 0;
			/* Compressed or not: ".ko", ".ko.xz", ... */
			found = strstr(line, file) != NULL;
		}
	}
	fclose(f);
	return found;
}

/* Whether the kernel can load modules on demand: it runs its modprobe
 * helper in the root of PID 1, which may not be ours (the test VM's
 * initramfs has none). */
static bool autoload_works(char *why, size_t size)
{
	char helper[256] = "", path[300];
	FILE *f = fopen("/proc/sys/kernel/modprobe", "re");

	if (f) {
		if (!fgets(helper, sizeof(helper), f))
			helper[0] = 0;
		fclose(f);
	}
	helper[strcspn(helper, "\n")] = 0;
	snprintf(path, sizeof(path), "/proc/1/root%s", helper);
	if (helper[0] == '/' && access(path, X_OK) == 0)
		return true;
	snprintf(why, size,
		 "the kernel cannot load modules on demand here (its helper '%s' is "
		 "not in PID 1's root)",
		 helper);
	return false;
}

START_TEST(no_module_is_loaded_for_a_family_no_rule_names)
{
	const char *module = NULL;
	static struct sb_test_daemon d; /* read by the exit handler */
	char why[512];

	if (access("/proc/modules", F_OK) < 0)
		SB_SKIP("this kernel has no loadable modules (no /proc/modules); "
			"no_family_the_policy_does_not_name_is_probed shows the same from the "
			"daemon's calls");
	if (!autoload_works(why, sizeof(why)))
		SB_SKIP("%s; no_family_the_policy_does_not_name_is_probed shows the same from "
			"the daemon's calls",
			why);
	for (size_t i = 0; i < ELEMENTSOF(unnamed_modules) && !module; i++)
		if (module_available(unnamed_modules[i]) && !module_loaded(unnamed_modules[i]))
			module = unnamed_modules[i];
	if (!module)
		SB_SKIP("none of this kernel's modules for rarely used families is both available "
			"and unloaded");
	sb_test_daemon_kill_at_exit(&d);
	sb_test_daemon_start(&d, policy_inet, NULL);
	sb_test_daemon_reload(&d, policy_inet);
	sb_test_daemon_stop(&d);
	ck_assert_msg(!module_loaded(module), "the daemon's start loaded %s", module);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("families");

	if (!sb_test_is_root())
		sb_test_skip_all("the daemon tests need root (to start sockbrokerd)");
	SB_TEST(s, no_family_the_policy_does_not_name_is_probed);
	SB_TEST(s, a_family_a_rule_names_is_probed);
	SB_TEST(s, info_reports_the_registered_families);
	SB_TEST(s, no_module_is_loaded_for_a_family_no_rule_names);
	return sb_test_run(s);
}
