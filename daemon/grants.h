/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The grant registry: sockets handed out, for sockbrokerctl list. The
 * daemon keeps no reference to them (that would keep them open); a grant
 * is alive while some process still holds a descriptor for its inode. */
#pragma once

#include <json-c/json.h>
#include <sys/socket.h>

#include "daemon/server.h"
#include "daemon/sockinfo.h"

struct sb_grants *sb_grants_new(size_t capacity);
void sb_grants_free(struct sb_grants *g);
/* Record a grant of fd (still open here) to c's peer; address (may be
 * NULL) is the local address, a reference is taken. */
void sb_grants_add(struct sb_grants *g, const struct sb_client *c, int fd,
		   const struct sb_sockinfo *si, json_object *address);
/* At offset 0, forget grants whose socket is closed everywhere; return
 * grants [offset, offset + limit) as a JSON array (org.sockbroker.admin.Grant
 * objects) and their total in *total. */
json_object *sb_grants_list(struct sb_grants *g, size_t offset, size_t limit, size_t *total);
size_t sb_grants_count(const struct sb_grants *g);
