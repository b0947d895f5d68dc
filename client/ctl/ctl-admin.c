/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl status, list and reload: the org.sockbroker.admin methods
 * that report on the broker or act on it. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "client/ctl/ctl-call.h"
#include "client/ctl/ctl-commands.h"
#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-output.h"
#include "client/ctl/ctl-report-options.h"
#include "proto/addr.h"
#include "proto/codec.h"
#include "proto/consts.h"
#include "proto/json-util.h"
#include "proto/protocol.h"

static const char status_help[] =
	"Usage: sockbrokerctl status [--json]\n"
	"Show the broker's version, uptime, connections, counters and policy files.\n";
static const char list_help[] =
	"Usage: sockbrokerctl list [--json]\n"
	"List the sockets the broker handed out or bound that are still open in some\n"
	"process, with the process that holds each now. An administrator sees all,\n"
	"anyone else their own.\n";
static const char reload_help[] =
	"Usage: sockbrokerctl reload [--json]\n"
	"Load the policy again. A broken policy is refused with file:line and the\n"
	"running policy stays in force; the exit status is 1 then.\n";

/* What status and reload begin with: their options, no arguments, and
 * the call. -1 with res to be released, or the exit status to return
 * (CTL_EXIT_OK after --help); res.error is then the failed call's, or
 * empty. */
static int admin_call(struct ctl *ctl, int argc, char **argv, const char *help_text,
		      const struct sb_message_def *def, struct sb_result *res)
{
	int r;

	*res = (struct sb_result){.fd = -1};
	r = ctl_parse_report_options(ctl, argc, argv, help_text);
	if (r >= 0)
		return r;
	if (optind < argc)
		return ctl_usage_error("%s: unexpected argument %s", argv[0], argv[optind]);
	r = ctl_call(ctl, argv[0], def, NULL, NULL, 0, 0, res);
	return r == CTL_EXIT_OK ? -1 : r;
}

#define COUNTER(member) offsetof(struct sb_admin_status_reply, member)

/* Counters of Status, in the order they are shown and written. */
static const struct {
	const char *key;
	const char *label;
	size_t offset; /* of its int64_t in the reply */
} status_counters[] = {
	{"connections", "Connections:", COUNTER(connections)},
	{"grants", "Grants:", COUNTER(grants)},
	{"denials", "Denials:", COUNTER(denials)},
	{"errors", "Errors:", COUNTER(errors)},
	{"rules", "Policy rules:", COUNTER(rules)},
};

static int64_t status_counter(const struct sb_admin_status_reply *st, size_t i)
{
	return *(const int64_t *)((const char *)st + status_counters[i].offset);
}

/* "Policy files:" and one file per line under it. */
static void table_files(struct ctl_table *t, const char *label, json_object *files)
{
	size_t n = json_object_array_length(files);

	if (n == 0) {
		ctl_table_cell(t, label);
		ctl_table_cell(t, "(none: the built-in policy, which serves only uid 0)");
	}
	for (size_t i = 0; i < n; i++) {
		ctl_table_cell(t, i == 0 ? label : "");
		ctl_table_cell(t, json_object_get_string(json_object_array_get_idx(files, i)));
	}
}

static int print_table(struct ctl_table *t)
{
	int r = t ? ctl_table_print(t, stdout) : -ENOMEM;

	ctl_table_free(t);
	if (r < 0) {
		ctl_error("cannot format the output: %s", strerror(-r));
		return CTL_EXIT_FAILED;
	}
	return CTL_EXIT_OK;
}

/* The end of status and reload: the policy files after what the command
 * put in its JSON object o or its table t, then the output. */
static int print_with_files(bool json, struct sb_json_builder *o, struct ctl_table *t,
			    json_object *files)
{
	if (json) {
		sb_json_set(o, "policy_files", json_object_get(files));
		return ctl_output_json(o);
	}
	if (t)
		table_files(t, "Policy files:", files);
	return print_table(t);
}

