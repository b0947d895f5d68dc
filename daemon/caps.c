/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <cap-ng.h>
#include <stdbool.h>
#include <sys/prctl.h>

#include "daemon/caps.h"
#include "daemon/log.h"

/* What brokering needs (docs/SECURITY.md): raw and packet sockets, netlink group
 * binds and privileged options (NETLINK_LISTEN_ALL_NSID wants
 * CAP_NET_BROADCAST), low ports, the client's fsuid/fsgid, and entering
 * named network namespaces. */
static const struct {
	int cap;
	const char *name;
	const char *without; /* what fails without it */
	bool optional;	     /* the unit goes without it: no warning */
} needed[] = {
	{CAP_NET_RAW, "CAP_NET_RAW", "raw and packet sockets", false},
	{CAP_NET_ADMIN, "CAP_NET_ADMIN", "netlink group binds and privileged options", false},
	{CAP_NET_BROADCAST, "CAP_NET_BROADCAST", "NETLINK_LISTEN_ALL_NSID", false},
	{CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE", "binds of privileged ports", false},
	{CAP_SETUID, "CAP_SETUID", "sockets owned by their client", false},
	{CAP_SETGID, "CAP_SETGID", "sockets owned by their client's group", false},
	{CAP_SYS_ADMIN, "CAP_SYS_ADMIN", "requests with netns", true},
};

/* A daemon started without what it needs would only refuse requests
 * later, one by one: say so at start, once per capability. */
static void report_missing(const bool *have)
{
	size_t n_required = 0, n_missing = 0;

	for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
		n_required += !needed[i].optional;
		n_missing += !needed[i].optional && !have[i];
	}
	if (n_missing == n_required)
		log_warn("started without any of the capabilities brokering needs: "
			 "every request that needs privilege will fail (see sockbrokerd(8))");
	for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
		if (have[i])
			continue;
		log_full(needed[i].optional ? LOG_INFO : LOG_WARNING,
			 "started without %s: %s will fail", needed[i].name, needed[i].without);
	}
}

int sb_caps_restrict(void)
{
	capng_select_t what = CAPNG_SELECT_CAPS;
	bool have[ELEMENTSOF(needed)];

	capng_get_caps_process();
	/* Keep what we need and have; never ask for more than we hold. */
	for (size_t i = 0; i < ELEMENTSOF(needed); i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, (unsigned)needed[i].cap);
	report_missing(have);
	/* Changing the bounding set needs CAP_SETPCAP; without it (a unit
	 * that already restricts us) the other sets are enough. */
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		what = CAPNG_SELECT_BOTH;
	capng_clear(CAPNG_SELECT_BOTH);
	for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
		if (!have[i])
			continue;
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned)needed[i].cap);
		if (what == CAPNG_SELECT_BOTH)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, (unsigned)needed[i].cap);
	}
	if (capng_apply(what) < 0) {
		log_error("cannot drop capabilities");
		return -EPERM;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
