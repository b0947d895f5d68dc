/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "daemon/client.h"
#include "daemon/fsid.h"
#include "daemon/log.h"
#include "daemon/peer-unit.h"

/* The peer's unit, read with its identity: /proc mounted
 * hidepid=invisible (ProtectProc=) shows a process only to an identity
 * that may ptrace-read it. */
static void read_unit(struct sb_client *c)
{
	char unit[SB_UNIT_NAME_MAX + 1];
	int r = -EPERM;

	if (sb_fsid_become(c->cred.uid, c->cred.gid))
		r = sb_peer_unit(c->fd, &c->cred, unit, sizeof(unit));
	if (r > 0)
		c->unit = strdup(unit);
	if (r > 0 && c->unit)
		c->unit_state = SB_CLIENT_UNIT_FOUND;
	else if (r == 0)
		c->unit_state = SB_CLIENT_UNIT_NONE;
	else
		c->unit_state = SB_CLIENT_UNIT_UNKNOWN;
	if (c->unit_state == SB_CLIENT_UNIT_UNKNOWN)
		log_info("uid=%u pid=%d: the unit is unknown (%s): decided as any unit's denials",
			 (unsigned)c->cred.uid, (int)c->cred.pid, strerror(r < 0 ? -r : ENOMEM));
}

void sb_client_subject(struct sb_client *c, struct sb_policy_subject *who)
{
	if (c->unit_state == SB_CLIENT_UNIT_UNREAD && sb_policy_names_units(c->server->policy))
		read_unit(c);
	who->uid = c->cred.uid;
	who->gid = c->cred.gid;
	who->groups = c->groups;
	who->n_groups = c->n_groups;
	who->unit = c->unit_state == SB_CLIENT_UNIT_FOUND ? c->unit : NULL;
	who->unit_unknown = c->unit_state == SB_CLIENT_UNIT_UNKNOWN;
}

uid_t sb_client_owner(const struct sb_client *c)
{
	return c->counted_uid;
}
