/* SPDX-License-Identifier: MIT */
/* child.h - starting and reaping child processes
 *
 * Every program we start (the detached worker of a CNI attachment, an IPAM
 * plugin) is started here: exactly the
 * descriptors it is given and no other, an empty signal mask and default
 * SIGPIPE, whatever the parent had. */
#ifndef TTT_CHILD_H
#define TTT_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "ttt/util/err.h"

#define TTT_CHILD_MAX_FDS 8

struct ttt_child {
	const char *path;      /* the executable */
	char *const *argv;     /* NULL-terminated */
	const char *const *env; /* NULL-terminated "NAME=value" to set, "NAME" to unset; or NULL */
	int fds[TTT_CHILD_MAX_FDS]; /* descriptor i of the child is fds[i]; -1: /dev/null */
	int nfds;              /* descriptors 0..nfds-1; every other one is closed */
	bool new_session;      /* setsid(): detached from our terminal and process group */
};

/* Forks and execs c. Returns the child's PID, or -1 with err set. When the
 * exec fails, the child writes "cannot run PATH: reason" to its descriptor
 * 2 and exits with status 127. */
pid_t ttt_child_start(const struct ttt_child *c, struct ttt_err *err);

/* Waits up to timeout_ms (-1: no limit) for the child to end, then kills it
 * (SIGKILL) and reaps it. Returns its wait status, or -1 when it had to be
 * killed (or could not be waited for). */
int ttt_child_wait(pid_t pid, int timeout_ms);

/* Waits up to timeout_ms for something to read on fd and reads it into buf
 * (cap bytes, NUL-terminated). Returns the length (0: end of file), or -1
 * on a timeout or an error. */
ssize_t ttt_child_read(int fd, char *buf, size_t cap, int timeout_ms);

#endif
