/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl check and info: policy dry runs (org.sockbroker.admin.Check)
 * for a named user, and what the broker says about the caller itself. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "client/ctl-output.h"
#include "client/ctl.h"
#include "proto/addr.h"
#include "proto/consts.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

static const char check_help[] =
	"Usage: sockbrokerctl check [--json] USER METHOD [KEY=VALUE...]\n"
	"Dry-run the policy for USER (a name or uid) asking for METHOD (socket, bind,\n"
	"setsockopt or admin) with the given keys, as policy rules write them:\n"
	"  sockbrokerctl check alice socket family=AF_PACKET type=SOCK_RAW\n"
	"Prints allow or deny and the deciding rule (file:line, or default).\n"
	"Exit status 0 for allow, 1 for deny (or a refused call), 2 for a malformed\n"
	"argument (an unknown method, key, value or user). Checking another user\n"
	"is an admin call.\n";
static const char info_help[] =
	"Usage: sockbrokerctl info [--json]\n"
	"Show what the broker knows about the caller (uid, gid, groups), the socket\n"
	"families it found in the kernel, the broker's limits, and the policy's\n"
	"decision for a few representative requests made by the caller's account.\n";

/* Longest user name or uid the broker takes (admin.Check). */
#define USER_MAX 64
#define KEY_MAX 32
#define VALUE_MAX 256
#define KEYS_MAX 16

/* The outcome of one dry run, pointing into the reply. */
struct verdict {
	const char *decision; /* "allow" or "deny" */
	const char *rule;     /* file:line, "default", or NULL when absent */
};

/* The verdict's rule as "rule" of b: null when the broker named none. */
static void set_rule(struct sb_json_builder *b, const struct verdict *v)
{
	if (v->rule)
		sb_json_set(b, "rule", json_object_new_string(v->rule));
	else
		sb_json_set_null(b, "rule");
}

/* Call admin.Check; keys is consumed. On CTL_EXIT_OK *v points into res,
 * which the caller releases. */
static int dry_run(struct ctl *ctl, const char *what, const char *user, const char *method,
		   json_object *keys, struct sb_result *res, struct verdict *v)
{
	struct sb_json_builder params = sb_json_new_object();
	struct sb_error err;
	json_object *p;
	int r;

	sb_json_set(&params, "user", json_object_new_string(user));
	sb_json_set(&params, "method", json_object_new_string(method));
	sb_json_set(&params, "keys", keys);
	p = sb_json_done(&params);
	if (!p) {
		ctl_error("out of memory");
		return CTL_EXIT_FAILED;
	}
	r = ctl_call(ctl, what, SB_METHOD_ADMIN_CHECK, p, 0, res);
	if (r != CTL_EXIT_OK)
		return r;
	v->rule = NULL;
	if (sb_param_string(sb_reply_parameters(&res->reply), "decision", true, 8, &v->decision, &err) < 0 ||
	    sb_param_string(sb_reply_parameters(&res->reply), "rule", false, 4096, &v->rule, &err) < 0) {
		sb_result_done(res);
		return ctl_bad_reply(what, &err);
	}
	if (strcmp(v->decision, "allow") != 0 && strcmp(v->decision, "deny") != 0) {
		sb_error_param(&err, "decision", "decision: expected allow or deny");
		sb_result_done(res);
		return ctl_bad_reply(what, &err);
	}
	return CTL_EXIT_OK;
}

static bool key_name_valid(const char *key, size_t len)
{
	if (len == 0 || len > KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || key[i] == '_'))
			return false;
	return true;
}

/* KEY=VALUE arguments as the object admin.Check takes; the broker knows
 * which keys exist and checks the values. */
static int parse_keys(int argc, char **argv, json_object **ret)
{
	_cleanup_json_ json_object *keys = json_object_new_object();

	if (!keys) {
		ctl_error("out of memory");
		return CTL_EXIT_FAILED;
	}
	if (argc > KEYS_MAX)
		return ctl_usage_error("check: at most %d KEY=VALUE pairs", KEYS_MAX);
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char key[KEY_MAX + 1];

		if (!eq)
			return ctl_usage_error("check: expected KEY=VALUE, got %s", argv[i]);
		if (!key_name_valid(argv[i], (size_t)(eq - argv[i])))
			return ctl_usage_error("check: %s: the key must be a lower-case word",
					       argv[i]);
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = 0;
		if (!eq[1] || strlen(eq + 1) > VALUE_MAX)
			return ctl_usage_error("check: %s: the value must be 1 to %d bytes", key,
					       VALUE_MAX);
		if (json_object_object_get_ex(keys, key, NULL))
			return ctl_usage_error("check: key %s given twice", key);
		if (sb_json_add(keys, key, json_object_new_string(eq + 1)) < 0) {
			ctl_error("out of memory");
			return CTL_EXIT_FAILED;
		}
	}
	*ret = TAKE_PTR(keys);
	return CTL_EXIT_OK;
}

