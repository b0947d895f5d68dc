/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.sockbroker.admin: status, grants, policy dry runs and reload for
 * sockbrokerctl. Who may call each is the method table's to say, and
 * the dispatcher's to decide before a handler runs (dispatch.c): the
 * policy's admin method (uid 0 always); anyone may list their own grants
 * and check their own requests. The dispatcher reads the calls by their
 * definitions (proto/admin-msg.h), after that decision; each handler
 * fills its reply's struct, which the codec writes. */
#include <grp.h>
#include <stdint.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/client.h"
#include "daemon/methods.h"
#include "daemon/fsid.h"
#include "daemon/grants.h"
#include "daemon/log.h"
#include "daemon/peer-unit.h"
#include "daemon/server.h"
#include "proto/protocol.h"

/* Administration (user lookups, /proc scans, policy files) acts as the
 * daemon, not as the client served last (see fsid.h). */
static int restore_fsid(struct sb_request *req)
{
	if (!sb_fsid_restore())
		return sb_error_set(&req->error, SB_ERR_SYSTEM, EPERM, NULL,
				    "cannot return to the daemon's own filesystem identity");
	return 0;
}

static json_object *policy_files_json(const struct sb_policy *p)
{
	struct sb_json_builder b = sb_json_new_array();
	const char *const *files;
	size_t n = sb_policy_files(p, &files);

	for (size_t i = 0; i < n; i++)
		sb_json_push(&b, json_object_new_string(files[i]));
	return sb_json_done(&b);
}

int sb_method_admin_status(struct sb_request *req)
{
	struct sb_server *s = req->conn->server;
	struct sb_admin_status_reply *reply = &req->reply_args.admin_status;
	struct timespec ts;
	uint64_t now;
	int r;

	r = restore_fsid(req);
	if (r < 0)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	req->reply_def = &sb_admin_status_reply_def;
	*reply = (struct sb_admin_status_reply){
		.version = SB_VERSION,
		.uptime_usec = (int64_t)(now - s->started_usec),
		.connections = s->n_conns,
		.grants = (int64_t)s->n_grants,
		.denials = (int64_t)s->n_denials,
		.errors = (int64_t)s->n_errors,
		.rules = (int64_t)sb_policy_rule_count(s->policy),
		.policy_files = policy_files_json(s->policy),
	};
	return reply->policy_files ? 0 : sb_error_oom(&req->error);
}

int sb_method_admin_list(struct sb_request *req)
{
	const struct sb_admin_list_call *a = &req->args->admin_list;
	struct sb_admin_list_reply *reply = &req->reply_args.admin_list;
	size_t total = 0;
	int r;

	r = restore_fsid(req);
	if (r < 0)
		return r;
	req->reply_def = &sb_admin_list_reply_def;
	reply->grants = sb_grants_list(req->conn->server->grants,
				       req->admin ? (uid_t)-1 : req->conn->cred.uid,
				       (size_t)a->offset, (size_t)a->limit, &total);
	reply->total = (int)total;
	return reply->grants ? 0 : sb_error_oom(&req->error);
}

int sb_method_admin_reload(struct sb_request *req)
{
	struct sb_server *s = req->conn->server;
	struct sb_admin_reload_reply *reply = &req->reply_args.admin_reload;
	char err[512];
	int r;

	r = restore_fsid(req);
	if (r < 0)
		return r;
	r = sb_server_reload(s, err, sizeof(err));
	if (r < 0) {
		/* Logged as SIGHUP's failure is: the admin who reads the
		 * journal, not only the one who asked, must learn of it. */
		log_error("policy reload by uid=%u pid=%d failed, keeping the running policy: %s",
			  (unsigned)req->conn->cred.uid, (int)req->conn->cred.pid, err);
		return sb_error_param(&req->error, "policy", "%s", err);
	}
	req->reply_def = &sb_admin_reload_reply_def;
	*reply = (struct sb_admin_reload_reply){
		.rules = (int64_t)sb_policy_rule_count(s->policy),
		.policy_files = policy_files_json(s->policy),
	};
	return reply->policy_files ? 0 : sb_error_oom(&req->error);
}

