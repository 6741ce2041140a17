/* SPDX-License-Identifier: MIT */
/* exec.c - finding executables */
#include "ttt/util/exec.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ttt_exe_self(char out[PATH_MAX])
{
	static const char deleted[] = " (deleted)";
	size_t d = sizeof(deleted) - 1;
	ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);

	if (n <= 0) {
		snprintf(out, PATH_MAX, "/proc/self/exe");
		return -1;
	}
	out[n] = '\0';
	if ((size_t)n > d && strcmp(out + n - d, deleted) == 0)
		out[(size_t)n - d] = '\0';
	return 0;
}

int ttt_exe_in_dir(const char *dir, size_t len, const char *name, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%.*s/%s", (int)len, dir, name);

	return len > 0 && n > 0 && n < PATH_MAX && access(out, X_OK) == 0;
}

int ttt_exe_find(const char *path, const char *name, char out[PATH_MAX])
{
	const char *p = path ? path : "";

	if (strchr(name, '/'))
		return -1;
	while (*p) {
		size_t len = strcspn(p, ":");
		if (ttt_exe_in_dir(p, len, name, out))
			return 0;
		p += len + (p[len] == ':');
	}
	return -1;
}
