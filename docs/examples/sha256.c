/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 by the kernel's crypto API (AF_ALG), for a program that may
 * not create AF_ALG sockets itself (a sandbox that restricts address
 * families): the broker creates the socket and binds it to the
 * algorithm, as one request.
 *
 *     example-sha256 [TEXT]
 *
 * Prints the SHA-256 of TEXT (default "abc") in hex. Exits 77 when the
 * broker's kernel has no AF_ALG. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sockbroker.h>

#define SKIP 77

/* The broker's transform socket for hash:sha256; -1 on failure. */
static int sha256_socket(void)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	struct sockbroker_request *req;
	int fd = -1;

	req = sockbroker_request_new(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (req &&
	    sockbroker_addr_parse(AF_ALG, 0, "hash:sha256", (struct sockaddr *)&addr, &len) == 0 &&
	    sockbroker_request_bind(req, (struct sockaddr *)&addr, len) == 0)
		fd = sockbroker_socket_request(NULL, req);
	sockbroker_request_free(req);
	return fd;
}

int main(int argc, char **argv)
{
	const char *text = argc > 1 ? argv[1] : "abc";
	struct sockbroker_info info;
	unsigned char digest[32];
	int tfm, op;

	if (argc > 2) {
		fprintf(stderr, "usage: example-sha256 [TEXT]\n");
		return 2;
	}
	if (sockbroker_info(NULL, &info) < 0) {
		fprintf(stderr, "example-sha256: no broker: %s\n", strerror(errno));
		return 1;
	}
	if (!SOCKBROKER_INFO_HAS_FAMILY(&info, AF_ALG)) {
		fprintf(stderr, "example-sha256: the broker's kernel has no AF_ALG\n");
		return SKIP;
	}
	tfm = sha256_socket();
	if (tfm < 0) {
		fprintf(stderr, "example-sha256: hash:sha256: %s (%s)\n", strerror(errno),
			sockbroker_last_message());
		return errno == EAFNOSUPPORT || errno == ENOENT ? SKIP : 1;
	}
	/* Each accept() gives an operation socket: write the data, read
	 * the digest. */
	op = accept(tfm, NULL, NULL);
	if (op < 0 || write(op, text, strlen(text)) != (ssize_t)strlen(text) ||
	    read(op, digest, sizeof(digest)) != (ssize_t)sizeof(digest)) {
		perror("example-sha256");
		return 1;
	}
	for (size_t i = 0; i < sizeof(digest); i++)
		printf("%02x", digest[i]);
	printf("\n");
	close(op);
	close(tfm);
	return 0;
}
