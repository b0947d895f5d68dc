/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbroker_bind(): the broker binds a socket the caller owns. */
#include <string.h>
#include <sys/socket.h>

#include "client/lib/internal.h"
#include "proto/addr.h"
#include "proto/codec.h"
#include "proto/message.h"
#include "proto/protocol.h"
#include "proto/socket-identity.h"

int sb_addr_json(const struct sockaddr *addr, socklen_t addrlen, int protocol, json_object **ret)
{
	struct sb_error err;

	if (!addr)
		return addrlen > 0 ? -EFAULT : -EINVAL;
	if (addrlen < sizeof(sa_family_t) || addrlen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	*ret = sb_addr_to_json(addr, addrlen, protocol, &err);
	return *ret ? 0 : -err.errnum;
}

/* The local address before the call, to tell after a broken connection
 * whether the broker got to bind: binding twice fails, so Bind is only
 * repeated when the address has not changed. */
struct bind_state {
	int fd;
	bool known;
	socklen_t len;
	struct sockaddr_storage before;
};

static bool bind_not_applied(const struct sb_call_msg *m)
{
	const struct bind_state *st = m->userdata;
	struct sockaddr_storage now;
	socklen_t len = sizeof(now);

	if (!st->known || getsockname(st->fd, (struct sockaddr *)&now, &len) < 0)
		return false;
	return len == st->len && memcmp(&now, &st->before, len) == 0;
}

int sb_socket_domain(int fd, int *ret)
{
	socklen_t len = sizeof(*ret);

	if (fd < 0)
		return -EBADF;
	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, ret, &len) < 0 ? -errno : 0;
}

/* Check that addr suits the socket, as bind(2) would (an RDS socket takes
 * a sockaddr_in), and find the socket's protocol for the families whose
 * address shape needs it: the broker reads an address by the socket's
 * family, so a mismatch must be caught here. */
static int socket_protocol(int fd, int domain, int family, int *ret)
{
	int type;

	if (sb_addr_bind_family(domain) != family)
		return -EAFNOSUPPORT;
	*ret = 0;
	/* Only CAN and Bluetooth addresses depend on the protocol. */
	if (family != AF_CAN && family != AF_BLUETOOTH)
		return 0;
	return sb_socket_identity(fd, &domain, &type, ret);
}

_public_ int sockbroker_bind_at(struct sockbroker *sb, int fd, const struct sockaddr *addr,
				socklen_t addrlen)
{
	struct bind_state st = {.fd = fd, .len = sizeof(st.before)};
	struct sb_call_msg m = {
		.fds = &fd,
		.n_fds = 1,
		.may_repeat = bind_not_applied,
		.userdata = &st,
	};
	struct sb_bind_call call = {.fd = 0};
	struct sb_result res;
	struct sb_wire w;
	json_object *address;
	int domain, r;

	/* The descriptor before the address, in bind(2)'s order. */
	r = sb_socket_domain(fd, &domain);
	if (r < 0)
		return sb_fail(r, NULL);
	if (!addr)
		return sb_fail(addrlen > 0 ? -EFAULT : -EINVAL, NULL);
	if (addrlen < sizeof(sa_family_t) || addrlen > sizeof(struct sockaddr_storage))
		return sb_fail(-EINVAL, NULL);
	r = socket_protocol(fd, domain, addr->sa_family, &call.protocol);
	if (r < 0)
		return sb_fail(r, NULL);
	memcpy(&call.sa, addr, addrlen);
	call.sa_len = addrlen;
	r = sb_call_write(&sb_bind_call_def, &call, &w);
	if (r < 0) {
		/* An address the broker could not take, or out of memory:
		 * the address's own error says which. */
		int e = sb_addr_json(addr, addrlen, call.protocol, &address);

		if (e >= 0)
			json_object_put(address);
		return sb_fail(e < 0 ? e : r, NULL);
	}
	m.text = w.text;
	m.len = w.len;
	st.known = getsockname(fd, (struct sockaddr *)&st.before, &st.len) == 0;

	r = sb_handle_call(sb, &m, &res);
	sb_wire_done(&w);
	if (r < 0)
		sb_fail(r, &res);
	sb_result_done(&res);
	return r < 0 ? -1 : 0;
}

_public_ int sockbroker_bind(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	return sockbroker_bind_at(NULL, fd, addr, addrlen);
}