/* Rules for sockets and binds name a family nearly always; a request
 * without one matches none of them, and a bare "deny default" does not
 * say why. */
static void hint_family(const char *method, json_object *keys)
{
	if ((strcmp(method, "socket") != 0 && strcmp(method, "bind") != 0) ||
	    json_object_object_get_ex(keys, "family", NULL))
		return;
	fprintf(stderr, "sockbrokerctl: hint: no family= given; rules that name a family "
			"do not match this request (e.g. family=AF_INET)\n");
}

int ctl_check(struct ctl *ctl, int argc, char **argv)
{
	json_object *keys = NULL;
	const char *user, *method, *query;
	char own_uid[16];
	struct sb_result res;
	struct verdict v;
	int r;

	r = ctl_parse_report_options(ctl, argc, argv, check_help);
	if (r >= 0)
		return r;
	if (argc - optind < 2)
		return ctl_usage_error("check: expected USER METHOD [KEY=VALUE...]");
	user = argv[optind];
	method = argv[optind + 1];
	if (!*user || strlen(user) > USER_MAX)
		return ctl_usage_error("check: the user must be a name or uid of 1 to %d bytes",
				       USER_MAX);
	r = parse_keys(argc - optind - 2, argv + optind + 2, &keys);
	if (r != CTL_EXIT_OK)
		return r;
	/* The broker answers anyone about themselves, but only by uid: it
	 * looks names up for administrators alone. */
	query = user;
	{
		struct passwd *pw = getpwnam(user);

		if (pw && pw->pw_uid == getuid()) {
			snprintf(own_uid, sizeof(own_uid), "%u", (unsigned)pw->pw_uid);
			query = own_uid;
		}
	}
	r = dry_run(ctl, "check", query, method, json_object_get(keys), &res, &v);
	if (r != CTL_EXIT_OK) {
		json_object_put(keys);
		/* The broker knows the keys, methods and users: what it calls
		 * a wrong parameter is a malformed argument here. */
		if (r == CTL_EXIT_FAILED && res.error.parameter[0])
			return CTL_EXIT_USAGE;
		return r;
	}
	if (ctl->json) {
		struct sb_json_builder o = sb_json_new_object();

		sb_json_set(&o, "user", json_object_new_string(user));
		sb_json_set(&o, "method", json_object_new_string(method));
		sb_json_set(&o, "keys", json_object_get(keys));
		sb_json_set(&o, "decision", json_object_new_string(v.decision));
		set_rule(&o, &v);
		if (ctl_output_json(&o) != CTL_EXIT_OK) {
			json_object_put(keys);
			sb_result_done(&res);
			return CTL_EXIT_FAILED;
		}
	} else {
		_cleanup_free_ char *rule = ctl_escape(v.rule ? v.rule : "-");

		printf("%s %s\n", v.decision, rule ? rule : "-");
	}
	r = strcmp(v.decision, "allow") == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
	if (r != CTL_EXIT_OK)
		hint_family(method, keys);
	json_object_put(keys);
	sb_result_done(&res);
	return r;
}

/* Representative requests that info asks the policy about, for the
 * caller's own account. A request of a family the broker does not
 * report (Info) is left out. Keys are written as in policy rules, family first (protocol names
 * depend on it). */
