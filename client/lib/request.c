/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Socket requests: the socket, its options, a bind, listen() and a
 * network namespace, collected as a socket spec (proto/spec.h) and
 * carried out as the text form's are: what the caller may do itself
 * here, the rest by the broker. */
#include <string.h>
#include <sys/socket.h>

#include "client/lib/internal.h"
#include "proto/netns-name.h"
#include "proto/protocol.h"
#include "proto/spec.h"

struct sockbroker_request {
	struct sb_spec spec;
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
	req->spec.family = domain;
	req->spec.type = type;
	req->spec.protocol = protocol;
	req->spec.backlog = SB_SPEC_LISTEN_AUTO;
	return req;
}

_public_ void sockbroker_request_free(struct sockbroker_request *req)
{
	int saved = errno;

	free(req);
	errno = saved;
}

/* One option of the broker's table (proto/sockopt.c), its value read as
 * setsockopt(2) would. */
static int option_of(int level, int optname, const void *optval, socklen_t optlen,
		     struct sb_spec_option *o)
{
	const struct sb_sockopt_def *def = sb_sockopt_find(level, optname);
	int value;

	if (!def)
		return -EOPNOTSUPP;
	if (!optval && optlen > 0)
		return -EFAULT;
	*o = (struct sb_spec_option){.def = def};
	if (sb_sockopt_is_text(def)) {
		/* As the kernel reads it: up to the first NUL. */
		size_t len = optlen ? strnlen(optval, optlen) : 0;

		if (len >= sizeof(o->text))
			return -EINVAL;
		memcpy(o->text, optval, len);
		return sb_sockopt_text_valid(def, o->text) ? 0 : -EINVAL;
	}
	if (optlen != sizeof(int))
		return -EINVAL;
	memcpy(&value, optval, sizeof(value));
	if (def->kind == SB_OPTVAL_U32)
		o->value = (uint32_t)value;
	else if (def->kind == SB_OPTVAL_BOOL)
		o->value = value != 0;
	else
		o->value = value;
	return 0;
}

_public_ int sockbroker_request_setsockopt(struct sockbroker_request *req, int level, int optname,
					   const void *optval, socklen_t optlen)
{
	int r;

	if (!req)
		return sb_fail(-EINVAL, NULL);
	if (req->spec.n_options >= SB_OPTIONS_MAX)
		return sb_fail(-E2BIG, NULL);
	if (optlen > SB_OPTVAL_MAX)
		return sb_fail(-EINVAL, NULL);
	r = option_of(level, optname, optval, optlen, &req->spec.options[req->spec.n_options]);
	if (r < 0)
		return sb_fail(r, NULL);
	req->spec.n_options++;
	return 0;
}

_public_ int sockbroker_request_bind(struct sockbroker_request *req, const struct sockaddr *addr,
				     socklen_t addrlen)
{
	json_object *address;
	int r;

	if (!req)
		return sb_fail(-EINVAL, NULL);
	/* An address the broker could not take is refused now. */
	r = sb_addr_json(addr, addrlen, req->spec.protocol, &address);
	if (r < 0)
		return sb_fail(r, NULL);
	json_object_put(address);
	memset(&req->spec.address, 0, sizeof(req->spec.address));
	memcpy(&req->spec.address, addr, addrlen);
	req->spec.address_len = addrlen;
	req->spec.has_address = true;
	return 0;
}

_public_ int sockbroker_request_listen(struct sockbroker_request *req, int backlog)
{
	if (!req || backlog < 0 || backlog > 65535)
		return sb_fail(-EINVAL, NULL);
	req->spec.backlog = backlog;
	return 0;
}

_public_ int sockbroker_request_netns(struct sockbroker_request *req, const char *name)
{
	if (!req)
		return sb_fail(-EINVAL, NULL);
	if (name) {
		/* The daemon's rule, so the broker is not asked in vain. */
		if (!sb_netns_name_valid(name))
			return sb_fail(-EINVAL, NULL);
		memcpy(req->spec.netns, name, strlen(name) + 1);
	} else {
		req->spec.netns[0] = '\0';
	}
	return 0;
}

_public_ int sockbroker_socket_request(struct sockbroker *sb, const struct sockbroker_request *req)
{
	if (!req)
		return sb_fail(-EINVAL, NULL);
	return sb_spec_socket(sb, &req->spec);
}
