/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filling struct sb_error, and errno names from the constant table. */
#include <stdarg.h>
#include <stdio.h>

#include "proto/consts.h"
#include "proto/error.h"

int sb_error_set(struct sb_error *e, const char *name, int errnum, const char *parameter,
		 const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	/* Accept -errno as well, and never let a caller's slip turn an
	 * error into a success. */
	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EIO;
	if (!e)
		return -errnum;

	e->name = name ? name : SB_ERR_SYSTEM;
	e->errnum = errnum;
	snprintf(e->parameter, sizeof(e->parameter), "%s", parameter ? parameter : "");
	/* fmt may use %m for the errno of the failure being reported. */
	errno = saved_errno;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -errnum;
}

const char *sb_errno_name(int errnum)
{
	if (errnum <= 0)
		return NULL;
	return sb_const_name(SB_C_ERRNO, errnum);
}
