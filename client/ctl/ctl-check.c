/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sockbrokerctl check: a policy dry run (org.sockbroker.admin.Check) for
 * a named user. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "client/ctl/ctl-commands.h"
#include "client/ctl/ctl-dry-run.h"
#include "client/ctl/ctl-error.h"
#include "client/ctl/ctl-output.h"
#include "client/ctl/ctl-report-options.h"
#include "proto/json-util.h"

static const char check_help[] =
	"Usage: sockbrokerctl check [--json] USER METHOD [KEY=VALUE...]\n"
	"Dry-run the policy for USER (a name or uid) asking for METHOD (socket, bind,\n"
	"setsockopt or admin) with the given keys, as policy rules write them:\n"
	"  sockbrokerctl check alice socket family=AF_PACKET type=SOCK_RAW\n"
	"Prints allow or deny and the deciding rule (file:line, or default).\n"
	"Exit status 0 for allow, 1 for deny (or a refused call), 2 for a malformed\n"
	"argument (an unknown method, key, value or user). Checking another user\n"
	"is an admin call.\n";

/* Longest user name or uid the broker takes (admin.Check). */
#define USER_MAX 64
#define KEY_MAX 32
#define VALUE_MAX 256
#define KEYS_MAX 16

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
	struct ctl_verdict v;
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
	r = ctl_dry_run(ctl, "check", query, method, json_object_get(keys), &res, &v);
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
		ctl_verdict_set_rule(&o, &v);
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
