/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/lib/spec-open.h"
#include "proto/addr.h"
#include "proto/consts.h"
#include "proto/json-util.h"
#include "proto/protocol.h"
#include "proto/socket-identity.h"

/* What a lack of privilege looks like: the kernel's EPERM or EACCES (an
 * LSM or seccomp may say either). */
static bool needs_privilege(int errnum)
{
	return errnum == EPERM || errnum == EACCES;
}

/* A socket() the broker may make instead: one refused for lack of
 * privilege, or by a sandbox's family filter, which answers EAFNOSUPPORT
 * (systemd's RestrictAddressFamilies=). A family the kernel lacks gets
 * the broker's own refusal. */
static bool socket_refused(int errnum)
{
	return needs_privilege(errnum) || errnum == EAFNOSUPPORT;
}

static int local_error(struct sb_error *err, const char *what)
{
	return sb_error_set(err, SB_ERR_SYSTEM, errno, NULL, "%s: %m", what);
}

/* The whole spec by the broker: a socket in another network namespace
 * is only the broker's to make. */
static int open_by_broker(const struct sb_spec *spec, struct sb_opener *o, struct sb_error *err)
{
	json_object *params = sb_spec_to_params(spec, err);
	int fd, r;

	if (!params)
		return -err->errnum;
	if (spec->backlog == SB_SPEC_LISTEN_AUTO && o->listen_auto && spec->has_address &&
	    sb_spec_can_listen(spec) &&
	    sb_json_add(params, "listen", json_object_new_int(SOMAXCONN)) < 0) {
		json_object_put(params);
		return sb_error_set(err, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	}
	r = o->call(o, SB_METHOD_SOCKET, params, -1, &fd);
	return r < 0 ? r : fd;
}

/* The socket itself: the caller's own, else the broker's. */
static int create(const struct sb_spec *spec, struct sb_opener *o, struct sb_error *err)
{
	int cloexec = (o->recv_flags & MSG_CMSG_CLOEXEC) ? SOCK_CLOEXEC : 0;
	struct sb_spec bare = {
		.family = spec->family,
		.type = spec->type,
		.protocol = spec->protocol,
		.backlog = SB_SPEC_LISTEN_AUTO,
	};
	json_object *params;
	int fd, r;

	fd = socket(spec->family, spec->type | cloexec, spec->protocol);
	if (fd >= 0 || !socket_refused(errno))
		return fd >= 0 ? fd : local_error(err, "socket");
	params = sb_spec_to_params(&bare, err);
	if (!params)
		return -err->errnum;
	r = o->call(o, SB_METHOD_SOCKET, params, -1, &fd);
	return r < 0 ? r : fd;
}

static int set_option(int fd, const struct sb_spec_option *opt, struct sb_opener *o,
		      struct sb_error *err)
{
	const struct sb_sockopt_def *def = opt->def;
	/* U32 values travel in the int the kernel reads them from. */
	int value = (int)(uint32_t)opt->value;
	json_object *params;
	int r;

	if (sb_sockopt_is_text(def))
		r = setsockopt(fd, def->level, def->name, opt->text, (socklen_t)strlen(opt->text));
	else
		r = setsockopt(fd, def->level, def->name, &value, sizeof(value));
	if (r == 0)
		return 0;
	if (!def->privileged || !needs_privilege(errno))
		return sb_error_set(err, SB_ERR_SYSTEM, errno, NULL, "setsockopt %s: %m",
				    sb_sockopt_name(def));
	params = sb_spec_option_json(opt);
	if (!params || sb_json_add(params, "fd", json_object_new_int(0)) < 0) {
		json_object_put(params);
		return sb_error_set(err, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	}
	return o->call(o, SB_METHOD_SETSOCKOPT, params, fd, NULL);
}

static int bind_address(int fd, const struct sb_spec *spec, struct sb_opener *o,
			struct sb_error *err)
{
	const struct sockaddr *sa = (const struct sockaddr *)&spec->address;
	json_object *params, *address;
	int family, type, protocol;

	if (bind(fd, sa, spec->address_len) == 0)
		return 0;
	if (!needs_privilege(errno))
		return local_error(err, "bind");
	/* The address shape of CAN and Bluetooth follows the protocol the
	 * kernel chose for 0. */
	if (sb_socket_identity(fd, &family, &type, &protocol) < 0)
		protocol = spec->protocol;
	address = sb_addr_to_json(sa, spec->address_len, protocol, err);
	if (!address)
		return -err->errnum;
	params = json_object_new_object();
	if (!params || sb_json_add(params, "fd", json_object_new_int(0)) < 0 ||
	    sb_json_add(params, "address", address) < 0) {
		json_object_put(params);
		return sb_error_set(err, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory");
	}
	return o->call(o, SB_METHOD_BIND, params, fd, NULL);
}

int sb_spec_open(const struct sb_spec *spec, struct sb_opener *o, struct sb_error *err)
{
	_cleanup_close_ int fd = -1;
	int backlog = spec->backlog, r;

	err->message[0] = 0;
	if (spec->netns[0])
		return open_by_broker(spec, o, err);
	fd = create(spec, o, err);
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < spec->n_options; i++) {
		r = set_option(fd, &spec->options[i], o, err);
		if (r < 0)
			return r;
	}
	if (spec->has_address) {
		r = bind_address(fd, spec, o, err);
		if (r < 0)
			return r;
	}
	if (backlog == SB_SPEC_LISTEN_AUTO && o->listen_auto && spec->has_address &&
	    sb_spec_can_listen(spec))
		backlog = SOMAXCONN;
	if (backlog >= 0 && listen(fd, backlog) < 0)
		return local_error(err, "listen");
	return TAKE_FD(fd);
}
