/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clients of the VM suites: a process that becomes nobody and installs a
 * seccomp filter refusing socket() of some families with EAFNOSUPPORT, as
 * systemd's RestrictAddressFamilies= or a Flatpak sandbox does, and the
 * test's side: skip where the kernel lacks a family, fail in the VM. */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "tests/harness.h"
#include "tests/testlib.h"

#define SB_SANDBOX_ERRNO EAFNOSUPPORT
#define SB_SANDBOX_MAX_FAMILIES 16

/* Is there a filter for this architecture? */
bool sb_sandbox_available(void);

/* Install the filter for families[0..n): socket() of those fails with
 * SB_SANDBOX_ERRNO, everything else is allowed. The caller has set
 * no_new_privs (sb_test_become_nobody() does). 0 or -errno. */
int sb_sandbox(const int *families, size_t n);

/* SB_VM=1: inside the test VM (docs/VM-TESTS.md). */
bool sb_test_in_vm(void);

/* Why this kernel cannot create the socket (into why), or NULL when it
 * can. */
const char *sb_kernel_lacks(int family, int type, int protocol, const char *name, char *why,
			    size_t size);

/* Skip when the kernel lacks a family; in the VM, which has every one the
 * suites use, that is a failure instead. */
#define SB_NEED_KERNEL(family, type, protocol, name)                                     \
	do {                                                                             \
		char _why[128];                                                          \
		if (sb_kernel_lacks(family, type, protocol, name, _why, sizeof(_why))) { \
			ck_assert_msg(!sb_test_in_vm(), "in the VM: %s", _why);          \
			SB_SKIP("%s", _why);                                             \
		}                                                                        \
	} while (0)

/* Root to start the daemon, and a filter for this architecture. */
#define SB_NEED_SANDBOX()                                                           \
	do {                                                                        \
		SB_NEED_ROOT();                                                     \
		if (!sb_sandbox_available())                                        \
			SB_SKIP("no seccomp filter written for this architecture"); \
	} while (0)

/* n bytes at got must equal want; on a difference, both go to the log. */
#define CHECK_BYTES(got, want, n)                                                                \
	do {                                                                                     \
		if (memcmp((got), (want), (n)) != 0) {                                           \
			fprintf(stderr, "%s:%d: %s differs from %s\n", __FILE__, __LINE__, #got, \
				#want);                                                          \
			sb_print_hex("got ", (got), (n));                                        \
			sb_print_hex("want", (want), (n));                                       \
			return 1;                                                                \
		}                                                                                \
	} while (0)

void sb_print_hex(const char *label, const void *data, size_t n);

/* Wait until fd is readable; false after a time generous for a VM under
 * software emulation on busy cores. */
bool sb_vm_readable(int fd);

/* What a sandboxed client is: the families its filter refuses, a check run
 * right after the filter is in place (that it holds), and its work. */
struct sb_sandboxed_client {
	const int *families;
	size_t n_families;
	int (*blocked)(void);
	int (*fn)(void);
};

/* Start d with policy_text, run c in a forked child that becomes nobody
 * and installs its filter, and stop d. The child's messages go to the
 * log; the test fails with the first one unless the child exits 0. */
void sb_run_sandboxed(struct sb_test_daemon *d, const char *policy_text,
		      const struct sb_sandboxed_client *c);
