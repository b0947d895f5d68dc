/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connection handles: the process-wide one and explicit ones, the call
 * with its single reconnect, and the fork rule (a child never talks on
 * its parent's connection). */
#include <stdio.h>
#include <string.h>

#include "client/lib/internal.h"
#include "proto/codec.h"

/* Every live handle, so that fork can take their locks and a child can
 * drop its copies of the parent's connections. Lock order: registry,
 * then handles in list order. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sockbroker *registry;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static bool setup_failed;

static struct sockbroker default_handle = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static __thread char last_message[256];

_public_ const char *sockbroker_last_message(void)
{
	return last_message;
}

int sb_fail(int r, const struct sb_result *res)
{
	if (res && res->error.name)
		snprintf(last_message, sizeof(last_message), "%s", res->error.message);
	else
		last_message[0] = 0;
	errno = r < 0 ? -r : (r > 0 ? r : EIO);
	return -1;
}

static void registry_add_locked(struct sockbroker *h)
{
	h->prev = NULL;
	h->next = registry;
	if (registry)
		registry->prev = h;
	registry = h;
}

/* Fork while no call is in progress on any handle, so the child's copy
 * of every lock is free; the child then closes its copy of each
 * connection and connects anew on first use. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&registry_lock);
	for (struct sockbroker *h = registry; h; h = h->next)
		pthread_mutex_lock(&h->lock);
}

static void atfork_parent(void)
{
	for (struct sockbroker *h = registry; h; h = h->next)
		pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&registry_lock);
}

static void atfork_child(void)
{
	for (struct sockbroker *h = registry; h; h = h->next) {
		if (h->conn)
			sb_conn_disown(h->conn);
		pthread_mutex_unlock(&h->lock);
	}
	pthread_mutex_unlock(&registry_lock);
}

static void setup(void)
{
	/* Without the fork handlers a child would share the parent's
	 * connection: every call fails instead (ENOMEM, the only reason
	 * pthread_atfork() has to fail). */
	if (pthread_atfork(atfork_prepare, atfork_parent, atfork_child) != 0) {
		setup_failed = true;
		return;
	}
	pthread_mutex_lock(&registry_lock);
	registry_add_locked(&default_handle);
	pthread_mutex_unlock(&registry_lock);
}

static const char *handle_path(const struct sockbroker *h)
{
	const char *env;

	if (h->path)
		return h->path;
	/* Not for set-uid programs: they would take sockets from a broker
	 * their caller chose. */
	env = secure_getenv("SOCKBROKER_SOCKET");
	return env && *env ? env : SB_DEFAULT_SOCKET;
}

static int handle_connect(struct sockbroker *h)
{
	h->conn = sb_conn_free(h->conn);
	return sb_conn_open(handle_path(h), &h->conn);
}

_public_ struct sockbroker *sockbroker_open(const char *path)
{
	struct sockbroker *h;
	int r;

	pthread_once(&setup_once, setup);
	if (setup_failed)
		return errno = ENOMEM, NULL;
	if (path && !*path)
		return errno = EINVAL, NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return errno = ENOMEM, NULL;
	if (pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h);
		return errno = ENOMEM, NULL;
	}
	if (path) {
		h->path = strdup(path);
		if (!h->path) {
			r = -ENOMEM;
			goto fail;
		}
	}
	r = handle_connect(h);
	if (r < 0)
		goto fail;
	pthread_mutex_lock(&registry_lock);
	registry_add_locked(h);
	pthread_mutex_unlock(&registry_lock);
	return h;
fail:
	sb_conn_free(h->conn);
	pthread_mutex_destroy(&h->lock);
	free(h->path);
	free(h);
	sb_fail(r, NULL);
	return NULL;
}

_public_ void sockbroker_close(struct sockbroker *sb)
{
	int saved = errno;

	if (!sb)
		return;
	pthread_mutex_lock(&registry_lock);
	if (sb->prev)
		sb->prev->next = sb->next;
	else
		registry = sb->next;
	if (sb->next)
		sb->next->prev = sb->prev;
	pthread_mutex_unlock(&registry_lock);

	sb_conn_free(sb->conn);
	pthread_mutex_destroy(&sb->lock);
	free(sb->path);
	free(sb);
	errno = saved;
}

static bool is_disconnect(int r)
{
	return r == -EPIPE || r == -ECONNRESET || r == -ENOTCONN || r == -ECONNABORTED;
}

static int call_locked(struct sockbroker *h, const struct sb_call_msg *m, struct sb_result *res)
{
	int r;

	if (!sb_conn_still_ours(h->conn)) {
		r = handle_connect(h);
		if (r < 0)
			goto no_broker;
	}
	r = sb_conn_call(h->conn, m->text, m->len, m->fds, m->n_fds, m->recv_flags, res);
	if (r >= 0 || res->stage == SB_CALL_ANSWERED || !is_disconnect(r))
		return r;
	/* The connection broke: the broker restarted or timed us out.
	 * Repeat once on a new connection, unless the call went out and
	 * repeating what the broker may have done is not harmless. */
	if (res->stage == SB_CALL_SENT && m->may_repeat && !m->may_repeat(m))
		return r;
	sb_result_done(res);
	r = handle_connect(h);
	if (r < 0)
		goto no_broker;
	return sb_conn_call(h->conn, m->text, m->len, m->fds, m->n_fds, m->recv_flags, res);

no_broker:
	memset(res, 0, sizeof(*res));
	res->fd = -1;
	return sb_result_local_error(res, r, "connect to the broker");
}

int sb_handle_call(struct sockbroker *sb, const struct sb_call_msg *m, struct sb_result *res)
{
	struct sockbroker *h = sb ? sb : &default_handle;
	int r;

	pthread_once(&setup_once, setup);
	if (setup_failed) {
		memset(res, 0, sizeof(*res));
		res->fd = -1;
		return sb_result_local_error(res, -ENOMEM, "register fork handlers");
	}
	pthread_mutex_lock(&h->lock);
	r = call_locked(h, m, res);
	pthread_mutex_unlock(&h->lock);
	return r;
}

int sb_handle_call_def(struct sockbroker *sb, const struct sb_message_def *def, const void *args,
		       struct sb_call_msg *m, struct sb_result *res)
{
	struct sb_wire w;
	int r;

	r = sb_call_write(def, args, &w);
	if (r < 0) {
		memset(res, 0, sizeof(*res));
		res->fd = -1;
		return sb_result_local_error(res, r, "write the call");
	}
	m->text = w.text;
	m->len = w.len;
	r = sb_handle_call(sb, m, res);
	m->text = NULL;
	sb_wire_done(&w);
	return r;
}
