/* SPDX-License-Identifier: MIT */
/* exec.h - finding executables: our own, and others along a search path */
#ifndef TTT_EXEC_H
#define TTT_EXEC_H

#include <limits.h>
#include <stddef.h>

/* The path of the running executable. A binary replaced since it started
 * (an upgrade by rename) reads "... (deleted)" in /proc; the suffix is cut,
 * so the path names the new one. Returns 0, or -1 when it cannot be read
 * (out then holds "/proc/self/exe", which still runs the old one). */
int ttt_exe_self(char out[PATH_MAX]);

/* Whether dir (len bytes, not NUL-terminated) holds an executable called
 * name; its path is written to out. */
int ttt_exe_in_dir(const char *dir, size_t len, const char *name, char out[PATH_MAX]);

/* Searches the colon-separated directories of path (as PATH or CNI_PATH;
 * empty entries are skipped) for an executable called name, which must not
 * contain '/'. Returns 0 with its path in out, or -1. */
int ttt_exe_find(const char *path, const char *name, char out[PATH_MAX]);

#endif
