/* SPDX-License-Identifier: MIT */
/* child.c - fork, descriptors, exec, and waiting */
#include "ttt/util/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ttt/util/clock.h"
#include "ttt/util/fd.h"

/* Applies the "NAME=value" / "NAME" list to our (the child's) environment. */
static int apply_env(const char *const *env)
{
	char name[256];

	for (; env && *env; env++) {
		const char *eq = strchr(*env, '=');
		if (!eq) {
			if (unsetenv(*env) < 0)
				return -1;
			continue;
		}
		if ((size_t)(eq - *env) >= sizeof(name))
			return -1;
		memcpy(name, *env, (size_t)(eq - *env));
		name[eq - *env] = '\0';
		if (setenv(name, eq + 1, 1) < 0)
			return -1;
	}
	return 0;
}

/* Puts the descriptors in place: copies go above every target first, so a
 * source that sits on another's target is not overwritten. */
static int place_fds(const struct ttt_child *c)
{
	int tmp[TTT_CHILD_MAX_FDS];
	int devnull = -1;

	for (int i = 0; i < c->nfds; i++) {
		int src = c->fds[i];
		if (src < 0) {
			if (devnull < 0 && (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
				return -1;
			src = devnull;
		}
		tmp[i] = fcntl(src, F_DUPFD_CLOEXEC, TTT_CHILD_MAX_FDS);
		if (tmp[i] < 0)
			return -1;
	}
	for (int i = 0; i < c->nfds; i++)
		if (dup2(tmp[i], i) < 0) /* dup2 clears close-on-exec on the copy */
			return -1;
	return ttt_close_from(c->nfds);
}

/* In the child: never returns. */
static void run_child(const struct ttt_child *c)
{
	sigset_t none;

	if ((c->new_session && setsid() < 0) || place_fds(c) < 0 || apply_env(c->env) < 0)
		_exit(126);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv(c->path, c->argv);
	dprintf(2, "cannot run %s: %s\n", c->path, strerror(errno));
	_exit(127);
}

pid_t ttt_child_start(const struct ttt_child *c, struct ttt_err *err)
{
	pid_t pid;

	if (c->nfds < 0 || c->nfds > TTT_CHILD_MAX_FDS)
		return ttt_err_set(err, "too many descriptors for a child (%d)", c->nfds);
	pid = fork();
	if (pid == 0)
		run_child(c);
	if (pid < 0)
		return ttt_err_sys(err, errno, "cannot start %s", c->path);
	return pid;
}

/* Waits on a pidfd until the child ends or timeout_ms pass: 1 ended, 0
 * timed out, -1 no pidfd (kernel before 5.3). */
static int pidfd_wait(pid_t pid, int timeout_ms)
{
	uint64_t deadline = ttt_monotonic_ns() + (uint64_t)timeout_ms * 1000000;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	int r;

	if (fd < 0)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = ttt_monotonic_ns();
		r = poll(&p, 1, now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1));
		if (r >= 0 || errno != EINTR)
			break;
	}
	close(fd);
	return r > 0 ? 1 : r == 0 ? 0 : -1;
}

int ttt_child_wait(pid_t pid, int timeout_ms)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
	uint64_t deadline = ttt_monotonic_ns() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000;
	int status;

	/* Woken the moment it ends: a child that closed its stdout a little
	 * before it became a zombie cost a whole tick of the loop below. */
	if (timeout_ms >= 0 && pidfd_wait(pid, timeout_ms) == 0)
		deadline = 0; /* it did not end in time: kill it below */
	for (;;) {
		pid_t r = waitpid(pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (timeout_ms >= 0 && ttt_monotonic_ns() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		if (r == 0)
			nanosleep(&tick, NULL);
	}
}

ssize_t ttt_child_read(int fd, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t deadline = ttt_monotonic_ns() + (uint64_t)timeout_ms * 1000000;

	for (;;) {
		uint64_t now = ttt_monotonic_ns();
		int left = now >= deadline ? 0 : (int)((deadline - now) / 1000000);
		int r = poll(&pfd, 1, left);
		ssize_t n;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, buf, cap - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf[n] = '\0';
		return n;
	}
}
