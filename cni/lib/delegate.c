/* delegate.c - executing a delegate plugin */
#include "cni/lib/delegate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX (1 << 20)

int cni_delegate_find(const char *path, const char *type, char out[PATH_MAX],
		      struct cni_error *e)
{
	const char *p = path ? path : "";

	while (*p && !strchr(type, '/')) {
		size_t len = strcspn(p, ":");
		int n = snprintf(out, PATH_MAX, "%.*s/%s", (int)len, p, type);
		if (len > 0 && n > 0 && n < PATH_MAX && access(out, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	return cni_fail(e, CNI_ERR_INVALID_CONFIG, "plugin %s not found in CNI_PATH (%s)", type,
			path ? path : "unset");
}

static void set_or_unset(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* In the child: wire the pipes, set the environment, exec. Never returns. */
static void child(const struct cni_delegate *d, const char *bin, int in[2], int out[2])
{
	if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
		_exit(127);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	setenv("CNI_COMMAND", d->command, 1);
	set_or_unset("CNI_CONTAINERID", d->container_id);
	set_or_unset("CNI_NETNS", d->netns);
	set_or_unset("CNI_IFNAME", d->ifname);
	set_or_unset("CNI_PATH", d->path);
	signal(SIGPIPE, SIG_DFL); /* we ignore it; the delegate should not inherit that */
	execl(bin, d->type, (char *)NULL);
	_exit(127);
}

struct pump {
	const char *in;
	size_t in_len, in_off;
	char *out;
	size_t out_len;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feeds stdin and collects stdout until the child closes stdout. */
static int pump_io(struct pump *pm, int wfd, int rfd, long long deadline)
{
	struct pollfd pfd[2] = { { .fd = rfd, .events = POLLIN }, { .fd = wfd, .events = POLLOUT } };

	if (pm->in_len == 0) {
		pfd[1].fd = -1;
		close(wfd); /* nothing to say: EOF at once */
	}
	while (pfd[0].fd >= 0) {
		long long left = deadline - now_ms();
		if (left <= 0 || poll(pfd, 2, (int)left) < 0) {
			if (left > 0 && errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents) {
			ssize_t w = write(wfd, pm->in + pm->in_off, pm->in_len - pm->in_off);
			if (w > 0)
				pm->in_off += (size_t)w;
			if (w < 0 || pm->in_off == pm->in_len) {
				pfd[1].fd = -1;
				close(wfd);
			}
		}
		if (pfd[0].revents) {
			ssize_t r;
			if (pm->out_len == OUT_MAX)
				return -1; /* a result is never that large */
			r = read(rfd, pm->out + pm->out_len, OUT_MAX - pm->out_len);
			if (r <= 0)
				pfd[0].fd = -1;
			else
				pm->out_len += (size_t)r;
			pm->out[pm->out_len] = '\0';
		}
	}
	if (pfd[1].fd >= 0)
		close(wfd);
	return 0;
}

/* Forks the delegate with its stdin and stdout on pipes; the parent keeps
 * in[1] and out[0]. */
static int start(const struct cni_delegate *d, const char *bin, int in[2], int out[2], pid_t *pid)
{
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	*pid = fork();
	if (*pid == 0)
		child(d, bin, in, out);
	close(in[0]);
	close(out[1]);
	if (*pid < 0) {
		int saved = errno;
		close(in[1]);
		close(out[0]);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Waits for the child until the deadline, then kills it. Returns its wait
 * status, or -1 when it had to be killed. */
static int reap(pid_t pid, long long deadline)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 5 * 1000 * 1000 };
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		nanosleep(&tick, NULL);
	}
}

/* The delegate failed: take its error JSON if it printed one. */
static int delegate_error(const struct cni_delegate *d, const char *out, int status,
			  struct cni_error *e)
{
	cJSON *o = cJSON_Parse(out);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "msg");
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(o, "details");

	if (cJSON_IsNumber(code) && cJSON_IsString(msg)) {
		cni_fail(e, (int)code->valuedouble, "%s plugin %s: %s", d->command, d->type,
			 msg->valuestring);
		if (cJSON_IsString(details))
			cni_detail(e, "%s", details->valuestring);
	} else if (status < 0) {
		cni_fail(e, CNI_ERR_INTERNAL, "%s plugin %s did not finish within %d s", d->command,
			 d->type, CNI_DELEGATE_TIMEOUT_MS / 1000);
	} else {
		cni_fail(e, CNI_ERR_INTERNAL, "%s plugin %s failed (%s %d)", d->command, d->type,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	cJSON_Delete(o);
	return -1;
}

int cni_delegate_start(const struct cni_delegate *d, struct cni_running *r, struct cni_error *e)
{
	char bin[PATH_MAX];
	int in[2], outp[2];

	memset(r, 0, sizeof(*r));
	r->pid = -1;
	r->d = d;
	r->deadline = now_ms() + CNI_DELEGATE_TIMEOUT_MS;
	if (cni_delegate_find(d->path, d->type, bin, e) < 0)
		return -1;
	r->out = calloc(1, OUT_MAX + 1);
	if (!r->out)
		return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
	if (start(d, bin, in, outp, &r->pid) < 0) {
		free(r->out);
		r->out = NULL;
		return cni_fail(e, CNI_ERR_INTERNAL, "cannot run %s: %s", d->type, strerror(errno));
	}
	r->in_fd = in[1];
	r->out_fd = outp[0];
	return 0;
}

int cni_delegate_finish(struct cni_running *r, char **out, struct cni_error *e)
{
	struct pump pm = { .in = r->d->conf, .in_len = r->d->conf_len, .out = r->out };
	int status, io;

	*out = NULL;
	if (r->pid < 0)
		return -1; /* never started: e was set by cni_delegate_start */
	io = pump_io(&pm, r->in_fd, r->out_fd, r->deadline);
	close(r->out_fd);
	if (io < 0)
		kill(r->pid, SIGKILL);
	status = reap(r->pid, r->deadline);
	r->pid = -1;
	if (io < 0 || status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		delegate_error(r->d, r->out, io < 0 ? -1 : status, e);
		free(r->out);
		r->out = NULL;
		return -1;
	}
	*out = r->out;
	r->out = NULL;
	return 0;
}

int cni_delegate_run(const struct cni_delegate *d, char **out, struct cni_error *e)
{
	struct cni_running r;

	*out = NULL;
	if (cni_delegate_start(d, &r, e) < 0)
		return -1;
	return cni_delegate_finish(&r, out, e);
}
