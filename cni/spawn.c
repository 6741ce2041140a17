/* spawn.c - starting ttt-worker detached */
#include "cni/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TTT_SBINDIR
#define TTT_SBINDIR "/usr/local/sbin"
#endif

static int executable(const char *dir, size_t len, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%.*s/ttt-worker", (int)len, dir);

	return len > 0 && n > 0 && n < PATH_MAX && access(out, X_OK) == 0;
}

int cni_find_worker(const char *cni_path, char out[PATH_MAX], struct cni_error *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *p = cni_path ? cni_path : "";

	if (n > 0) {
		self[n] = '\0';
		if (strrchr(self, '/') && executable(self, (size_t)(strrchr(self, '/') - self), out))
			return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ":");
		if (executable(p, len, out))
			return 0;
		p += len + (p[len] == ':');
	}
	if (executable(TTT_SBINDIR, strlen(TTT_SBINDIR), out))
		return 0;
	return cni_fail(e, CNI_ERR_WORKER, "ttt-worker not found beside the plugin, in CNI_PATH "
					   "or in " TTT_SBINDIR);
}

/* Puts fd at target. The sources were copied above 9 first (or, for
 * /dev/null and the log, were placed before anything could overwrite them). */
static int place(int fd, int target)
{
	return dup2(fd, target) < 0 ? -1 : 0;
}

/* In the child: never returns. */
static void child(const struct cni_spawn *sp, char *const argv[], int ready)
{
	sigset_t none;
	/* Not close-on-exec: one may already sit on 0-2, where dup2 onto itself
	 * would leave the flag; any other copy is closed or overwritten below. */
	int devnull = open("/dev/null", O_RDWR);
	int log = open(sp->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	int tap = fcntl(sp->tap_fd, F_DUPFD_CLOEXEC, 10);
	int sock = fcntl(sp->sock_fd, F_DUPFD_CLOEXEC, 10);
	int rdy = fcntl(ready, F_DUPFD_CLOEXEC, 10);

	if (setsid() < 0 || devnull < 0 || log < 0 || tap < 0 || sock < 0 || rdy < 0 ||
	    place(devnull, 0) || place(devnull, 1) || place(log, 2) || place(tap, 3) ||
	    place(sock, 4) || place(rdy, 5))
		_exit(126);
	close_range(6, ~0U, 0); /* nothing else of ours, nor of the runtime's */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv(sp->worker, argv);
	dprintf(2, "ttt-worker: error: cannot run %s: %s\n", sp->worker, strerror(errno));
	_exit(127);
}

/* The last "error: " line the worker logged, for the runtime to see. */
static void last_error(const char *log_path, char *buf, size_t len)
{
	char tail[1024], *line, *hit = NULL;
	ssize_t n = -1;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);

	snprintf(buf, len, "it exited without saying why");
	if (fd >= 0) {
		off_t end = lseek(fd, 0, SEEK_END);
		if (end >= 0 && lseek(fd, end > (off_t)sizeof(tail) - 1 ? end - (off_t)sizeof(tail) + 1 : 0,
				      SEEK_SET) >= 0)
			n = read(fd, tail, sizeof(tail) - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	tail[n] = '\0';
	for (line = strtok(tail, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "error: "))
			hit = strstr(line, "error: ") + strlen("error: ");
	if (hit)
		snprintf(buf, len, "%s", hit);
}

/* Waits for "ready" on fd. 1 = ready, 0 = it closed the pipe, -1 = timeout. */
static int await_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[16];
	ssize_t n;

	for (;;) {
		int r = poll(&pfd, 1, CNI_SPAWN_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		return n > 0 && memcmp(buf, "ready", 5) == 0 ? 1 : 0;
	}
}

static int failed(const struct cni_spawn *sp, pid_t pid, int how, struct cni_error *e)
{
	char why[512];

	if (how < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (how < 0)
		return cni_fail(e, CNI_ERR_WORKER, "ttt-worker did not start within %d s",
				CNI_SPAWN_TIMEOUT_MS / 1000);
	last_error(sp->log_path, why, sizeof(why));
	cni_fail(e, CNI_ERR_WORKER, "ttt-worker failed: %s", why);
	return cni_detail(e, "log: %s", sp->log_path);
}

int cni_spawn_worker(const struct cni_spawn *sp, pid_t *pid, struct cni_error *e)
{
	char mtu[16], window[32];
	char *argv[] = { (char *)"ttt-worker", (char *)"--tap-fd", (char *)"3", (char *)"--socket-fd",
			 (char *)"4", (char *)"--ready-fd", (char *)"5", (char *)"--mtu", mtu,
			 (char *)"--window", window, (char *)sp->key_file, (char *)sp->listen,
			 (char *)sp->peer, NULL };
	int ready[2], how;

	snprintf(mtu, sizeof(mtu), "%u", sp->mtu);
	snprintf(window, sizeof(window), "%.9g", sp->window);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return cni_fail(e, CNI_ERR_INTERNAL, "cannot create a pipe: %s", strerror(errno));
	*pid = fork();
	if (*pid == 0) {
		close(ready[0]);
		child(sp, argv, ready[1]);
	}
	close(ready[1]);
	if (*pid < 0) {
		close(ready[0]);
		return cni_fail(e, CNI_ERR_INTERNAL, "cannot fork: %s", strerror(errno));
	}
	how = await_ready(ready[0]);
	close(ready[0]);
	return how == 1 ? 0 : failed(sp, *pid, how, e);
}
