/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbroker_setsockopt(): the broker sets a privileged option on a
 * socket the caller owns. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client/lib/internal.h"
#include "proto/codec.h"
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

_public_ int sockbroker_setsockopt_at(struct sockbroker *sb, int fd, int level, int optname,
				      const void *optval, socklen_t optlen)
{
	/* Setting an option again to the same value is harmless: the call
	 * may be repeated. */
	struct sb_call_msg m = {.fds = &fd, .n_fds = 1};
	struct sb_setsockopt_call call = {.fd = 0};
	char text[SB_OPTVAL_MAX + 1];
	struct sb_result res;
	int domain, r;

	/* The descriptor before the value, in setsockopt(2)'s order. */
	r = sb_socket_domain(fd, &domain);
	if (r < 0)
		return sb_fail(r, NULL);
	r = check_optval(level, optname, optval, optlen);
	if (r < 0)
		return sb_fail(r, NULL);

	/* An option the broker does not set goes by number all the same:
	 * its refusal says why. */
	call.opt = (struct sb_sockopt){
		.def = sb_sockopt_find(level, optname),
		.level = level,
		.name = optname,
	};
	if (is_text_option(level, optname)) {
		/* As the kernel reads it: up to the first NUL. */
		size_t len = optlen ? strnlen(optval, optlen) : 0;

		memcpy(text, optval, len);
		text[len] = 0;
		call.opt.text = text;
	} else {
		int value;

		memcpy(&value, optval, sizeof(value));
		call.opt.value = value;
	}
	r = sb_handle_call_def(sb, &sb_setsockopt_call_def, &call, &m, &res);
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
