/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Address text <-> struct sockaddr, for programs: the codec of proto/
 * in the public API's convention. */
#include <string.h>

#include "client/lib/internal.h"
#include "proto/addr.h"

_public_ int sockbroker_addr_parse(int family, int protocol, const char *text,
				   struct sockaddr *addr, socklen_t *addrlen)
{
	struct sockaddr_storage ss;
	struct sb_error err;
	socklen_t len;
	int r;

	if (!text || !addr || !addrlen)
		return sb_fail(-EINVAL, NULL);
	r = sb_addr_from_text(text, family, protocol, &ss, &len, &err);
	if (r < 0)
		return sb_fail(r, NULL);
	if (len > *addrlen) {
		*addrlen = len;
		return sb_fail(-ENOSPC, NULL);
	}
	memcpy(addr, &ss, len);
	*addrlen = len;
	return 0;
}

_public_ int sockbroker_addr_format(const struct sockaddr *addr, socklen_t addrlen, int protocol,
				    char *buf, size_t size)
{
	struct sb_error err;
	int r;

	if (!addr || !buf || size == 0 || addrlen < sizeof(sa_family_t))
		return sb_fail(-EINVAL, NULL);
	r = sb_addr_to_text(addr, addrlen, protocol, buf, size, &err);
	if (r < 0)
		return sb_fail(r, NULL);
	return 0;
}
