/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text form of a socket request:
 * FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS], e.g.
 * AF_INET:SOCK_STREAM@127.0.0.1:80, AF_PACKET:SOCK_RAW:ETH_P_ALL@lo or
 * AF_INET:SOCK_STREAM,SO_REUSEADDR,backlog=16@0.0.0.0:80. A PARAM is a
 * socket option the broker sets (NAME or NAME=VALUE), backlog=N,
 * nolisten or netns=NAME. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "error.h"
#include "protocol.h"
#include "sockopt.h"
#include "socket-msg.h"

/* One option, set before bind. */
struct sb_spec_option {
	const struct sb_sockopt_def *def;
	int64_t value; /* a BOOL is 0 or 1 */
	char text[16]; /* text options: an interface (IFNAMSIZ) or algorithm name */
};

/* backlog: listen() with this backlog (0..65535), or: */
#define SB_SPEC_LISTEN_AUTO (-1) /* what the tool does by default */
#define SB_SPEC_NO_LISTEN (-2)	 /* "nolisten" */

struct sb_spec {
	int family;
	int type;     /* may include SOCK_NONBLOCK / SOCK_CLOEXEC */
	int protocol; /* as socket() takes it */
	bool has_address;
	struct sockaddr_storage address;
	socklen_t address_len;
	struct sb_spec_option options[SB_OPTIONS_MAX];
	size_t n_options;
	int backlog;
	char netns[SB_NETNS_NAME_MAX + 1]; /* "": the broker's own namespace */
};

/* Whether the family has listening sockets of this type (AF_ALG and
 * AF_RDS sockets, for one, have none): where `sockbrokerctl run` listens
 * when the spec does not say. */
bool sb_spec_can_listen(const struct sb_spec *spec);

/* 0 or -errno with *err filled. */
int sb_spec_parse(const char *text, struct sb_spec *spec, struct sb_error *err);
/* Canonical text; parse(format(x)) == x. -ENOSPC when buf is too small. */
int sb_spec_format(const struct sb_spec *spec, char *buf, size_t size);
/* The org.sockbroker.Socket call for this spec (family, type, flags,
 * protocol, options, bind, listen when backlog is one, netns). Its
 * options and netns point into spec; its bind is a new object, the
 * caller's to put. 0 or -errno with *err filled. */
int sb_spec_socket_call(const struct sb_spec *spec, struct sb_socket_call *call,
			struct sb_error *err);
/* The same call's parameters. NULL on failure with *err filled. */
json_object *sb_spec_to_params(const struct sb_spec *spec, struct sb_error *err);
/* One option as the protocol's struct; its text points into o. */
void sb_spec_option_sockopt(const struct sb_spec_option *o, struct sb_sockopt *opt);
