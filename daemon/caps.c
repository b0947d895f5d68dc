/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <cap-ng.h>
#include <stdbool.h>
#include <sys/prctl.h>

#include "daemon/caps.h"
#include "daemon/log.h"

/* What brokering needs (docs/SECURITY.md §2): raw and packet sockets, netlink group
 * binds and privileged options (NETLINK_LISTEN_ALL_NSID wants
 * CAP_NET_BROADCAST), low ports, the client's fsuid/fsgid, and entering
 * named network namespaces. */
static const int needed[] = {
	CAP_NET_RAW, CAP_NET_ADMIN, CAP_NET_BROADCAST, CAP_NET_BIND_SERVICE,
	CAP_SETUID, CAP_SETGID, CAP_SYS_ADMIN,
};

int sb_caps_restrict(void)
{
	capng_select_t what = CAPNG_SELECT_CAPS;
	bool have[ELEMENTSOF(needed)];

	capng_get_caps_process();
	/* Keep what we need and have; never ask for more than we hold. */
	for (size_t i = 0; i < ELEMENTSOF(needed); i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, (unsigned)needed[i]);
	/* Changing the bounding set needs CAP_SETPCAP; without it (a unit
	 * that already restricts us) the other sets are enough. */
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		what = CAPNG_SELECT_BOTH;
	capng_clear(CAPNG_SELECT_BOTH);
	for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
		if (!have[i])
			continue;
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned)needed[i]);
		if (what == CAPNG_SELECT_BOTH)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, (unsigned)needed[i]);
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
