/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsockbroker: kernel sockets from sockbrokerd, the privileged socket
 * broker. Every function follows the socket API's convention: it returns
 * a descriptor or 0 on success, and -1 with errno set on failure. See
 * sockbroker(3). */
#ifndef SOCKBROKER_H
#define SOCKBROKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The three calls that stand for socket(2), bind(2) and setsockopt(2),
 * made through the process-wide broker connection ($SOCKBROKER_SOCKET,
 * else the broker's default socket). */
int sockbroker_socket(int domain, int type, int protocol);
int sockbroker_bind(int fd, const struct sockaddr *addr, socklen_t addrlen);
int sockbroker_setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);

/* An explicit connection. Every function taking a struct sockbroker *
 * also accepts NULL, which means the process-wide connection. */
struct sockbroker;

struct sockbroker *sockbroker_open(const char *path);
void sockbroker_close(struct sockbroker *sb);

int sockbroker_socket_at(struct sockbroker *sb, int domain, int type, int protocol);
int sockbroker_bind_at(struct sockbroker *sb, int fd, const struct sockaddr *addr,
		       socklen_t addrlen);
int sockbroker_setsockopt_at(struct sockbroker *sb, int fd, int level, int optname,
			     const void *optval, socklen_t optlen);

/* A socket from its text form, FAMILY:TYPE[:PROTOCOL][,PARAM...][@ADDRESS],
 * e.g. "AF_PACKET:SOCK_RAW:ETH_P_ALL@lo": made where the caller's own
 * privileges suffice, the broker asked only for the rest. */
int sockbroker_socket_spec(const char *spec);
int sockbroker_socket_spec_at(struct sockbroker *sb, const char *spec);

/* A socket request: family, type and protocol, then socket options, a
 * local address, a listen() backlog and a network namespace, carried out
 * as a socket's text form is: here where the caller's own privileges
 * suffice, by the broker for the rest. */
struct sockbroker_request;

struct sockbroker_request *sockbroker_request_new(int domain, int type, int protocol);
void sockbroker_request_free(struct sockbroker_request *req);
int sockbroker_request_setsockopt(struct sockbroker_request *req, int level, int optname,
				  const void *optval, socklen_t optlen);
int sockbroker_request_bind(struct sockbroker_request *req, const struct sockaddr *addr,
			    socklen_t addrlen);
int sockbroker_request_listen(struct sockbroker_request *req, int backlog);
int sockbroker_request_netns(struct sockbroker_request *req, const char *name);
int sockbroker_socket_request(struct sockbroker *sb, const struct sockbroker_request *req);

/* Socket addresses as text, for every family the broker knows; the
 * forms are those after the '@' of a socket's text form ("127.0.0.1:80",
 * "[::1]:53", "lo:ETH_P_ALL", "vcan0", "hash:sha256", ...). protocol tells
 * apart the address shapes of AF_CAN and AF_BLUETOOTH; 0 elsewhere. */
#define SOCKBROKER_ADDR_TEXT_MAX 256

int sockbroker_addr_parse(int family, int protocol, const char *text, struct sockaddr *addr,
			  socklen_t *addrlen);
int sockbroker_addr_format(const struct sockaddr *addr, socklen_t addrlen, int protocol, char *buf,
			   size_t size);

/* Pass descriptors over a connected AF_UNIX socket (SCM_RIGHTS). */
#define SOCKBROKER_FDS_MAX 253

ssize_t sockbroker_send_fds(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);
ssize_t sockbroker_recv_fds(int sock, void *buf, size_t len, int *fds, size_t *n_fds, int flags);

/* What the broker says about itself and about the caller. */
struct sockbroker_info {
	char version[32]; /* the broker's version, e.g. "0.1.0" */
	uid_t uid;	  /* the caller, as the broker sees it */
	gid_t gid;
	pid_t pid;
	uint64_t families; /* bit (1 << AF_x): the broker's kernel creates AF_x */
};

#define SOCKBROKER_INFO_HAS_FAMILY(info, af) \
	((af) >= 0 && (af) < 64 && (((info)->families >> (af)) & 1u))

int sockbroker_info(struct sockbroker *sb, struct sockbroker_info *info);

/* The broker's explanation of the calling thread's last failed call
 * (e.g. which policy rule denied it); "" when the failure was local. */
const char *sockbroker_last_message(void);

#ifdef __cplusplus
}
#endif

#endif
