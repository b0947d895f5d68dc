/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "proto/codec.h"
#include "proto/frame.h"
#include "proto/protocol.h"
#include "proto/util.h"
#include "tests/call.h"

int sb_test_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int sb_test_call_raw(int conn, const char *json, const int *fds, size_t n_fds, char **reply,
		     int *fd_out)
{
	struct sb_decoder *d;
	struct sb_frame f;
	int r;

	if (fd_out)
		*fd_out = -1;
	r = sb_send_message(conn, json, strlen(json), fds, n_fds);
	if (r < 0)
		return r;
	d = sb_decoder_new(SB_MESSAGE_MAX, SB_FDS_MAX);
	if (!d)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		r = sb_decoder_next(d, &f);
		if (r != 0)
			break;
		n = sb_decoder_read(d, conn, MSG_CMSG_CLOEXEC);
		if (n == 0) {
			r = -ECONNRESET;
			break;
		}
		if (n < 0 && n != -EINTR) {
			r = (int)n;
			break;
		}
	}
	sb_decoder_free(d);
	if (r < 0)
		return r;
	if (fd_out && f.n_fds > 0)
		*fd_out = sb_frame_take_fd(&f, 0);
	*reply = TAKE_PTR(f.data);
	sb_frame_done(&f);
	return 0;
}

int sb_test_call(int conn, const char *json, const int *fds, size_t n_fds, struct sb_reply *reply,
		 int *fd_out)
{
	_cleanup_free_ char *text = NULL;
	struct sb_error err;
	int r;

	r = sb_test_call_raw(conn, json, fds, n_fds, &text, fd_out);
	if (r < 0)
		return r;
	return sb_reply_parse(text, strlen(text), reply, &err);
}

int sb_test_call_once(const char *path, const char *json, const int *fds, size_t n_fds,
		      struct sb_reply *reply, int *fd_out)
{
	_cleanup_close_ int conn = sb_test_connect(path);

	if (conn < 0)
		return conn;
	return sb_test_call(conn, json, fds, n_fds, reply, fd_out);
}

int sb_test_call_errno(const char *path, const char *json, const int *fds, size_t n_fds,
		       const char *error_name)
{
	struct sb_reply reply;
	int fd = -1, r;

	r = sb_test_call_once(path, json, fds, n_fds, &reply, &fd);
	if (r < 0)
		return r;
	safe_close(fd);
	if (error_name && (!reply.error || strcmp(reply.error, error_name) != 0)) {
		fprintf(stderr, "expected %s, got %s\n", error_name, reply.error ?: "success");
		r = -1000;
	} else {
		r = reply.error ? reply.errnum : 0;
	}
	sb_reply_done(&reply);
	return r;
}

int sb_test_call_spaced(char *out, size_t size, const char *compact)
{
	static const char start[] = "{\"method\":\"";
	const char *end = strstr(compact, "\",");
	size_t head, n = strlen(compact);

	if (strncmp(compact, start, strlen(start)) != 0 || !end || n + 2 > size)
		return -1;
	head = (size_t)(end - compact) + 2;
	memcpy(out, compact, head);
	out[head] = ' ';
	memcpy(out + head + 1, compact + head, n - head + 1);
	return 0;
}

int sb_test_call_compact(const char *text)
{
	struct sb_call call;
	struct sb_error err;
	int r;

	if (sb_call_read(text, strlen(text), &call, &err) < 0)
		return -1;
	/* Read compact: no JSON tree, the parameters already a struct. */
	r = !call.root && call.args_def;
	sb_call_done(&call);
	return r;
}