int ctl_status(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *files = NULL;
	struct sb_admin_status_reply st = {.version = NULL};
	struct sb_json_builder o = {NULL};
	struct ctl_table *t = NULL;
	struct sb_result res;
	struct sb_error err;
	char buf[64];
	int r;

	r = admin_call(ctl, argc, argv, status_help, &sb_admin_status_call_def, &res);
	if (r >= 0)
		return r;

	if (sb_reply_args(&res.reply, &sb_admin_status_reply_def, &st, &err) < 0 ||
	    ctl_reply_strings(st.policy_files, "policy_files", PATH_MAX, &files, &err) < 0) {
		r = ctl_bad_reply("status", &err);
		goto out;
	}

	if (ctl->json) {
		o = sb_json_new_object();
		sb_json_set(&o, "version", json_object_new_string(st.version));
		sb_json_set(&o, "uptime_usec", json_object_new_int64(st.uptime_usec));
		for (size_t i = 0; i < ELEMENTSOF(status_counters); i++)
			sb_json_set(&o, status_counters[i].key,
				    json_object_new_int64(status_counter(&st, i)));
	} else {
		t = ctl_table_new(2, NULL);
		if (t) {
			ctl_table_cell(t, "Version:");
			ctl_table_cell(t, st.version);
			ctl_format_timespan((uint64_t)st.uptime_usec, buf, sizeof(buf));
			ctl_table_cell(t, "Uptime:");
			ctl_table_cell(t, buf);
			for (size_t i = 0; i < ELEMENTSOF(status_counters); i++) {
				ctl_table_cell(t, status_counters[i].label);
				ctl_table_cellf(t, "%lld", (long long)status_counter(&st, i));
			}
		}
	}
	r = print_with_files(ctl->json, &o, t, files);
out:
	sb_result_done(&res);
	return r;
}

/* One entry of List, checked. */
struct grant {
	int64_t time_usec, pid, uid, protocol, inode;
	int64_t family, type;
	const char *comm;
	json_object *address; /* NULL when the socket was not bound */
};

static int grant_parse(json_object *o, struct grant *g, struct sb_error *err)
{
	int r;

	if (!json_object_is_type(o, json_type_object))
		return sb_error_param(err, "grants", "grants: expected objects");
	if ((r = sb_param_int(o, "time_usec", true, 0, INT64_MAX, &g->time_usec, err)) < 0 ||
	    (r = sb_param_int(o, "pid", true, 0, INT32_MAX, &g->pid, err)) < 0 ||
	    (r = sb_param_int(o, "uid", true, 0, UINT32_MAX, &g->uid, err)) < 0 ||
	    (r = sb_param_string(o, "comm", true, 64, &g->comm, err)) < 0 ||
	    (r = sb_param_const(o, "family", SB_C_AF, true, 0, 65535, &g->family, err)) < 0 ||
	    (r = sb_param_const(o, "type", SB_C_SOCK, true, 0, INT32_MAX, &g->type, err)) < 0 ||
	    (r = sb_param_int(o, "protocol", true, 0, INT32_MAX, &g->protocol, err)) < 0 ||
	    (r = sb_param_int(o, "inode", true, 0, INT64_MAX, &g->inode, err)) < 0)
		return r;
	g->address = NULL;
	return sb_param_object(o, "address", false, &g->address, err) < 0 ? -EINVAL : 0;
}

static json_object *grant_json(const struct grant *g)
{
	struct sb_json_builder o = sb_json_new_object();

	sb_json_set(&o, "time_usec", json_object_new_int64(g->time_usec));
	sb_json_set(&o, "pid", json_object_new_int64(g->pid));
	sb_json_set(&o, "uid", json_object_new_int64(g->uid));
	sb_json_set(&o, "comm", json_object_new_string(g->comm));
	sb_json_set(&o, "family", sb_const_json(SB_C_AF, g->family));
	sb_json_set(&o, "type", sb_const_json(SB_C_SOCK, g->type));
	sb_json_set(&o, "protocol", json_object_new_int64(g->protocol));
	sb_json_set(&o, "inode", json_object_new_int64(g->inode));
	if (g->address)
		sb_json_set(&o, "address", json_object_get(g->address));
	else
		sb_json_set_null(&o, "address");
	return sb_json_done(&o);
}

/* The address in the text form of socket specs ("127.0.0.1:80"), or its
 * JSON when the codec cannot take it here (an interface that exists only
 * in another network namespace). */
