/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varlink messages: strict parsing of calls and replies, and builders.
 * Their parameters are read by the getters of params.c. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "proto/json-cost.h"
#include "proto/json-util.h"
#include "proto/fields.h"
#include "proto/message.h"
#include "proto/protocol.h"

/* Longest qualified method or error name ("interface.Member"). */
#define MEMBER_NAME_MAX 255u
/* Largest errno an error reply may carry (the kernel's MAX_ERRNO). */
#define ERRNO_MAX 4095

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alpha(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Varlink's grammar for "interface.Member": the interface is two or more
 * dot-separated parts of letters, digits and inner dashes, the first
 * starting with a letter; the member is an uppercase letter followed by
 * letters and digits. */
static bool valid_member_name(const char *s)
{
	const char *dot = strrchr(s, '.'), *p;
	size_t parts = 0;

	if (!dot || !is_upper(dot[1]))
		return false;
	for (p = dot + 2; *p; p++)
		if (!is_alnum(*p))
			return false;
	if (!is_alpha(s[0]) || dot[-1] == '.')
		return false;
	for (p = s; p < dot; p++) {
		if (!is_alnum(*p))
			return false;
		while (p < dot && *p != '.') {
			if (!is_alnum(*p) && *p != '-')
				return false;
			p++;
		}
		if (p[-1] == '-')
			return false;
		parts++;
	}
	return parts >= 2;
}

/* Parse one message that must be a JSON object and nothing else. */
static int parse_object(const char *data, size_t len, json_object **ret, struct sb_error *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *root;
	size_t end;

	*ret = NULL;
	if (!data && len > 0)
		return sb_error_set(err, SB_ERR_PROTOCOL, EINVAL, NULL, "no message");
	if (len == 0)
		return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL, "empty message");
	if (len > INT_MAX)
		return sb_error_set(err, SB_ERR_PROTOCOL, EMSGSIZE, NULL, "message too large");
	if (memchr(data, '\0', len))
		return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
				    "message contains a NUL byte");

	/* A fresh tokener per message: json_tokener_reset() leaves parts of
	 * the string state behind, and a parse must not depend on the one
	 * before it. */
	tok = json_tokener_new_ex(SB_JSON_DEPTH_MAX);
	if (!tok)
		return sb_error_oom(err);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, data, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (!root) {
		if (jerr == json_tokener_success) /* a bare null */
			return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
					    "message is not a JSON object");
		if (jerr == json_tokener_continue)
			return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
					    "message is not a complete JSON object");
		if (jerr == json_tokener_error_depth)
			return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
					    "JSON nested deeper than %d levels", SB_JSON_DEPTH_MAX);
		return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
				    "invalid JSON at byte %zu: %s", end,
				    json_tokener_error_desc(jerr));
	}
	if (end != len) {
		json_object_put(root);
		return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
				    "trailing data after the JSON value at byte %zu", end);
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return sb_error_set(err, SB_ERR_PROTOCOL, EBADMSG, NULL,
				    "message is not a JSON object");
	}
	*ret = root;
	return 0;
}

/* A qualified method or error name under key of root. */
static int member_name(json_object *root, const char *key, bool required, const char **ret,
		       struct sb_error *err)
{
	int r = sb_param_string(root, key, required, MEMBER_NAME_MAX, ret, err);

	if (r > 0 && !valid_member_name(*ret))
		return sb_error_param(err, key, "%s: malformed name (expected interface.Name)",
				      key);
	return r;
}

/* The parameters object of a message, created empty when absent so that
 * callers never see NULL; root keeps ownership. */
static int message_parameters(json_object *root, json_object **ret, struct sb_error *err)
{
	json_object *params = NULL;
	int r;

	r = sb_param_object(root, "parameters", false, &params, err);
	if (r < 0)
		return r;
	if (r == 0) {
		params = json_object_new_object();
		if (sb_json_add(root, "parameters", params) < 0)
			return sb_error_oom(err);
	}
	*ret = params;
	return 0;
}

/* What calls and replies share: one JSON object with no top-level key
 * but those in keys, a qualified name under name_key, and parameters. */
static int parse_message(const char *data, size_t len, const char *const *keys,
			 const char *name_key, bool name_required, json_object **root,
			 const char **name, json_object **params, struct sb_error *err)
{
	int r;

	r = parse_object(data, len, root, err);
	if (r < 0)
		return r;
	r = sb_keys_only(*root, keys, "top-level key", err);
	if (r < 0)
		return r;
	r = member_name(*root, name_key, name_required, name, err);
	if (r < 0)
		return r;
	return message_parameters(*root, params, err);
}

