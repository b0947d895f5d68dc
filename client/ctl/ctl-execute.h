/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Executing the command of run and exec: the search of $PATH, and the
 * exit status of a command that could not be executed, as shells give
 * it (127 not found, 126 found but not executable). */
#pragma once

/* The file $PATH leads to for cmd (cmd itself when it holds a '/') that
 * access(2) admits with amode, or NULL. To be freed. */
char *ctl_find_command(const char *cmd, int amode);
/* Execute cmd (searched in $PATH); on failure print why, prefixed with
 * what, and return 127 when it was not found, 126 otherwise. */
int ctl_execute(const char *what, char **cmd);
