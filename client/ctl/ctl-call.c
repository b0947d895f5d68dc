/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <string.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-error.h"
#include "proto/codec.h"
#include "proto/json-util.h"

static int connect_broker(struct ctl *ctl)
{
	int r;

	if (ctl->conn)
		return 0;
	r = sb_conn_open(ctl->socket_path, &ctl->conn);
	if (r < 0) {
		ctl_error("cannot connect to the broker at %s: %s", ctl->socket_path, strerror(-r));
		return CTL_EXIT_UNREACHABLE;
	}
	return 0;
}

int ctl_call(struct ctl *ctl, const char *what, const struct sb_message_def *def, const void *args,
	     const int *fds, size_t n_fds, int recv_flags, struct sb_result *res)
{
	struct sb_wire w;
	int r;

	memset(res, 0, sizeof(*res));
	res->fd = -1;
	r = connect_broker(ctl);
	if (r != 0)
		return r;
	/* The codec's writer, as the library's: the same call is the same
	 * bytes from either. */
	if (sb_call_write(def, args, &w) < 0) {
		ctl_error("%s: out of memory", what);
		return CTL_EXIT_FAILED;
	}
	r = sb_conn_call(ctl->conn, w.text, w.len, fds, n_fds, recv_flags, res);
	sb_wire_done(&w);
	if (r >= 0)
		return CTL_EXIT_OK;
	/* error.name points into the reply: decide before releasing it. */
	if (res->error.name) {
		ctl_error("%s: %s", what, res->error.message);
		r = CTL_EXIT_FAILED;
	} else {
		ctl_error("%s: lost the connection to the broker at %s: %s", what, ctl->socket_path,
			  res->error.message);
		r = CTL_EXIT_UNREACHABLE;
	}
	sb_result_done(res);
	res->error.name = NULL;
	return r;
}

int ctl_bad_reply(const char *what, const struct sb_error *err)
{
	ctl_error("%s: unexpected reply from the broker: %s", what, err->message);
	return CTL_EXIT_FAILED;
}

void ctl_disconnect(struct ctl *ctl)
{
	ctl->conn = sb_conn_free(ctl->conn);
}

int ctl_reply_strings(json_object *a, const char *key, size_t max_len, json_object **ret,
		      struct sb_error *err)
{
	json_object *copy;
	size_t n;

	copy = json_object_new_array();
	if (!copy)
		return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
	n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string) ||
		    strlen(json_object_get_string(v)) > max_len) {
			json_object_put(copy);
			return sb_error_param(err, key,
					      "%s[%zu]: expected a string of at most %zu bytes",
					      key, i, max_len);
		}
		if (sb_json_append(copy, json_object_new_string(json_object_get_string(v))) < 0) {
			json_object_put(copy);
			return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
		}
	}
	*ret = copy;
	return 0;
}
