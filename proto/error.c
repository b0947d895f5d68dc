/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filling struct sb_error, and errno names from the constant table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/consts.h"
#include "proto/error.h"

/* A text cut to fit its buffer may end inside a UTF-8 sequence (a key or
 * method name from the client), and a JSON reader refuses the reply that
 * carries it: drop an incomplete last character. */
static void trim_partial_utf8(char *s)
{
	size_t len = strlen(s), i = len, need;
	unsigned char lead;

	/* Back over the continuation bytes a character may have. */
	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	if ((lead & 0xe0) == 0xc0)
		need = 2;
	else if ((lead & 0xf0) == 0xe0)
		need = 3;
	else if ((lead & 0xf8) == 0xf0)
		need = 4;
	else
		return;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

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
	trim_partial_utf8(e->parameter);
	/* fmt may use %m for the errno of the failure being reported. */
	errno = saved_errno;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	trim_partial_utf8(e->message);
	return -errnum;
}

const char *sb_errno_name(int errnum)
{
	if (errnum <= 0)
		return NULL;
	return sb_const_name(SB_C_ERRNO, errnum);
}