static void address_text(const struct grant *g, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!g->address) {
		snprintf(buf, size, "-");
		return;
	}
	if (sb_addr_from_json(g->address, (int)g->family, (int)g->protocol, &ss, &len, NULL) == 0 &&
	    sb_addr_to_text((struct sockaddr *)&ss, len, (int)g->protocol, buf, size, NULL) == 0)
		return;
	snprintf(buf, size, "%s",
		 json_object_to_json_string_ext(
			 g->address, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void table_grant(struct ctl_table *t, const struct grant *g)
{
	const char *family = sb_const_name(SB_C_AF, g->family);
	const char *type = sb_const_name(SB_C_SOCK, g->type);
	const char *protocol = sb_protocol_name((int)g->family, (int)g->protocol);
	char buf[512];

	ctl_format_time((uint64_t)g->time_usec, buf, sizeof(buf));
	ctl_table_cell(t, buf);
	ctl_table_cellf(t, "%lld", (long long)g->pid);
	ctl_table_cellf(t, "%lld", (long long)g->uid);
	ctl_table_cell(t, g->comm);
	if (family)
		ctl_table_cell(t, family);
	else
		ctl_table_cellf(t, "%lld", (long long)g->family);
	if (type)
		ctl_table_cell(t, type);
	else
		ctl_table_cellf(t, "%lld", (long long)g->type);
	if (protocol)
		ctl_table_cell(t, protocol);
	else
		ctl_table_cellf(t, "%lld", (long long)g->protocol);
	address_text(g, buf, sizeof(buf));
	ctl_table_cell(t, buf);
}

int ctl_list(struct ctl *ctl, int argc, char **argv)
{
	static const char *const headers[] = {
		"TIME", "PID", "UID", "COMMAND", "FAMILY", "TYPE", "PROTOCOL", "ADDRESS",
	};
	struct sb_json_builder list = {NULL};
	struct ctl_table *t = NULL;
	struct sb_result res;
	struct sb_error err;
	size_t n, shown = 0;
	int r;

	res = (struct sb_result){.fd = -1};
	r = ctl_parse_report_options(ctl, argc, argv, list_help);
	if (r >= 0)
		return r;
	if (optind < argc)
		return ctl_usage_error("%s: unexpected argument %s", argv[0], argv[optind]);
	if (ctl->json)
		list = sb_json_new_array();
	else
		t = ctl_table_new(ELEMENTSOF(headers), headers);
	if (!list.obj && !t) {
		ctl_error("out of memory");
		r = CTL_EXIT_FAILED;
		goto out;
	}
	if (t) {
		ctl_table_align_right(t, 1);
		ctl_table_align_right(t, 2);
	}
	/* The broker answers a page at a time; ask until all are seen. */
	for (int offset = 0, total = 1; offset < total;) {
		struct sb_admin_list_call call = {.offset = offset, .limit = SB_LIST_PAGE_MAX};
		struct sb_admin_list_reply page = {.grants = NULL};

		sb_result_done(&res);
		r = ctl_call(ctl, argv[0], &sb_admin_list_call_def, &call, NULL, 0, 0, &res);
		if (r != CTL_EXIT_OK)
			goto out;
		if (sb_reply_args(&res.reply, &sb_admin_list_reply_def, &page, &err) < 0) {
			r = ctl_bad_reply("list", &err);
			goto out;
		}
		total = page.total;
		n = json_object_array_length(page.grants);
		/* Grants may close between pages; an empty page ends the list. */
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			struct grant g;

			if (grant_parse(json_object_array_get_idx(page.grants, i), &g, &err) < 0) {
				r = ctl_bad_reply("list", &err);
				goto out;
			}
			if (list.obj)
				sb_json_push(&list, grant_json(&g));
			else
				table_grant(t, &g);
			shown++;
		}
		offset += (int)n;
	}
	if (list.obj) {
		struct sb_json_builder o = sb_json_new_object();

		sb_json_set(&o, "grants", sb_json_done(&list));
		r = ctl_output_json(&o);
	} else if (shown == 0) {
		printf("No brokered sockets are open.\n");
	} else {
		r = print_table(TAKE_PTR(t));
	}
out:
	ctl_table_free(t);
	json_object_put(sb_json_done(&list));
	sb_result_done(&res);
	return r;
}

int ctl_reload(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_json_ json_object *files = NULL;
	struct sb_admin_reload_reply reload = {.policy_files = NULL};
	struct sb_json_builder o = {NULL};
	struct ctl_table *t = NULL;
	struct sb_result res;
	struct sb_error err;
	int r;

	r = admin_call(ctl, argc, argv, reload_help, &sb_admin_reload_call_def, &res);
	if (r >= 0) {
		/* The broker names the broken file and line in its message. */
		if (r == CTL_EXIT_FAILED && strcmp(res.error.parameter, "policy") == 0)
			ctl_error("reload: the running policy stays in force");
		return r;
	}
	if (sb_reply_args(&res.reply, &sb_admin_reload_reply_def, &reload, &err) < 0 ||
	    ctl_reply_strings(reload.policy_files, "policy_files", PATH_MAX, &files, &err) < 0) {
		r = ctl_bad_reply("reload", &err);
		goto out;
	}
	if (ctl->json) {
		o = sb_json_new_object();
		sb_json_set(&o, "rules", json_object_new_int64(reload.rules));
	} else {
		t = ctl_table_new(2, NULL);
		if (t) {
			ctl_table_cell(t, "Policy reloaded:");
			ctl_table_cellf(t, "%lld rule(s)", (long long)reload.rules);
		}
	}
	r = print_with_files(ctl->json, &o, t, files);
out:
	sb_result_done(&res);
	return r;
}
