/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* authbind set-up for the bind comparison. */
#pragma once

#include <stddef.h>

#include "tests/bench/bench.h"

/* Check authbind is there and grant uid 65534 127.0.0.1:80 for the run;
 * 0, or -errno with the reason in why. */
int bench_authbind_prepare(char *why, size_t size);
/* Remove the grant if this run created it. */
void bench_authbind_cleanup(void);
/* Job: plain bind() loops in this program re-executed under authbind. */
int bench_job_authbind_bind(struct bench_job *job, struct bench_result *res);