int sb_call_parse(const char *data, size_t len, struct sb_call *call, struct sb_error *err)
{
	static const char *const keys[] = {"method", "parameters", "oneway", "more", NULL};
	_cleanup_json_ json_object *root = NULL;
	const char *method = NULL;
	json_object *parameters = NULL;
	bool oneway = false, more = false;
	int r;

	/* Member by member: args is large and stays unread (args_def). */
	call->root = NULL;
	call->method = NULL;
	call->parameters = NULL;
	call->oneway = call->more = false;
	call->args_def = NULL;
	/* Refused before json-c builds what could be thousands of values. */
	if (data && sb_json_values(data, len, SB_CALL_VALUES_MAX) > SB_CALL_VALUES_MAX)
		return sb_error_set(err, SB_ERR_PROTOCOL, E2BIG, NULL,
				    "call has more than %u JSON values", SB_CALL_VALUES_MAX);
	r = parse_message(data, len, keys, "method", true, &root, &method, &parameters, err);
	if (r < 0)
		return r;
	r = sb_param_bool(root, "oneway", false, &oneway, err);
	if (r < 0)
		return r;
	r = sb_param_bool(root, "more", false, &more, err);
	if (r < 0)
		return r;
	/* A oneway call gets no reply, so it cannot ask for several. */
	if (oneway && more)
		return sb_error_param(err, "more", "more: cannot be combined with oneway");

	call->root = TAKE_PTR(root);
	call->method = method;
	call->parameters = parameters;
	call->oneway = oneway;
	call->more = more;
	return 0;
}

void sb_call_done(struct sb_call *call)
{
	if (!call)
		return;
	/* A compact call owns what it built (sb_bind_call_address()). */
	if (!call->root && call->args_def)
		sb_message_done(call->args_def, &call->args);
	json_object_put(call->root);
	/* Not the whole struct: args is large, and nothing reads it unless
	 * args_def says so. */
	call->root = NULL;
	call->method = NULL;
	call->parameters = NULL;
	call->args_def = NULL;
}

int sb_reply_parse(const char *data, size_t len, struct sb_reply *reply, struct sb_error *err)
{
	static const char *const keys[] = {"parameters", "error", "continues", NULL};
	_cleanup_json_ json_object *root = NULL;
	struct sb_reply rp = {.root = NULL};
	int64_t errnum;
	int r;

	*reply = rp;
	r = parse_message(data, len, keys, "error", false, &root, &rp.error, &rp.parameters, err);
	if (r < 0)
		return r;
	r = sb_param_bool(root, "continues", false, &rp.continues, err);
	if (r < 0)
		return r;
	if (rp.error) {
		r = sb_param_int(rp.parameters, "errno", false, 1, ERRNO_MAX, &errnum, err);
		if (r < 0)
			return r;
		if (r > 0)
			rp.errnum = (int)errnum;
		r = sb_param_string(rp.parameters, "message", false, SB_MESSAGE_MAX, &rp.message,
				    err);
		if (r < 0)
			return r;
	}

	rp.root = TAKE_PTR(root);
	*reply = rp;
	return 0;
}

void sb_reply_done(struct sb_reply *reply)
{
	if (!reply)
		return;
	if (!reply->root && reply->args_def)
		sb_message_done(reply->args_def, &reply->args);
	json_object_put(reply->root);
	*reply = (struct sb_reply){.root = NULL};
}

/* The parameters of a new message: the caller's, or {}. */
static json_object *parameters_or_empty(json_object *parameters)
{
	return parameters ? parameters : json_object_new_object();
}

json_object *sb_call_new(const char *method, json_object *parameters, bool oneway, bool more)
{
	_cleanup_json_ json_object *params = parameters_or_empty(parameters);
	_cleanup_json_ json_object *msg = json_object_new_object();

	if (!params || !msg || !method)
		return NULL;
	if (sb_json_add(msg, "method", json_object_new_string(method)) < 0)
		return NULL;
	if (sb_json_add(msg, "parameters", TAKE_PTR(params)) < 0)
		return NULL;
	if (oneway && sb_json_add(msg, "oneway", json_object_new_boolean(true)) < 0)
		return NULL;
	if (more && sb_json_add(msg, "more", json_object_new_boolean(true)) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

json_object *sb_reply_new(json_object *parameters, bool continues)
{
	_cleanup_json_ json_object *params = parameters_or_empty(parameters);
	_cleanup_json_ json_object *msg = json_object_new_object();

	if (!params || !msg)
		return NULL;
	if (sb_json_add(msg, "parameters", TAKE_PTR(params)) < 0)
		return NULL;
	if (continues && sb_json_add(msg, "continues", json_object_new_boolean(true)) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

json_object *sb_error_reply_new(const struct sb_error *e)
{
	_cleanup_json_ json_object *params = NULL, *msg = NULL;
	const char *errno_name, *name;

	if (!e)
		return NULL;
	params = json_object_new_object();
	msg = json_object_new_object();
	if (!params || !msg)
		return NULL;
	if (sb_json_add(params, "errno", json_object_new_int(e->errnum)) < 0)
		return NULL;
	errno_name = sb_errno_name(e->errnum);
	if (errno_name && sb_json_add(params, "errno_name", json_object_new_string(errno_name)) < 0)
		return NULL;
	if (sb_json_add(params, "message", json_object_new_string(e->message)) < 0)
		return NULL;
	if (e->parameter[0] &&
	    sb_json_add(params, "parameter", json_object_new_string(e->parameter)) < 0)
		return NULL;
	name = e->name ? e->name : SB_ERR_SYSTEM;
	if (sb_json_add(msg, "error", json_object_new_string(name)) < 0)
		return NULL;
	if (sb_json_add(msg, "parameters", TAKE_PTR(params)) < 0)
		return NULL;
	return TAKE_PTR(msg);
}

const char *sb_message_string(json_object *msg, size_t *len)
{
	size_t n = 0;
	const char *s;

	s = json_object_to_json_string_length(
		msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (len)
		*len = s ? n : 0;
	return s;
}
