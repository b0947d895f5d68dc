/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clients of the raw wire protocol for the suites: connect to a daemon's
 * socket and make one call, with or without parsing the reply. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "proto/message.h"

/* Connect a raw AF_UNIX stream socket to path; -errno on failure. */
int sb_test_connect(const char *path);
/* Send one raw message (NUL appended) with fds and read one reply into a
 * malloc'ed string (*reply), receiving at most one fd into *fd_out (may
 * be NULL; -1 when none). 0 or -errno. */
int sb_test_call_raw(int conn, const char *json, const int *fds, size_t n_fds, char **reply,
		     int *fd_out);
/* The same, with the reply parsed into *reply (the caller frees it with
 * sb_reply_done). 0 or -errno. */
int sb_test_call(int conn, const char *json, const int *fds, size_t n_fds, struct sb_reply *reply,
		 int *fd_out);
/* sb_test_call on a fresh connection to path. */
int sb_test_call_once(const char *path, const char *json, const int *fds, size_t n_fds,
		      struct sb_reply *reply, int *fd_out);
/* One call on a fresh connection to path: the errno of its error reply,
 * 0 for success. With error_name, the error must be that one: another
 * (or success) is said on stderr and gives -1000. A received fd is closed.
 * < 0 when the exchange itself failed. */
int sb_test_call_errno(const char *path, const char *json, const int *fds, size_t n_fds,
		       const char *error_name);
/* The call compact (a string starting {"method":"...",) into out, with
 * one space after that method member: the same call to the general
 * parser, and one no compact reader accepts. 0, or -1 when compact does
 * not start so or out is too small. */
int sb_test_call_spaced(char *out, size_t size, const char *compact);
/* Whether the codec, which the daemon reads every call with
 * (proto/codec.h), reads text in a compact spelling: 1 or 0, -1 when it
 * reads no call there. */
int sb_test_call_compact(const char *text);

/* Calls several suites make, as a client writes them: Info, a UDP socket,
 * SO_MARK 256 and a bind to 127.0.0.1:80 on the call's descriptor 0. */
#define SB_TEST_CALL_INFO "{\"method\":\"org.sockbroker.Info\"}"
#define SB_TEST_CALL_UDP_SOCKET                                                         \
	"{\"method\":\"org.sockbroker.Socket\",\"parameters\":{\"family\":\"AF_INET\"," \
	"\"type\":\"SOCK_DGRAM\"}}"
#define SB_TEST_CALL_SET_MARK                                                 \
	"{\"method\":\"org.sockbroker.SetSockOpt\",\"parameters\":{\"fd\":0," \
	"\"level\":\"SOL_SOCKET\",\"name\":\"SO_MARK\",\"value\":256}}"
#define SB_TEST_CALL_BIND_80                                            \
	"{\"method\":\"org.sockbroker.Bind\",\"parameters\":{\"fd\":0," \
	"\"address\":{\"host\":\"127.0.0.1\",\"port\":80}}}"
