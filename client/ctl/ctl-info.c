/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl info: what the broker says about the caller itself, and
 * the policy's decision for a few representative requests of its own
 * account (dry runs, org.sockbroker.admin.Check). */
#include <stdio.h>
#include <string.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-commands.h"
#include "client/ctl/ctl-dry-run.h"
#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-output.h"
#include "client/ctl/ctl-report-options.h"
#include "proto/addr.h"
#include "proto/codec.h"
#include "proto/consts.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

static const char info_help[] =
	"Usage: sockbrokerctl info [--json]\n"
	"Show what the broker knows about the caller (uid, gid, groups), the socket\n"
	"families it found in the kernel, the broker's limits, and the policy's\n"
	"decision for a few representative requests made by the caller's account.\n";

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

/* The reply through its definition, then what info shows of its nested
 * values. */
static int info_parse(struct sb_reply *reply, struct info *in, struct sb_error *err)
{
	struct sb_info_reply m = {.features = NULL};
	size_t n;
	int r;

	*in = (struct info){.version = NULL};
	r = sb_reply_args(reply, &sb_info_reply_def, &m, err);
	if (r < 0)
		return r;
	in->version = m.version;
	if ((r = sb_param_int(m.caller, "uid", true, 0, UINT32_MAX, &in->uid, err)) < 0 ||
	    (r = sb_param_int(m.caller, "gid", true, 0, UINT32_MAX, &in->gid, err)) < 0 ||
	    (r = sb_param_int(m.caller, "pid", true, 0, INT32_MAX, &in->pid, err)) < 0 ||
	    (r = sb_param_array(m.caller, "groups", true, CTL_REPLY_LIST_MAX, &in->groups, err)) <
		    0)
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
	n = m.features ? json_object_array_length(m.features) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(m.features, i);

		if (!json_object_is_type(f, json_type_string) ||
		    !feature_name_ok(json_object_get_string(f)))
			return sb_error_param(err, "features", "features[%zu]: expected a name", i);
		if (sb_json_append(in->features,
				   json_object_new_string(json_object_get_string(f))) < 0)
			return sb_error_set(err, NULL, ENOMEM, NULL, "out of memory");
	}
	n = json_object_array_length(m.families);
	for (size_t i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(m.families, i);
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

		r = sb_param_int(m.limits, limit_fields[i].key, true, 0, INT64_MAX, &v, err);
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
	r = ctl_call(ctl, "info", &sb_info_call_def, NULL, NULL, 0, 0, &res);
	if (r != CTL_EXIT_OK)
		return r;
	if (!runs) {
		ctl_error("out of memory");
		r = CTL_EXIT_FAILED;
		goto out;
	}
	if (info_parse(&res.reply, &in, &err) < 0) {
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
		struct ctl_verdict v;

		if (p->family && !has_family(in.families, p->family))
			continue;
		r = ctl_dry_run(ctl, "info", user, p->method, probe_keys(p), &cres, &v);
		if (r != CTL_EXIT_OK)
			goto out;
		o = sb_json_new_object();
		sb_json_set(&o, "method", json_object_new_string(p->method));
		sb_json_set(&o, "keys", probe_keys(p));
		sb_json_set(&o, "decision", json_object_new_string(v.decision));
		ctl_verdict_set_rule(&o, &v);
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
