/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors as they travel on the wire: a Varlink error name, an errno and a
 * human message. Every parser in proto/ fills one of these. */
#pragma once

#include "util.h"

/* Standard Varlink errors (varlink.org, org.varlink.service). */
#define SB_ERR_INTERFACE_NOT_FOUND "org.varlink.service.InterfaceNotFound"
#define SB_ERR_METHOD_NOT_FOUND "org.varlink.service.MethodNotFound"
#define SB_ERR_METHOD_NOT_IMPLEMENTED "org.varlink.service.MethodNotImplemented"
#define SB_ERR_INVALID_PARAMETER "org.varlink.service.InvalidParameter"

/* org.sockbroker errors; all carry errno, errno_name and message. */
#define SB_ERR_PERMISSION_DENIED "org.sockbroker.PermissionDenied"
#define SB_ERR_SYSTEM "org.sockbroker.SystemError"
#define SB_ERR_BAD_DESCRIPTOR "org.sockbroker.BadDescriptor"
#define SB_ERR_LIMIT_EXCEEDED "org.sockbroker.LimitExceeded"
#define SB_ERR_NOT_SUPPORTED "org.sockbroker.NotSupported"
#define SB_ERR_PROTOCOL "org.sockbroker.ProtocolError"

struct sb_error {
	const char *name;   /* one of the SB_ERR_* names */
	int errnum;	    /* positive errno value */
	char parameter[64]; /* offending parameter, for InvalidParameter */
	char message[256];  /* for humans and logs */
};

/* Fill *e (if not NULL) and return -errnum, so parsers can write
 * "return sb_error_set(err, ...);". */
int sb_error_set(struct sb_error *e, const char *name, int errnum, const char *parameter,
		 const char *fmt, ...) _printf_(5, 6);

/* Shorthand for the most common case: a parameter is wrong (EINVAL). */
#define sb_error_param(e, param, ...) \
	sb_error_set(e, SB_ERR_INVALID_PARAMETER, EINVAL, param, __VA_ARGS__)
/* And for a failed allocation: a SystemError with ENOMEM. */
#define sb_error_oom(e) sb_error_set(e, SB_ERR_SYSTEM, ENOMEM, NULL, "out of memory")

/* "EACCES" for EACCES; NULL for an unknown value. */
const char *sb_errno_name(int errnum);
