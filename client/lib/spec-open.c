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
	struct sb_socket_call call;
	int fd, r;

	r = sb_spec_socket_call(spec, &call, err);
	if (r < 0)
		return r;
	if (spec->backlog == SB_SPEC_LISTEN_AUTO && o->listen_auto && spec->has_address &&
	    sb_spec_can_listen(spec))
		call.backlog = SOMAXCONN;
	r = o->call(o, &sb_socket_call_def, &call, -1, &fd);
	json_object_put(call.bind);
	return r < 0 ? r : fd;
}

/* The socket itself: the caller's own, else the broker's. */
static int create(const struct sb_spec *spec, struct sb_opener *o, struct sb_error *err)
{
	int cloexec = (o->recv_flags & MSG_CMSG_CLOEXEC) ? SOCK_CLOEXEC : 0;
	int flags = spec->type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct sb_socket_call call =
		SB_SOCKET_CALL_INIT(spec->family, spec->type & ~flags, flags, spec->protocol);
	int fd, r;

	fd = socket(spec->family, spec->type | cloexec, spec->protocol);
	if (fd >= 0 || !socket_refused(errno))
		return fd >= 0 ? fd : local_error(err, "socket");
	r = o->call(o, &sb_socket_call_def, &call, -1, &fd);
	return r < 0 ? r : fd;
}

static int set_option(int fd, const struct sb_spec_option *opt, struct sb_opener *o,
		      struct sb_error *err)
{
	const struct sb_sockopt_def *def = opt->def;
	/* U32 values travel in the int the kernel reads them from. */
	int value = (int)(uint32_t)opt->value;
	struct sb_setsockopt_call call = {.fd = 0};
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
	sb_spec_option_sockopt(opt, &call.opt);
	return o->call(o, &sb_setsockopt_call_def, &call, fd, NULL);
}

static int bind_address(int fd, const struct sb_spec *spec, struct sb_opener *o,
			struct sb_error *err)
{
	const struct sockaddr *sa = (const struct sockaddr *)&spec->address;
	struct sb_bind_call call = {.fd = 0};
	json_object *address;
	int family, type;

	if (bind(fd, sa, spec->address_len) == 0)
		return 0;
	if (!needs_privilege(errno))
		return local_error(err, "bind");
	/* The address shape of CAN and Bluetooth follows the protocol the
	 * kernel chose for 0. */
	if (sb_socket_identity(fd, &family, &type, &call.protocol) < 0)
		call.protocol = spec->protocol;
	/* An address the broker could not take fails here, in its words. */
	address = sb_addr_to_json(sa, spec->address_len, call.protocol, err);
	if (!address)
		return -err->errnum;
	json_object_put(address);
	memcpy(&call.sa, sa, spec->address_len);
	call.sa_len = spec->address_len;
	return o->call(o, &sb_bind_call_def, &call, fd, NULL);
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
