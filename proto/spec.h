/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text form of a socket request: FAMILY:TYPE[:PROTOCOL][@ADDRESS], e.g.
 * AF_INET:SOCK_STREAM@127.0.0.1:80 or AF_PACKET:SOCK_RAW:ETH_P_ALL@lo. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "error.h"

struct sb_spec {
	int family;
	int type;      /* may include SOCK_NONBLOCK / SOCK_CLOEXEC */
	int protocol;  /* as socket() takes it */
	bool has_address;
	struct sockaddr_storage address;
	socklen_t address_len;
};

/* 0 or -errno with *err filled. */
int sb_spec_parse(const char *text, struct sb_spec *spec, struct sb_error *err);
/* Canonical text; parse(format(x)) == x. -ENOSPC when buf is too small. */
int sb_spec_format(const struct sb_spec *spec, char *buf, size_t size);
/* Parameters of an org.sockbroker.Socket call for this spec (family,
 * type, flags, protocol, bind). NULL on failure with *err filled. */
json_object *sb_spec_to_params(const struct sb_spec *spec, struct sb_error *err);
