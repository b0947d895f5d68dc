/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The access policy: a doas.conf-like rule file, last match wins, deny by
 * default for every uid, root included. See sockbroker-policy(5). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

enum sb_policy_method {
	SB_PM_SOCKET,
	SB_PM_BIND,
	SB_PM_SETSOCKOPT,
	SB_PM_ADMIN,
	SB_PM_MAX,
};

/* Who asks: from SO_PEERCRED / SO_PEERGROUPS, and the systemd unit of
 * its cgroup (peer-unit.h). */
struct sb_policy_subject {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
	const char *unit; /* NULL: in no unit, or not known */
	/* The unit could not be read: every "deny unit:" rule matches, no
	 * "allow unit:" rule does (a client must not escape a denial by
	 * hiding its unit). */
	bool unit_unknown;
};

/* What is asked, in policy terms. Fields that do not apply are -1 (ints),
 * NULL (pointers) or false. */
struct sb_policy_request {
	enum sb_policy_method method;
	int family;
	int type;     /* without SOCK_NONBLOCK / SOCK_CLOEXEC */
	int protocol; /* as socket() takes it (AF_PACKET: network order) */
	int port;     /* bind: the address's port (INET/INET6/SCTP/RDS/VSOCK), else -1 */
	int group;    /* bind: one netlink multicast group (1-32), else -1 */
	int psm;      /* bind: the PSM of an L2CAP address, else -1 */
	int channel;  /* bind: the channel of an RFCOMM or HCI address, else -1 */
	const struct sockaddr *address; /* bind: the address, for address= */
	socklen_t address_len;
	int level;  /* setsockopt */
	int option; /* setsockopt */
	bool has_value;
	int64_t value;	  /* setsockopt integer value */
	const char *text; /* setsockopt: a value set from text (TCP_CONGESTION) */
	/* setsockopt: the interface SO_BINDTODEVICE or SO_BINDTOIFINDEX
	 * binds to; NULL when it unbinds */
	const char *interface;
	const char *netns; /* NULL: the daemon's own network namespace */
};

/* A request with every field "does not apply". */
void sb_policy_request_init(struct sb_policy_request *req, enum sb_policy_method method);

struct sb_decision {
	bool allow;
	/* "file:line" of the deciding rule, or "default"; valid while the
	 * policy lives. */
	const char *rule;
};

struct sb_policy;
struct sb_subids;

/* The rules in force when no policy file exists, those of the shipped
 * policy.conf: root may ask for anything, in any namespace. They are
 * rules like any other, shown as "(built-in):LINE". */
#define SB_POLICY_BUILTIN_NAME "(built-in)"
#define SB_POLICY_BUILTIN     \
	"allow user:root *\n" \
	"allow user:root * netns=*\n"

/* Load path and then every *.conf in policy.d/ beside it, in name order
 * (a missing policy.d is fine; a missing main file is an error, -ENOENT).
 * On a bad file nothing is returned and errbuf holds "file:line: reason".
 * 0 or -errno. */
int sb_policy_load(const char *path, struct sb_policy **ret, char *errbuf, size_t errsize);
/* Parse rules from a string; filename is used in rule names and errors. */
int sb_policy_parse_string(const char *text, const char *filename, struct sb_policy **ret,
			   char *errbuf, size_t errsize);
void sb_policy_free(struct sb_policy *p);

/* Decide. Cost depends on the rules that can apply to this subject, not
 * on the total number of rules. */
void sb_policy_check(const struct sb_policy *p, const struct sb_policy_subject *who,
		     const struct sb_policy_request *req, struct sb_decision *ret);

/* Decide subordinate ids as their owners (subid.h) from now on; p takes
 * t, which may be NULL. */
void sb_policy_set_subids(struct sb_policy *p, struct sb_subids *t);
const struct sb_subids *sb_policy_subids(const struct sb_policy *p);

size_t sb_policy_rule_count(const struct sb_policy *p);
/* The files the policy was read from, in load order. */
size_t sb_policy_files(const struct sb_policy *p, const char *const **ret);
/* Does any rule name a unit:? Only then is a client's unit read. */
bool sb_policy_names_units(const struct sb_policy *p);
/* Whether an allow rule for method m lists family in its family= (a rule
 * without family= names none). */
bool sb_policy_names_family(const struct sb_policy *p, enum sb_policy_method m, int family);

/* Build a request from "key" -> "value" text pairs as the policy file
 * writes them (family=AF_PACKET, port=80, value=0x100, value=cubic,
 * address=127.0.0.1, option=SO_MARK, interface=eth0, groups=3, psm=0x1001,
 * channel=1, netns=lab1), for dry runs (sockbrokerctl check). One
 * value per key. 0 or -EINVAL with errbuf filled. address is stored in
 * *storage, which must outlive req. */
int sb_policy_request_set_key(struct sb_policy_request *req, struct sockaddr_storage *storage,
			      const char *key, const char *value, char *errbuf, size_t errsize);

/* "socket" -> SB_PM_SOCKET ...; -EINVAL for anything else. */
int sb_policy_method_from_string(const char *s, enum sb_policy_method *ret);
const char *sb_policy_method_to_string(enum sb_policy_method m);
