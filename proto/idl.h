/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Varlink interface descriptions (the .varlink files of proto/: the
 * project's interfaces and org.varlink.service), built in. */
#pragma once

#include <stddef.h>
#include <string.h>

struct sb_idl {
	const char *interface;
	const char *description;
};

/* Terminated by an entry with interface == NULL. */
extern const struct sb_idl sb_idl_table[];

static inline const char *sb_idl_lookup(const char *interface)
{
	for (const struct sb_idl *i = sb_idl_table; i->interface; i++)
		if (strcmp(i->interface, interface) == 0)
			return i->description;
	return NULL;
}
