/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the libFuzzer targets: reading structured values off the
 * input, assertions that crash (so libFuzzer keeps the input), and a
 * check that an input leaves no descriptor open. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Where targets report: stderr, unless a target sends stderr elsewhere
 * (the daemon code logs there) and sets this to the real one. */
static inline FILE **fuzz_err_slot(void)
{
	static FILE *f;

	return &f;
}
#define FUZZ_ERR (*fuzz_err_slot() ? *fuzz_err_slot() : stderr)

/* An oracle failed: report and abort, which libFuzzer records as a crash
 * with the input that caused it. */
#define FUZZ_ASSERT(cond)                                                                      \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(FUZZ_ERR, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                        \
			fflush(FUZZ_ERR);                                                      \
			abort();                                                               \
		}                                                                              \
	} while (0)

/* The input, consumed from the front. Reads past the end give zeros, so
 * every input is valid. */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

/* Up to n bytes; *got says how many there were. */
static inline const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	if (n > in->left)
		n = in->left;
	in->p += n;
	in->left -= n;
	*got = n;
	return p;
}

/* The rest of the input as a NUL-terminated string, cut at the first NUL
 * (the framing never hands a message with a NUL inside to a parser). */
static inline char *fuzz_rest_string(struct fuzz_input *in, size_t *len)
{
	const uint8_t *nul = memchr(in->p, 0, in->left);
	size_t n = nul ? (size_t)(nul - in->p) : in->left;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, in->p, n);
	s[n] = 0;
	in->p += in->left;
	in->left = 0;
	if (len)
		*len = n;
	return s;
}

/* Descriptor leaks: what an input leaves open that was not open before
 * it. Snapshots are per input, since libFuzzer itself may open
 * descriptors between inputs (the symbolizer's pipes). */
#define FUZZ_FD_LIMIT 1024

static inline unsigned char *fuzz_fd_open_before(void)
{
	static unsigned char open_before[FUZZ_FD_LIMIT];

	return open_before;
}

/* Which descriptors below FUZZ_FD_LIMIT are open, from /proc/self/fd
 * (one directory read instead of a system call per number). */
static inline void fuzz_fd_list(unsigned char *open_now)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;

	FUZZ_ASSERT(dir);
	memset(open_now, 0, FUZZ_FD_LIMIT);
	while ((de = readdir(dir))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd != dirfd(dir) && fd < FUZZ_FD_LIMIT)
			open_now[fd] = 1;
	}
	closedir(dir);
}

static inline void fuzz_fd_snapshot(void)
{
	fuzz_fd_list(fuzz_fd_open_before());
}

static inline void fuzz_assert_fds_closed(void)
{
	unsigned char open_now[FUZZ_FD_LIMIT];

	fuzz_fd_list(open_now);
	for (int fd = 0; fd < FUZZ_FD_LIMIT; fd++) {
		if (open_now[fd] && !fuzz_fd_open_before()[fd]) {
			char path[64], target[256] = "?";
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 1] = 0;
			fprintf(FUZZ_ERR, "descriptor %d (%s) leaked by this input\n", fd, target);
			fflush(FUZZ_ERR);
			abort();
		}
	}
}
