/* supervise.c - restarting a worker that dies of a signal */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ttt/util/clock.h"
#include "ttt/util/log.h"

struct supervisor {
	char exe[PATH_MAX]; /* our own executable, so the child's name is ours */
	char **child_argv; /* from ttt_supervise_child_argv */
	int ready_out; /* the outer --ready-fd, until the first child is ready */
	int sig_fd;
	pid_t child;
	bool stopping;
	uint64_t restarts[TTT_SUPERVISE_BURST]; /* when (monotonic), a ring */
	unsigned nrestart;
};

/* Our executable's path, not /proc/self/exe, so the child shows as
 * ttt-worker in ps. A binary replaced since we started (an upgrade by
 * rename) reads "... (deleted)": the path then holds the new one, which is
 * what a restart should run. */
static void own_path(char exe[PATH_MAX])
{
	static const char deleted[] = " (deleted)";
	ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	size_t d = sizeof(deleted) - 1;

	if (n <= 0) {
		snprintf(exe, PATH_MAX, "/proc/self/exe");
		return;
	}
	exe[n] = '\0';
	if ((size_t)n > d && strcmp(exe + n - d, deleted) == 0)
		exe[n - (ssize_t)d] = '\0';
}

/* Whether arg is long option --name, as getopt_long takes it: spelt out or
 * abbreviated, with or without "=value". */
static bool is_long_option(const char *arg, const char *name)
{
	size_t n;

	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
		return false;
	arg += 2;
	n = strcspn(arg, "=");
	return n <= strlen(name) && strncmp(arg, name, n) == 0;
}

char **ttt_supervise_child_argv(int argc, char **argv)
{
	char **v = calloc((size_t)argc + 3, sizeof(*v));
	bool options = true;
	int k = 0;

	if (!v || argc < 1)
		return v;
	v[k++] = argv[0];
	v[k++] = (char *)"--ready-fd";
	v[k++] = NULL; /* the number, set at each start */
	for (int i = 1; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0)
			options = false;
		else if (options && is_long_option(argv[i], "supervise"))
			continue;
		else if (options && is_long_option(argv[i], "ready-fd")) {
			i += strchr(argv[i], '=') ? 0 : 1;
			continue;
		}
		v[k++] = argv[i];
	}
	return v;
}

static int setup_signals(struct supervisor *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	s->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	return s->sig_fd < 0 ? -1 : 0;
}

/* Forks and execs a child with a fresh readiness pipe; returns its read end. */
static int start_child(struct supervisor *s)
{
	char num[16];
	int pipefd[2];
	sigset_t none;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	s->child = fork();
	if (s->child == 0) {
		int w = fcntl(pipefd[1], F_DUPFD, 3); /* without close-on-exec */
		if (w < 0)
			_exit(127);
		snprintf(num, sizeof(num), "%d", w);
		s->child_argv[2] = num;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(s->exe, s->child_argv);
		execv("/proc/self/exe", s->child_argv); /* our path is gone */
		_exit(127);
	}
	close(pipefd[1]);
	if (s->child < 0) {
		close(pipefd[0]);
		return -1;
	}
	return pipefd[0];
}

/* Whether another restart fits in the budget (and records it). */
static bool may_restart(struct supervisor *s)
{
	uint64_t now = ttt_monotonic_ns();
	uint64_t oldest = s->restarts[s->nrestart % TTT_SUPERVISE_BURST];

	if (s->nrestart >= TTT_SUPERVISE_BURST &&
	    now - oldest < (uint64_t)TTT_SUPERVISE_PERIOD_S * TTT_NSEC_PER_SEC)
		return false;
	s->restarts[s->nrestart++ % TTT_SUPERVISE_BURST] = now;
	return true;
}

static void pass_ready(struct supervisor *s, int *ready_in)
{
	char buf[16];
	ssize_t n = read(*ready_in, buf, sizeof(buf));

	close(*ready_in);
	*ready_in = -1;
	if (n > 0 && s->ready_out >= 0) {
		if (write(s->ready_out, "ready\n", 6) != 6)
			ttt_warn("supervisor: cannot pass readiness on");
		close(s->ready_out);
		s->ready_out = -1;
	}
}

/* A child ended: the supervisor's exit status, or -1 to start another. */
static int ended(struct supervisor *s, int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status); /* it stopped, or failed for good */
	if (s->stopping)
		return 0;
	if (s->ready_out >= 0) {
		ttt_error("supervisor: the worker died of signal %d before it ran", WTERMSIG(status));
		return 1;
	}
	if (!may_restart(s)) {
		ttt_error("supervisor: the worker died of signal %d, %d times in %d s: giving up",
			  WTERMSIG(status), TTT_SUPERVISE_BURST, TTT_SUPERVISE_PERIOD_S);
		return 1;
	}
	ttt_warn("supervisor: the worker died of signal %d; restarting it", WTERMSIG(status));
	return -1;
}

/* Reaps children; returns the exit status when the supervisor must end,
 * -1 otherwise (restarting the worker if it died). */
static int reap(struct supervisor *s, int *ready_in)
{
	const struct timespec delay = { 0, TTT_SUPERVISE_DELAY_MS * 1000000L };
	int status, r;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != s->child)
			continue;
		r = ended(s, status);
		if (r >= 0)
			return r;
		nanosleep(&delay, NULL);
		if (*ready_in >= 0)
			close(*ready_in);
		*ready_in = start_child(s);
		if (*ready_in < 0) {
			ttt_error("supervisor: cannot start the worker: %s", strerror(errno));
			return 1;
		}
	}
	return -1;
}

static int on_signal(struct supervisor *s, int *ready_in)
{
	struct signalfd_siginfo si;

	if (read(s->sig_fd, &si, sizeof(si)) != sizeof(si))
		return -1;
	switch (si.ssi_signo) {
	case SIGCHLD:
		return reap(s, ready_in);
	case SIGUSR1:
		kill(s->child, SIGUSR1);
		return -1;
	default: /* SIGTERM, SIGINT, SIGHUP */
		s->stopping = true;
		kill(s->child, SIGTERM);
		return -1;
	}
}

int ttt_supervise(int argc, char **argv, int ready_fd)
{
	struct supervisor s = { .ready_out = ready_fd, .sig_fd = -1, .child = -1 };
	int ready_in, rc = -1;

	own_path(s.exe);
	s.child_argv = ttt_supervise_child_argv(argc, argv);
	if (!s.child_argv || setup_signals(&s) < 0 || (ready_in = start_child(&s)) < 0) {
		ttt_error("supervisor: cannot start the worker: %s", strerror(errno));
		free(s.child_argv);
		return 1;
	}
	while (rc < 0) {
		struct pollfd p[2] = { { s.sig_fd, POLLIN, 0 }, { ready_in, POLLIN, 0 } };
		if (poll(p, ready_in >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (ready_in >= 0 && p[1].revents)
			pass_ready(&s, &ready_in);
		if (p[0].revents)
			rc = on_signal(&s, &ready_in);
	}
	if (ready_in >= 0)
		close(ready_in);
	close(s.sig_fd);
	free(s.child_argv);
	return rc < 0 ? 1 : rc;
}