static const struct probe {
	const char *method;
	const char *family; /* NULL: not tied to a family */
	const char *keys;
} probes[] = {
	{"socket", "AF_INET", "family=AF_INET type=SOCK_RAW protocol=IPPROTO_ICMP"},
	{"socket", "AF_INET6", "family=AF_INET6 type=SOCK_RAW protocol=IPPROTO_ICMPV6"},
	{"socket", "AF_PACKET", "family=AF_PACKET type=SOCK_RAW protocol=ETH_P_ALL"},
	{"socket", "AF_CAN", "family=AF_CAN type=SOCK_RAW protocol=CAN_RAW"},
	{"socket", "AF_ALG", "family=AF_ALG type=SOCK_SEQPACKET"},
	{"socket", "AF_NETLINK", "family=AF_NETLINK type=SOCK_RAW protocol=NETLINK_ROUTE"},
	{"bind", "AF_INET", "family=AF_INET port=80"},
	{"bind", "AF_INET6", "family=AF_INET6 port=443"},
	{"setsockopt", NULL, "option=SO_MARK value=1"},
	{"setsockopt", NULL, "option=SO_PRIORITY value=7"},
	{"admin", NULL, ""},
};

/* The probe's keys as the object admin.Check takes. */
static json_object *probe_keys(const struct probe *p)
{
	struct sb_json_builder o = sb_json_new_object();
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", p->keys);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		*eq = 0;
		sb_json_set(&o, w, json_object_new_string(eq + 1));
	}
	return sb_json_done(&o);
}

static bool has_family(json_object *families, const char *name)
{
	size_t n = json_object_array_length(families);

	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(families, i);

		if (json_object_is_type(f, json_type_string) &&
		    strcmp(json_object_get_string(f), name) == 0)
			return true;
	}
	return false;
}

/* Info's reply, checked. */
struct info {
	const char *version;
	int64_t uid, gid, pid;
	json_object *groups;   /* array of integers */
	json_object *families; /* copy: array of names (numbers for unnamed ones) */
	json_object *features; /* copy: array of names */
	json_object *limits;   /* copy, the known keys in a fixed order */
};

static const struct {
	const char *key;
	const char *label;
} limit_fields[] = {
	{"max_message", "largest message (bytes)"},
	{"max_fds", "descriptors per message"},
	{"max_connections", "connections"},
	{"max_connections_per_uid", "connections per uid"},
	{"max_requests_in_flight", "calls in flight per connection"},
	{"idle_timeout_sec", "idle timeout (s)"},
	{"max_sockets_unread_per_uid", "sockets handed over, unread, per uid"},
	{"max_sockets_unread", "sockets handed over, unread, in all"},
};

static void info_done(struct info *in)
{
	json_object_put(in->families);
	json_object_put(in->features);
	json_object_put(in->limits);
}

/* A feature's name: lower-case words joined by '-', as the broker writes
 * them; anything else is not printed. */
static bool feature_name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n > 0 && n <= 64 && s[n] == '\0';
}

static bool has_feature(json_object *features, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(features); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(features, i)), name) ==
		    0)
			return true;
	return false;
}

static int info_parse(json_object *p, struct info *in, struct sb_error *err)
{
	json_object *caller, *limits, *families, *features = NULL;
	size_t n;
	int r;

	*in = (struct info){.version = NULL};
	if ((r = sb_param_string(p, "version", true, 64, &in->version, err)) < 0 ||
	    (r = sb_param_object(p, "caller", true, &caller, err)) < 0 ||
	    (r = sb_param_int(caller, "uid", true, 0, UINT32_MAX, &in->uid, err)) < 0 ||
	    (r = sb_param_int(caller, "gid", true, 0, UINT32_MAX, &in->gid, err)) < 0 ||
	    (r = sb_param_int(caller, "pid", true, 0, INT32_MAX, &in->pid, err)) < 0 ||
	    (r = sb_param_array(caller, "groups", true, CTL_REPLY_LIST_MAX, &in->groups, err)) <
		    0 ||
	    (r = sb_param_object(p, "limits", true, &limits, err)) < 0 ||
	    (r = sb_param_array(p, "families", true, 256, &families, err)) < 0 ||
	    (r = sb_param_array(p, "features", false, 64, &features, err)) < 0)
		return r;
	n = json_object_array_length(in->groups);
	for (size_t i = 0; i < n; i++) {
		json_object *g = json_object_array_get_idx(in->groups, i);

		if (!json_object_is_type(g, json_type_int) || json_object_get_int64(g) < 0 ||
		    json_object_get_int64(g) > UINT32_MAX)
			return sb_error_param(err, "groups", "caller.groups[%zu]: expected a gid",
					      i);
	}
	in->families = json_object_new_array();
	in->features = json_object_new_array();
	in->limits = json_object_new_object();
	if (!in->families || !in->features || !in->limits)
		return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
	/* Absent from brokers older than the field: none known. */
	n = features ? json_object_array_length(features) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(features, i);

		if (!json_object_is_type(f, json_type_string) ||
		    !feature_name_ok(json_object_get_string(f)))
			return sb_error_param(err, "features", "features[%zu]: expected a name", i);
		if (sb_json_append(in->features, json_object_new_string(json_object_get_string(f))) <
		    0)
			return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
	}
	n = json_object_array_length(families);
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(families, i);
		int64_t v;

		if (json_object_is_type(f, json_type_int) && json_object_get_int64(f) >= 0 &&
		    json_object_get_int64(f) <= 65535)
			r = sb_json_append(in->families,
					   json_object_new_int64(json_object_get_int64(f)));
		else if (json_object_is_type(f, json_type_string) &&
			 sb_const_value(SB_C_AF, json_object_get_string(f), &v) == 0)
			r = sb_json_append(in->families,
					   json_object_new_string(json_object_get_string(f)));
		else
			return sb_error_param(err, "families",
					      "families[%zu]: expected an address family", i);
		if (r < 0)
			return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
	}
	for (size_t i = 0; i < ELEMENTSOF(limit_fields); i++) {
		int64_t v;

		r = sb_param_int(limits, limit_fields[i].key, true, 0, INT64_MAX, &v, err);
		if (r < 0)
			return r;
		if (sb_json_add(in->limits, limit_fields[i].key, json_object_new_int64(v)) < 0)
			return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
	}
	return 0;
}

