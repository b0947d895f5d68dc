/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon/client.h"
#include "daemon/offload.h"
#include "daemon/request.h"

void sb_request_defer(struct sb_request *req, struct sb_offload *op)
{
	struct sb_client *c = req->conn;

	op->conn = c;
	op->owner = sb_client_owner(c);
	op->method = req->method_name;
	op->oneway = req->call->oneway;
	op->fd = sb_frame_take_fd(req->frame, 0);
	c->offload = op;
	sb_offload_submit(op);
}

int sb_request_not_found(struct sb_request *req, const char *name, int errnum, const char *key,
			 const char *value, size_t len, const char *what)
{
	struct sb_json_builder b = sb_json_new_object();

	/* Without them the error still goes out, naming less. */
	sb_json_set(&b, key, json_object_new_string_len(value, (int)len));
	req->error_params = sb_json_done(&b);
	return sb_error_set(&req->error, name, errnum, NULL, "%s %.*s", what, (int)len, value);
}

int sb_error_interface_not_found(struct sb_request *req, const char *interface, size_t len)
{
	return sb_request_not_found(req, SB_ERR_INTERFACE_NOT_FOUND, ENOENT, "interface", interface,
				    len, "no interface");
}
