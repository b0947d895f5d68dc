/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handlers (daemon/method-*.c), which the method table names
 * (dispatch.c). Each returns 0, or -errno with req->error filled (see
 * request.h). */
#pragma once

#include <stdbool.h>

#include "daemon/request.h"

int sb_method_socket(struct sb_request *req);
int sb_method_bind(struct sb_request *req);
int sb_method_setsockopt(struct sb_request *req);
int sb_method_info(struct sb_request *req);
int sb_method_get_info(struct sb_request *req);
int sb_method_get_interface_description(struct sb_request *req);
int sb_method_admin_status(struct sb_request *req);
int sb_method_admin_list(struct sb_request *req);
int sb_method_admin_check(struct sb_request *req);
/* Does this Check ask about the caller itself (by its uid, with no other
 * unit)? Read before the handler, which checks the parameters. */
bool sb_method_admin_check_is_about_caller(const struct sb_request *req);
int sb_method_admin_reload(struct sb_request *req);
