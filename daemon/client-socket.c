/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon/client-socket.h"

int sb_request_client_socket(struct sb_request *req, const char *const *keys,
			     struct sb_sockinfo *si)
{
	json_object *params = req->call->parameters;
	int64_t index;
	int r;

	r = sb_params_only(params, keys, &req->error);
	if (r < 0)
		return r;
	r = sb_param_int(params, "fd", true, 0, 0, &index, &req->error);
	if (r < 0)
		return r;
	r = sb_sockinfo_get(req->frame->fds[0], si, &req->error);
	if (r < 0)
		return r;
	return req->frame->fds[0];
}
