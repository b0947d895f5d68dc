/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket requests: everything the broker does to a socket before it
 * hands it over (options, bind, listen, network namespace), sent as one
 * Socket call. */
#include <string.h>
#include <sys/socket.h>

#include "client/internal.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

struct sockbroker_request {
	int family;
	int type; /* with SOCK_NONBLOCK / SOCK_CLOEXEC */
	int protocol;
	json_object *options; /* array of SocketOption; NULL: none */
	json_object *bind;    /* address object; NULL: not bound */
	int backlog;	      /* -1: no listen() */
	char *netns;	      /* NULL: the broker's own namespace */
};

_public_ struct sockbroker_request *sockbroker_request_new(int domain, int type, int protocol)
{
	struct sockbroker_request *req;
	int r = sb_check_type(type);

	if (r < 0)
		return sb_fail(r, NULL), NULL;
	req = calloc(1, sizeof(*req));
	if (!req)
		return sb_fail(-ENOMEM, NULL), NULL;
	req->family = domain;
	req->type = type;
	req->protocol = protocol;
	req->backlog = -1;
	return req;
}

_public_ void sockbroker_request_free(struct sockbroker_request *req)
{
	int saved = errno;

	if (!req)
		return;
	json_object_put(req->options);
	json_object_put(req->bind);
	free(req->netns);
	free(req);
	errno = saved;
}

_public_ int sockbroker_request_setsockopt(struct sockbroker_request *req, int level, int optname,
					   const void *optval, socklen_t optlen)
{
	json_object *opt;
	int r;

	if (!req)
		return sb_fail(-EINVAL, NULL);
	if (req->options && json_object_array_length(req->options) >= SB_OPTIONS_MAX)
		return sb_fail(-E2BIG, NULL);
	opt = json_object_new_object();
	if (!opt)
		return sb_fail(-ENOMEM, NULL);
	r = sb_sockopt_to_json(opt, level, optname, optval, optlen);
	if (r < 0)
		goto fail;
	if (!req->options) {
		req->options = json_object_new_array();
		if (!req->options) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (json_object_array_add(req->options, opt) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	json_object_put(opt);
	return sb_fail(r, NULL);
}

_public_ int sockbroker_request_bind(struct sockbroker_request *req, const struct sockaddr *addr,
				     socklen_t addrlen)
{
	json_object *address;
	int r;

	if (!req)
		return sb_fail(-EINVAL, NULL);
	r = sb_addr_json(addr, addrlen, req->protocol, &address);
	if (r < 0)
		return sb_fail(r, NULL);
	json_object_put(req->bind);
	req->bind = address;
	return 0;
}

_public_ int sockbroker_request_listen(struct sockbroker_request *req, int backlog)
{
	if (!req || backlog < 0 || backlog > 65535)
		return sb_fail(-EINVAL, NULL);
	req->backlog = backlog;
	return 0;
}

_public_ int sockbroker_request_netns(struct sockbroker_request *req, const char *name)
{
	char *copy = NULL;

	if (!req)
		return sb_fail(-EINVAL, NULL);
	if (name) {
		size_t len = strlen(name);

		/* A plain file name under /run/netns. */
		if (len == 0 || len > SB_NETNS_NAME_MAX || strchr(name, '/') ||
		    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return sb_fail(-EINVAL, NULL);
		copy = strdup(name);
		if (!copy)
			return sb_fail(-ENOMEM, NULL);
	}
	free(req->netns);
	req->netns = copy;
	return 0;
}

static int request_params(const struct sockbroker_request *req, json_object **ret)
{
	json_object *params = json_object_new_object(), *flags;
	int r;

	if (!params)
		return -ENOMEM;
	r = sb_type_flags_json(req->type, &flags);
	if (r >= 0)
		r = sb_json_add(params, "family", json_object_new_int(req->family));
	if (r >= 0)
		r = sb_json_add(params, "type", json_object_new_int(req->type & SOCK_TYPE_BITS));
	if (r >= 0 && flags)
		r = sb_json_add(params, "flags", flags);
	else
		json_object_put(flags);
	if (r >= 0)
		r = sb_json_add(params, "protocol", json_object_new_int(req->protocol));
	if (r >= 0 && req->options)
		r = sb_json_add(params, "options", json_object_get(req->options));
	if (r >= 0 && req->bind)
		r = sb_json_add(params, "bind", json_object_get(req->bind));
	if (r >= 0 && req->backlog >= 0)
		r = sb_json_add(params, "listen", json_object_new_int(req->backlog));
	if (r >= 0 && req->netns)
		r = sb_json_add(params, "netns", json_object_new_string(req->netns));
	if (r < 0) {
		json_object_put(params);
		return r;
	}
	*ret = params;
	return 0;
}

_public_ int sockbroker_socket_request(struct sockbroker *sb, const struct sockbroker_request *req)
{
	json_object *params;
	int r;

	if (!req)
		return sb_fail(-EINVAL, NULL);
	r = request_params(req, &params);
	if (r < 0)
		return sb_fail(r, NULL);
	return sb_socket_call(sb, params, req->type);
}
