/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tests/testlib.h"

/* Tests run in forked children; a skip travels back to the parent as a
 * line "name<TAB>reason" in this file. */
static char skip_path[] = "/tmp/sockbroker-skip-XXXXXX";
static int skip_fd = -1;

void sb_test_add(Suite *s, const char *name, const TTest *fn, SFun setup, SFun teardown,
		 int timeout)
{
	TCase *tc = tcase_create(name);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout > 0 ? timeout : 30);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

void sb_test_skip(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	for (char *p = reason; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	if (skip_fd >= 0)
		dprintf(skip_fd, "%s\t%s\n", tcase_name(), reason);
}

void sb_test_skip_all(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	printf("1..0 # SKIP %s\n", reason);
	exit(0);
}

/* Reason recorded for test name, or NULL. */
static const char *skip_reason(const char *skips, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);

	for (const char *line = skips; line && *line;) {
		const char *end = strchr(line, '\n');

		if (!end)
			break;
		if (strncmp(line, name, n) == 0 && line[n] == '\t') {
			size_t len = (size_t)(end - line) - n - 1;

			if (len >= size)
				len = size - 1;
			memcpy(buf, line + n + 1, len);
			buf[len] = 0;
			return buf;
		}
		line = end + 1;
	}
	return NULL;
}

static char *read_skips(void)
{
	FILE *f = fopen(skip_path, "re");
	char *buf = NULL;
	size_t size = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &size, 0, f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int sb_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	_cleanup_free_ char *skips = NULL;
	TestResult **results;
	int n, failed = 0;

	skip_fd = mkostemp(skip_path, O_APPEND | O_CLOEXEC);
	if (skip_fd < 0) {
		printf("Bail out! cannot create %s: %m\n", skip_path);
		return 99;
	}
	srunner_run_all(sr, CK_SILENT);
	skips = read_skips();
	unlink(skip_path);

	n = srunner_ntests_run(sr);
	results = srunner_results(sr);
	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		TestResult *tr = results[i];
		char reason[512];

		if (tr_rtype(tr) == CK_PASS) {
			if (skip_reason(skips, tr_tcname(tr), reason, sizeof(reason)))
				printf("ok %d - %s # SKIP %s\n", i + 1, tr_tcname(tr), reason);
			else
				printf("ok %d - %s\n", i + 1, tr_tcname(tr));
		} else {
			failed++;
			printf("not ok %d - %s: %s:%d: %s\n", i + 1, tr_tcname(tr), tr_lfile(tr),
			       tr_lno(tr), tr_msg(tr));
		}
	}
	free(results);
	srunner_free(sr);
	return failed ? 1 : 0;
}
