/* SPDX-License-Identifier: MIT */
/* fd.c - closing every descriptor from a number up, on any kernel */
#include "ttt/util/fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define FD_SCAN_MAX (1 << 20)

/* Parses a /proc/self/fd entry name; -1 for "." and "..". */
static int entry_fd(const char *name)
{
	int fd = 0;

	if (*name < '0' || *name > '9')
		return -1;
	for (; *name >= '0' && *name <= '9'; name++)
		fd = fd * 10 + (*name - '0');
	return fd;
}

/* Closes what /proc/self/fd lists at or above low; -1 without /proc.
 * Linux lists that directory by descriptor number, so closing entries
 * while reading it skips none. */
static int close_listed(int low)
{
	char buf[4096];
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;

	if (dir < 0)
		return -1;
	while ((n = getdents64(dir, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
			int fd = entry_fd(d->d_name);
			if (fd >= low && fd != dir)
				(void)close(fd);
			off += d->d_reclen;
		}
	}
	(void)close(dir);
	return n < 0 ? -1 : 0;
}

/* Closes every number from low to the soft descriptor limit. */
static int close_counted(int low)
{
	struct rlimit rl;
	rlim_t top;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	top = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > FD_SCAN_MAX ? FD_SCAN_MAX : rl.rlim_cur;
	for (rlim_t fd = (rlim_t)low; fd < top; fd++)
		(void)close((int)fd);
	return 0;
}

int ttt_close_from(int low)
{
	if (close_range((unsigned)low, ~0U, 0) == 0)
		return 0;
	if (close_listed(low) == 0)
		return 0;
	return close_counted(low);
}
