/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbroker_setsockopt(): the broker sets a privileged option on a
 * socket the caller owns. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client/lib/internal.h"
#include "proto/json-util.h"
#include "proto/optval.h"
#include "proto/protocol.h"

/* Options whose value is a string rather than an int (SO_BINDTODEVICE,
 * TCP_CONGESTION). */
static bool is_text_option(int level, int optname)
{
	return sb_optval_is_text(level, optname);
}

/* Check optval/optlen the way the public functions document it. */
static int check_optval(int level, int optname, const void *optval, socklen_t optlen)
{
	if (optlen > SB_OPTVAL_MAX)
		return -EINVAL;
	if (!optval && optlen > 0)
		return -EFAULT;
	if (!is_text_option(level, optname) && optlen != sizeof(int))
		return -EINVAL;
	return 0;
}

int sb_sockopt_to_json(json_object *obj, int level, int optname, const void *optval,
		       socklen_t optlen)
{
	json_object *v;
	int r;

	r = check_optval(level, optname, optval, optlen);
	if (r < 0)
		return r;
	if (is_text_option(level, optname)) {
		/* As the kernel reads it: up to the first NUL. */
		size_t len = optlen ? strnlen(optval, optlen) : 0;

		v = json_object_new_string_len(optlen ? optval : "", (int)len);
	} else {
		int value;

		memcpy(&value, optval, sizeof(value));
		v = json_object_new_int(value);
	}
	if (!v)
		return -ENOMEM;
	if (sb_json_add(obj, "level", json_object_new_int(level)) < 0 ||
	    sb_json_add(obj, "name", json_object_new_int(optname)) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return sb_json_add(obj, is_text_option(level, optname) ? "text" : "value", v);
}

_public_ int sockbroker_setsockopt_at(struct sockbroker *sb, int fd, int level, int optname,
				      const void *optval, socklen_t optlen)
{
	struct sb_result res;
	char text[160];
	int domain, n, r;

	/* The descriptor before the value, in setsockopt(2)'s order. */
	r = sb_socket_domain(fd, &domain);
	if (r < 0)
		return sb_fail(r, NULL);
	r = check_optval(level, optname, optval, optlen);
	if (r < 0)
		return sb_fail(r, NULL);

	if (is_text_option(level, optname)) {
		/* Strings need JSON escaping: let json-c write the call. */
		json_object *params = json_object_new_object();

		if (!params)
			return sb_fail(-ENOMEM, NULL);
		r = sb_json_add(params, "fd", json_object_new_int(0));
		if (r >= 0)
			r = sb_sockopt_to_json(params, level, optname, optval, optlen);
		if (r < 0) {
			json_object_put(params);
			return sb_fail(r, NULL);
		}
		r = sb_handle_call_method(sb, SB_METHOD_SETSOCKOPT, params, &fd, 0, NULL, NULL,
					  &res);
	} else {
		struct sb_call_msg m = {.fds = &fd, .n_fds = 1};
		int value;

		memcpy(&value, optval, sizeof(value));
		n = snprintf(text, sizeof(text),
			     "{\"method\":\"" SB_METHOD_SETSOCKOPT
			     "\",\"parameters\":{\"fd\":0,\"level\":%d,\"name\":%d,\"value\":%d}}",
			     level, optname, value);
		if (n < 0 || (size_t)n >= sizeof(text))
			return sb_fail(-EINVAL, NULL);
		m.text = text;
		m.len = (size_t)n;
		/* Setting an option again to the same value is harmless. */
		r = sb_handle_call(sb, &m, &res);
	}
	if (r < 0)
		sb_fail(r, &res);
	sb_result_done(&res);
	return r < 0 ? -1 : 0;
}

_public_ int sockbroker_setsockopt(int fd, int level, int optname, const void *optval,
				   socklen_t optlen)
{
	return sockbroker_setsockopt_at(NULL, fd, level, optname, optval, optlen);
}
