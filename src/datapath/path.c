/* SPDX-License-Identifier: MIT */
/* path.c - sleeping until a descriptor is ready or the tunnel stops */
#include "path.h"

#include <errno.h>
#include <poll.h>

int ttt_path_wait(const struct ttt_path *p, int fd, int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = p->stop_fd, .events = POLLIN },
	};

	while (!ttt_path_stopping(p)) {
		int n = poll(pfd, 2, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (pfd[1].revents)
			return 0;
		if (n == 0 || pfd[0].revents)
			return 1;
	}
	return 0;
}
