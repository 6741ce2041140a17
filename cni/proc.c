/* proc.c - identifying and stopping processes */
#include "cni/proc.h"

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
static int stop_by_pidfd(int fd, pid_t pid, uint64_t start, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (!cni_proc_alive(pid, start))
		return 0;
	(void)pidfd_send_signal(fd, SIGTERM, NULL, 0);
	if (poll(&p, 1, timeout_ms) == 1)
		return 0;
	(void)pidfd_send_signal(fd, SIGKILL, NULL, 0);
	return poll(&p, 1, 1000) == 1 ? 0 : -1;
}

int cni_proc_stop(pid_t pid, uint64_t start, int timeout_ms)
{
	int fd, rc;

	if (!cni_proc_alive(pid, start))
		return 0;
	fd = pidfd_open(pid, 0);
	if (fd >= 0) {
		rc = stop_by_pidfd(fd, pid, start, timeout_ms);
		close(fd);
		(void)waitpid(pid, NULL, WNOHANG); /* reap it if it was our child */
		return rc;
	}
	if (errno == ESRCH)
		return 0;
	/* No pidfd (kernel before 5.3): signal and poll. */
	(void)kill(pid, SIGTERM);
	if (gone_within(pid, start, timeout_ms))
		return 0;
	if (cni_proc_alive(pid, start))
		(void)kill(pid, SIGKILL);
	return gone_within(pid, start, 1000) ? 0 : -1;
}
