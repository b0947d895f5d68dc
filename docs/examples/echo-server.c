/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An echo server on a privileged port, run by an ordinary user: the
 * program makes its own socket and asks the broker only for the bind
 * (sockbroker_bind(), the drop-in for bind(2)), as authbind users do.
 *
 *     example-echo-server [ADDRESS [CONNECTIONS]]
 *
 * Listens on ADDRESS (default 127.0.0.1:7; [::1]:7 for IPv6), prints
 * "listening on ADDRESS", echoes CONNECTIONS (default 1) connections one
 * after the other until each peer closes, then exits 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sockbroker.h>

static int echo(int conn)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(conn, buf, sizeof(buf));

		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(conn, buf + off, (size_t)(n - off));

			if (w < 0 && errno != EINTR)
				return -1;
			if (w > 0)
				off += w;
		}
	}
}

int main(int argc, char **argv)
{
	const char *text = argc > 1 ? argv[1] : "127.0.0.1:7";
	long connections = argc > 2 ? strtol(argv[2], NULL, 10) : 1;
	int family = text[0] == '[' ? AF_INET6 : AF_INET;
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	char name[SOCKBROKER_ADDR_TEXT_MAX];
	int fd, one = 1;

	if (argc > 3 || connections < 1 ||
	    sockbroker_addr_parse(family, 0, text, (struct sockaddr *)&addr, &len) < 0) {
		fprintf(stderr, "usage: example-echo-server [HOST:PORT [CONNECTIONS]]\n");
		return 2;
	}
	/* An ordinary socket of our own: only the bind needs privilege. */
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		perror("example-echo-server: socket");
		return 1;
	}
	if (sockbroker_bind(fd, (struct sockaddr *)&addr, len) < 0) {
		fprintf(stderr, "example-echo-server: bind %s: %s (%s)\n", text, strerror(errno),
			sockbroker_last_message());
		return 1;
	}
	if (listen(fd, 16) < 0) {
		perror("example-echo-server: listen");
		return 1;
	}
	len = sizeof(addr);
	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 ||
	    sockbroker_addr_format((struct sockaddr *)&addr, len, 0, name, sizeof(name)) < 0) {
		perror("example-echo-server: getsockname");
		return 1;
	}
	printf("listening on %s\n", name);
	fflush(stdout);

	for (long i = 0; i < connections; i++) {
		int conn = accept(fd, NULL, NULL);

		if (conn < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			perror("example-echo-server: accept");
			return 1;
		}
		if (echo(conn) < 0)
			perror("example-echo-server: echo");
		close(conn);
	}
	close(fd);
	return 0;
}