/* The names of array on one line: they are short and a reader scans
 * them. "-" for none. */
static const char *join_names(json_object *array, char *line, size_t size)
{
	size_t n = json_object_array_length(array), used = 0;

	line[0] = 0;
	for (size_t i = 0; i < n && used < size; i++) {
		int w = snprintf(line + used, size - used, "%s%s", i ? " " : "",
				 json_object_get_string(json_object_array_get_idx(array, i)));

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return n ? line : "-";
}

static int print_info_text(const struct info *in)
{
	struct ctl_table *t = ctl_table_new(2, NULL);
	size_t n = json_object_array_length(in->groups);
	char buf[256], line[2048];
	int r;

	if (!t)
		return -ENOMEM;
	ctl_table_cell(t, "Broker version:");
	ctl_table_cell(t, in->version);
	ctl_format_uid((uid_t)in->uid, buf, sizeof(buf));
	ctl_table_cell(t, "User:");
	ctl_table_cell(t, buf);
	ctl_format_gid((gid_t)in->gid, buf, sizeof(buf));
	ctl_table_cell(t, "Group:");
	ctl_table_cell(t, buf);
	for (size_t i = 0; i < n; i++) {
		ctl_format_gid(
			(gid_t)json_object_get_int64(json_object_array_get_idx(in->groups, i)), buf,
			sizeof(buf));
		ctl_table_cell(t, i == 0 ? "Groups:" : "");
		ctl_table_cell(t, buf);
	}
	if (n == 0) {
		ctl_table_cell(t, "Groups:");
		ctl_table_cell(t, "-");
	}
	ctl_table_cell(t, "PID:");
	ctl_table_cellf(t, "%lld", (long long)in->pid);
	ctl_table_cell(t, "Kernel families:");
	ctl_table_cell(t, join_names(in->families, line, sizeof(line)));
	ctl_table_cell(t, "Features:");
	ctl_table_cell(t, join_names(in->features, line, sizeof(line)));
	if (!has_feature(in->features, SB_FEATURE_BLUETOOTH_ADDRESSES)) {
		ctl_table_cell(t, "Bluetooth addresses:");
		ctl_table_cell(t, "off: the broker was built without BlueZ's headers "
				  "(libbluetooth-dev)");
	}
	for (size_t i = 0; i < ELEMENTSOF(limit_fields); i++) {
		json_object *v;

		json_object_object_get_ex(in->limits, limit_fields[i].key, &v);
		ctl_table_cell(t, i == 0 ? "Limits:" : "");
		ctl_table_cellf(t, "%s: %lld", limit_fields[i].label,
				(long long)json_object_get_int64(v));
	}
	r = ctl_table_print(t, stdout);
	ctl_table_free(t);
	return r;
}

int ctl_info(struct ctl *ctl, int argc, char **argv)
{
	static const char *const headers[] = {"METHOD", "REQUEST", "DECISION", "RULE"};
	_cleanup_json_ json_object *runs = json_object_new_array();
	struct ctl_table *t = NULL;
	struct info in = {.version = NULL};
	struct sb_result res;
	struct sb_error err;
	char user[16];
	int r;

	r = ctl_parse_report_options(ctl, argc, argv, info_help);
	if (r >= 0)
		return r;
	if (optind < argc)
		return ctl_usage_error("info: unexpected argument %s", argv[optind]);
	r = ctl_call(ctl, "info", SB_METHOD_INFO, NULL, 0, &res);
	if (r != CTL_EXIT_OK)
		return r;
	if (!runs) {
		ctl_error("out of memory");
		r = CTL_EXIT_FAILED;
		goto out;
	}
	if (info_parse(sb_reply_parameters(&res.reply), &in, &err) < 0) {
		r = ctl_bad_reply("info", &err);
		goto out;
	}

	/* The dry runs are made for the caller's uid, which is not an admin
	 * call; the broker takes the groups of that account from the user
	 * database. */
	snprintf(user, sizeof(user), "%lld", (long long)in.uid);
	for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
		const struct probe *p = &probes[i];
		struct sb_json_builder o;
		struct sb_result cres;
		struct verdict v;

		if (p->family && !has_family(in.families, p->family))
			continue;
		r = dry_run(ctl, "info", user, p->method, probe_keys(p), &cres, &v);
		if (r != CTL_EXIT_OK)
			goto out;
		o = sb_json_new_object();
		sb_json_set(&o, "method", json_object_new_string(p->method));
		sb_json_set(&o, "keys", probe_keys(p));
		sb_json_set(&o, "decision", json_object_new_string(v.decision));
		set_rule(&o, &v);
		sb_result_done(&cres);
		if (sb_json_append(runs, sb_json_done(&o)) < 0) {
			ctl_error("out of memory");
			r = CTL_EXIT_FAILED;
			goto out;
		}
	}

	if (ctl->json) {
		struct sb_json_builder o = sb_json_new_object(), caller = sb_json_new_object();

		sb_json_set(&caller, "uid", json_object_new_int64(in.uid));
		sb_json_set(&caller, "gid", json_object_new_int64(in.gid));
		sb_json_set(&caller, "pid", json_object_new_int64(in.pid));
		sb_json_set(&caller, "groups", json_object_get(in.groups));
		sb_json_set(&o, "version", json_object_new_string(in.version));
		sb_json_set(&o, "caller", sb_json_done(&caller));
		sb_json_set(&o, "families", json_object_get(in.families));
		sb_json_set(&o, "features", json_object_get(in.features));
		sb_json_set(&o, "limits", json_object_get(in.limits));
		sb_json_set(&o, "dry_runs", json_object_get(runs));
		r = ctl_output_json(&o);
		goto out;
	}
	if (print_info_text(&in) < 0) {
		ctl_error("cannot format the output: out of memory");
		r = CTL_EXIT_FAILED;
		goto out;
	}
	printf("\nPolicy for uid %lld (with the groups of its account):\n", (long long)in.uid);
	t = ctl_table_new(ELEMENTSOF(headers), headers);
	if (!t) {
		ctl_error("out of memory");
		r = CTL_EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0, j = 0; i < ELEMENTSOF(probes); i++) {
		json_object *o, *v;

		if (probes[i].family && !has_family(in.families, probes[i].family))
			continue;
		o = json_object_array_get_idx(runs, j++);
		ctl_table_cell(t, probes[i].method);
		ctl_table_cell(t, *probes[i].keys ? probes[i].keys : "-");
		json_object_object_get_ex(o, "decision", &v);
		ctl_table_cell(t, json_object_get_string(v));
		json_object_object_get_ex(o, "rule", &v);
		ctl_table_cell(t, v ? json_object_get_string(v) : "-");
	}
	if (ctl_table_print(t, stdout) < 0) {
		ctl_error("cannot format the output: out of memory");
		r = CTL_EXIT_FAILED;
	}
out:
	ctl_table_free(t);
	info_done(&in);
	sb_result_done(&res);
	return r;
}
