/* SPDX-License-Identifier: MIT */
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

#include "replaystate.h"
#include "ttt/util/clock.h"
#include "ttt/util/log.h"
#include "ttt/worker/control.h"

struct supervisor {
	const struct ttt_options *opt; /* our own command line */
	int (*run)(const struct ttt_options *o); /* what a child runs: the worker */
	int ready_out; /* the outer --ready-fd, until the first child is ready */
	int sig_fd;
	pid_t child;
	bool stopping;
	uint64_t restarts[TTT_SUPERVISE_BURST]; /* when (monotonic), a ring */
	unsigned nrestart;
	struct ttt_replay_state replay; /* handed to every child (its replay_fd) */
	uint64_t since_ns; /* when we started (UNIX ns), for the child's uptime */
	int control_fd;    /* the control socket the children answer on, or -1 */
	char control_path[TTT_CONTROL_PATH_MAX];
	char name[TTT_CONTROL_NAME_MAX + 1];
};

/* The replay state every child inherits: the file, or a page of our own
 * whose first mark makes the first child refuse one window (a cold start),
 * and every later child refuse what its predecessors accepted. */
static int setup_replay(struct supervisor *s)
{
	struct ttt_err err;
	int rc = s->opt->replay_state
			 ? ttt_replay_state_open(&s->replay, s->opt->replay_state, &err)
			 : ttt_replay_state_anon(&s->replay, ttt_realtime_ns() + s->opt->window_ns, &err);

	if (rc < 0)
		ttt_error("supervisor: %s", err.msg);
	return rc;
}

/* The control socket outlives each child, so `ttt show` finds the tunnel
 * across restarts, and learns of them (the child's restarts). */
static void setup_control(struct supervisor *s)
{
	struct ttt_err err;

	s->control_fd = ttt_control_open(s->opt->control_dir, s->opt->name, s->name,
					 s->control_path, &err);
	if (s->control_fd < 0 && err.msg[0])
		ttt_warn("supervisor: no control socket (ttt show will not list this tunnel): %s",
			 err.msg);
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

/* The child's options: ours without --supervise, on our tap and socket,
 * reporting on the readiness pipe's write end w, answering on our control
 * socket (never one of its own), marking our replay state (the file we
 * opened, or our memfd: never the file opened again). */
static void child_options(const struct supervisor *s, int w, struct ttt_options *o)
{
	*o = *s->opt;
	o->supervise = false;
	o->name = s->name;
	o->control_dir = "none";
	o->control_fd = s->control_fd;
	o->restarts = s->nrestart;
	o->since_ns = s->since_ns;
	o->replay_state = NULL;
	o->replay_fd = s->replay.fd;
	o->ready_fd = w;
}

/* In the child: never returns. It keeps what the worker needs (tap,
 * socket, control socket, replay state, w) and drops what is the
 * supervisor's. */
static void run_child(const struct supervisor *s, int r, const struct ttt_options *o)
{
	sigset_t none;

	close(r);
	close(s->sig_fd);
	if (s->ready_out >= 0)
		close(s->ready_out);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		_exit(1);
	exit(s->run(o));
}

/* Starts a child with a fresh readiness pipe; returns the pipe's read end.
 * The child is a fork of ours, not a new program: we run no thread and
 * hold no key or tunnel, so it starts clean, without the cost of loading
 * the program again (a second exec took 1.3 ms of a CNI ADD), and a
 * restart runs the very code that was started, whatever is on disk now. */
static int start_child(struct supervisor *s)
{
	struct ttt_options o;
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	child_options(s, pipefd[1], &o);
	fflush(NULL); /* nothing of ours printed twice */
	s->child = fork();
	if (s->child == 0)
		run_child(s, pipefd[0], &o);
	close(pipefd[1]);
	if (s->child < 0) {
		int saved = errno;
		close(pipefd[0]);
		errno = saved; /* for the caller's message */
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

int ttt_supervise(const struct ttt_options *o, int (*run)(const struct ttt_options *o))
{
	struct supervisor s = { .opt = o, .run = run, .ready_out = o->ready_fd, .sig_fd = -1,
				.child = -1, .replay = { -1, NULL }, .control_fd = -1,
				.since_ns = ttt_realtime_ns() };
	int ready_in, rc = -1;

	if (setup_replay(&s) < 0)
		return 1;
	setup_control(&s);
	if (setup_signals(&s) < 0 || (ready_in = start_child(&s)) < 0) {
		ttt_error("supervisor: cannot start the worker: %s", strerror(errno));
		ready_in = -1;
		rc = 1;
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
	if (s.sig_fd >= 0)
		close(s.sig_fd);
	ttt_replay_state_close(&s.replay);
	if (s.control_fd >= 0)
		close(s.control_fd);
	if (s.control_path[0])
		(void)unlink(s.control_path);
	return rc < 0 ? 1 : rc;
}
