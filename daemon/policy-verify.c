/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "daemon/policy-verify.h"
#include "daemon/policy.h"

int sb_policy_verify(const char *path)
{
	struct sb_policy *p = NULL;
	const char *const *files;
	char err[512];
	size_t n;
	int r;

	/* The very loader of start and reload: same files, same checks of
	 * their owner and mode, same messages. */
	r = sb_policy_load(path, &p, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "sockbrokerd: %s\n", err);
		return 1;
	}
	n = sb_policy_files(p, &files);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", files[i]);
	printf("policy OK: %zu rule(s) in %zu file(s)\n", sb_policy_rule_count(p), n);
	sb_policy_free(p);
	return fflush(stdout) == 0 ? 0 : 1;
}