/* Resolve a user name or uid, with its groups, for a dry run. */
static int lookup_user(const char *user, uid_t *uid, gid_t *gid, gid_t *groups, int *n_groups,
		       struct sb_error *err)
{
	struct passwd *pw;
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(user, &end, 10);
	if (*user && !*end && errno == 0 && n < UINT32_MAX)
		pw = getpwuid((uid_t)n);
	else
		pw = getpwnam(user);
	if (!pw) {
		if (*user && !*end && errno == 0 && n < UINT32_MAX) {
			/* A uid with no passwd entry: no groups but its own. */
			*uid = (uid_t)n;
			*gid = (gid_t)n;
			*n_groups = 0;
			return 0;
		}
		return sb_error_param(err, "user", "user: no such user %s", user);
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, n_groups) < 0)
		return sb_error_param(err, "user", "user: %s is in too many groups", user);
	return 0;
}

static bool is_own_uid(const char *user, uid_t uid)
{
	char text[16];

	snprintf(text, sizeof(text), "%u", (unsigned)uid);
	return strcmp(user, text) == 0;
}

/* The caller may ask about itself by uid, answered from the kernel's
 * credentials; anything else (another user, another unit) reveals the
 * policy and who exists, and costs NSS lookups that can block: admins
 * only, decided before anything is looked up. */
bool sb_method_admin_check_is_about_caller(const struct sb_request *req)
{
	json_object *params = req->call->parameters;
	json_object *user = sb_json_get(params, "user"), *kv = sb_json_get(params, "keys");

	return json_object_is_type(user, json_type_string) &&
	       is_own_uid(json_object_get_string(user), req->conn->cred.uid) &&
	       !(json_object_is_type(kv, json_type_object) && sb_json_get(kv, "unit"));
}

int sb_method_admin_check(struct sb_request *req)
{
	const struct sb_admin_check_call *a = &req->args->admin_check;
	const char *user = a->user, *mname = a->method, *unit = NULL;
	json_object *kv = a->keys, *unit_value = NULL;
	struct sb_server *s = req->conn->server;
	struct sb_policy_request preq;
	struct sb_policy_subject who;
	struct sockaddr_storage addr;
	enum sb_policy_method method;
	struct sb_decision d;
	gid_t groups[256];
	int n_groups = ELEMENTSOF(groups);
	char err[256];
	int r;

	if (sb_policy_method_from_string(mname, &method) < 0)
		return sb_error_param(&req->error, "method",
				      "method: expected socket, bind, setsockopt or admin");
	/* keys.unit is the subject's systemd unit, not a key of a request. */
	if (kv && json_object_object_get_ex(kv, "unit", &unit_value)) {
		if (!json_object_is_type(unit_value, json_type_string) ||
		    !sb_unit_name_valid(json_object_get_string(unit_value)))
			return sb_error_param(
				&req->error, "keys",
				"keys.unit: expected the name of a unit that runs processes");
		unit = json_object_get_string(unit_value);
	}
	/* Admitted (req->admin) when asking about anyone but itself. */
	if (!req->admin) {
		sb_client_subject(req->conn, &who);
	} else {
		r = restore_fsid(req);
		if (r < 0)
			return r;
		r = lookup_user(user, &who.uid, &who.gid, groups, &n_groups, &req->error);
		if (r < 0)
			return r;
		who.groups = groups;
		who.n_groups = (size_t)n_groups;
		who.unit = unit;
		who.unit_unknown = false;
	}
	sb_policy_request_init(&preq, method);
	if (kv) {
		json_object_object_foreach(kv, key, val) {
			if (strcmp(key, "unit") == 0)
				continue;
			if (!json_object_is_type(val, json_type_string))
				return sb_error_param(&req->error, "keys",
						      "keys.%s: expected a string", key);
			if (sb_policy_request_set_key(&preq, &addr, key,
						      json_object_get_string(val), err,
						      sizeof(err)) < 0)
				return sb_error_param(&req->error, "keys", "keys.%s: %s", key, err);
		}
	}
	/* As sb_authorize_admin() decides: root administers whatever the rules
	 * say. */
	if (method == SB_PM_ADMIN && who.uid == 0)
		d = (struct sb_decision){.allow = true, .rule = "uid 0"};
	else
		sb_policy_check(s->policy, &who, &preq, &d);
	req->reply_def = &sb_admin_check_reply_def;
	req->reply_args.admin_check = (struct sb_admin_check_reply){
		.decision = d.allow ? "allow" : "deny",
		.rule = d.rule,
	};
	return 0;
}
