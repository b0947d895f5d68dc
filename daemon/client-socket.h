/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The caller's own socket, for the methods acting on it (Bind,
 * SetSockOpt): sent as the call's descriptor 0. */
#pragma once

#include "daemon/request.h"
#include "daemon/client-fd.h"

/* Check the parameters are among keys and "fd" is 0, and read what the
 * socket really is. Returns the descriptor (still owned by the frame) or
 * -errno with req->error filled. */
int sb_request_client_socket(struct sb_request *req, const char *const *keys,
			     struct sb_sockinfo *si);
