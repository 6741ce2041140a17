/* SPDX-License-Identifier: MIT */
/* proc.c - identifying and stopping processes */
#include "cni/lib/proc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t cni_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], state;
	unsigned long long start = 0;
	const char *p;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces and ')': skip to the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
				"%*d %*d %*d %llu", &state, &start) != 2)
		return 0;
	return state == 'Z' || state == 'X' ? 0 : (uint64_t)start;
}

bool cni_proc_alive(pid_t pid, uint64_t start)
{
	return start != 0 && cni_proc_start_time(pid) == start;
}

/* Waits up to ms for the process to go; reaps it if it is our child. */
static bool gone_within(pid_t pid, uint64_t start, int ms)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };

	for (int waited = 0;; waited += 20) {
		(void)waitpid(pid, NULL, WNOHANG);
		if (!cni_proc_alive(pid, start))
			return true;
		if (waited >= ms)
			return false;
		nanosleep(&tick, NULL);
	}
}

/* With a pidfd the identity check cannot race with PID reuse (the pidfd
 * names this very process), and its exit is signalled at once. */
void cni_proc_stop_begin(pid_t pid, uint64_t start, struct cni_stopping *s)
{
	s->pid = pid;
	s->start = start;
	s->pidfd = -1;
	s->gone = !cni_proc_alive(pid, start);
	if (s->gone)
		return;
	s->pidfd = pidfd_open(pid, 0);
	if (s->pidfd < 0) {
		s->gone = errno == ESRCH;
		if (!s->gone)
			(void)kill(pid, SIGTERM); /* no pidfd (kernel before 5.3) */
		return;
	}
	if (!cni_proc_alive(pid, start)) { /* a new process under the old PID */
		s->gone = true;
		return;
	}
	(void)pidfd_send_signal(s->pidfd, SIGTERM, NULL, 0);
}

static int end_by_pidfd(struct cni_stopping *s, int timeout_ms)
{
	struct pollfd p = { .fd = s->pidfd, .events = POLLIN };
	int rc = 0;

	if (poll(&p, 1, timeout_ms) != 1) {
		(void)pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
		rc = poll(&p, 1, 1000) == 1 ? 0 : -1;
	}
	(void)waitpid(s->pid, NULL, WNOHANG); /* reap it if it was our child */
	return rc;
}

int cni_proc_stop_end(struct cni_stopping *s, int timeout_ms)
{
	int rc;

	if (s->pidfd >= 0) {
		rc = s->gone ? 0 : end_by_pidfd(s, timeout_ms);
		close(s->pidfd);
		s->pidfd = -1;
		return rc;
	}
	if (s->gone || gone_within(s->pid, s->start, timeout_ms))
		return 0;
	if (cni_proc_alive(s->pid, s->start))
		(void)kill(s->pid, SIGKILL);
	return gone_within(s->pid, s->start, 1000) ? 0 : -1;
}

int cni_proc_stop(pid_t pid, uint64_t start, int timeout_ms)
{
	struct cni_stopping s;

	cni_proc_stop_begin(pid, start, &s);
	return cni_proc_stop_end(&s, timeout_ms);
}
