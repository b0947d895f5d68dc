/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A socket spec carried out with the caller's own privileges where they
 * suffice, the broker asked only for the rest: an ordinary TCP socket
 * bound to port 80 needs only the broker's Bind (a bind rule), a packet
 * socket bound to an interface only its Socket (a socket rule). Shared by
 * sockbrokerctl run and libsockbroker's spec and request calls. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "proto/messages.h"
#include "proto/spec.h"

struct sb_opener {
	/* Make the call def defines with args (proto/messages.h) and, when
	 * fd >= 0, that descriptor. Returns 0, with *ret_fd the socket the
	 * reply carried (-1 when none), or -errno after reporting the
	 * failure itself. */
	int (*call)(struct sb_opener *o, const struct sb_message_def *def, const void *args, int fd,
		    int *ret_fd);
	/* MSG_CMSG_CLOEXEC: the socket is close-on-exec, whoever creates
	 * it. */
	int recv_flags;
	/* Listen on a bound connection socket of a family that can when
	 * the spec does not say (sb_spec_can_listen()), as socket
	 * activation wants. */
	bool listen_auto;
};

/* The socket spec asks for, or -errno: the failure of a call was
 * reported by o->call (err->message is then empty), a local one is in
 * *err. With netns the broker does all, in that namespace. */
int sb_spec_open(const struct sb_spec *spec, struct sb_opener *o, struct sb_error *err);
