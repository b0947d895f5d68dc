/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grant registry: sockets handed out, for sockbrokerctl list. The
 * daemon keeps no reference to them (that would keep them open); a grant
 * is alive while some process still holds a descriptor for its inode. */
#pragma once

#include <json-c/json.h>
#include <sys/socket.h>

#include "daemon/state.h"
#include "daemon/sockinfo.h"

struct sb_grants *sb_grants_new(size_t capacity);
void sb_grants_free(struct sb_grants *g);
/* Record a grant of fd (still open here) to c's peer: a socket it was
 * handed, or its own socket the daemon bound. address is the local
 * address (a reference is taken), or NULL with the IPv4 or IPv6 address
 * sa of sa_len bytes (or none: sa NULL). */
void sb_grants_add(struct sb_grants *g, const struct sb_client *c, int fd,
		   const struct sb_sockinfo *si, json_object *address, const struct sockaddr *sa,
		   socklen_t sa_len);
/* At offset 0, forget grants whose socket is closed everywhere and find
 * who holds the others (for one uid at most once a second: the scan of
 * /proc is the loop's); return the grants to uid ((uid_t)-1: to anyone,
 * the admin's listing)
 * [offset, offset + limit) as a JSON array (org.sockbroker.admin.Grant
 * objects, pid and comm those of a holder now) and their total in
 * *total; NULL when out of memory. */
json_object *sb_grants_list(struct sb_grants *g, uid_t uid, size_t offset, size_t limit,
			    size_t *total);
size_t sb_grants_count(const struct sb_grants *g);
