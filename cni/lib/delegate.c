/* SPDX-License-Identifier: MIT */
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

#include "ttt/util/child.h"
#include "ttt/util/exec.h"

#define OUT_MAX (1 << 20)

int cni_delegate_find(const char *path, const char *type, char out[PATH_MAX],
		      struct cni_error *e)
{
	if (ttt_exe_find(path, type, out) == 0)
		return 0;
	return cni_fail(e, CNI_ERR_INVALID_CONFIG, "plugin %s not found in CNI_PATH (%s)", type,
			path ? path : "unset");
}

/* The delegate's environment: ours, with the attachment's variables set
 * (or unset when the attachment has none). */
struct delegate_env {
	char buf[5][PATH_MAX + 32];
	const char *list[6];
};

static void build_env(const struct cni_delegate *d, struct delegate_env *v)
{
	const char *names[5] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
				 "CNI_PATH" };
	const char *values[5] = { d->command, d->container_id, d->netns, d->ifname, d->path };

	for (int i = 0; i < 5; i++) {
		if (values[i])
			snprintf(v->buf[i], sizeof(v->buf[i]), "%s=%s", names[i], values[i]);
		else
			snprintf(v->buf[i], sizeof(v->buf[i]), "%s", names[i]);
		v->list[i] = v->buf[i];
	}
	v->list[5] = NULL;
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

/* Feeds the rest of stdin (wfd, non-blocking; -1 when all was written)
 * and collects stdout until the child closes stdout. */
static int pump_io(struct pump *pm, int wfd, int rfd, long long deadline)
{
	struct pollfd pfd[2] = { { .fd = rfd, .events = POLLIN }, { .fd = wfd, .events = POLLOUT } };

	if (wfd < 0 || pm->in_off == pm->in_len) {
		pfd[1].fd = -1;
		if (wfd >= 0)
			close(wfd); /* nothing (more) to say: EOF at once */
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
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || pm->in_off == pm->in_len) {
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

/* Starts the delegate with its stdin and stdout on pipes; the parent keeps
 * in[1] and out[0]. */
static int start(const struct cni_delegate *d, const char *bin, int in[2], int out[2], pid_t *pid,
		 struct cni_error *e)
{
	char *const argv[] = { (char *)d->type, NULL };
	struct delegate_env env;
	struct ttt_child c = { .path = bin, .argv = argv, .nfds = 3, .new_session = false };
	struct ttt_err err;

	if (pipe2(in, O_CLOEXEC) < 0)
		return cni_fail(e, CNI_ERR_INTERNAL, "cannot run %s: %s", d->type, strerror(errno));
	if (pipe2(out, O_CLOEXEC) < 0) {
		cni_fail(e, CNI_ERR_INTERNAL, "cannot run %s: %s", d->type, strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	build_env(d, &env);
	c.env = env.list;
	c.fds[0] = in[0];
	c.fds[1] = out[1];
	c.fds[2] = 2; /* its messages go where ours go */
	*pid = ttt_child_start(&c, &err);
	close(in[0]);
	close(out[1]);
	if (*pid < 0) {
		close(in[1]);
		close(out[0]);
		return cni_fail_errf(e, CNI_ERR_INTERNAL, &err, "cannot run %s", d->type);
	}
	return 0;
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

/* Writes what the pipe takes of stdin now, without blocking, and closes it
 * when that was all: the delegate need not wait for cni_delegate_finish.
 * Whatever fails here is left to pump_io, which writes the rest. */
static void feed(struct cni_running *r)
{
	const struct cni_delegate *d = r->d;
	int flags = fcntl(r->in_fd, F_GETFL);

	if (flags < 0 || fcntl(r->in_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return;
	while (r->in_off < d->conf_len) {
		ssize_t w = write(r->in_fd, d->conf + r->in_off, d->conf_len - r->in_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* full (EAGAIN), or the delegate is gone: pump_io sees to it */
		r->in_off += (size_t)w;
	}
	close(r->in_fd);
	r->in_fd = -1;
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
	if (start(d, bin, in, outp, &r->pid, e) < 0) {
		free(r->out);
		r->out = NULL;
		return -1;
	}
	r->in_fd = in[1];
	r->out_fd = outp[0];
	feed(r);
	return 0;
}

int cni_delegate_finish(struct cni_running *r, char **out, struct cni_error *e)
{
	struct pump pm = { .in = r->d->conf, .in_len = r->d->conf_len, .in_off = r->in_off,
			   .out = r->out };
	int status, io;

	*out = NULL;
	if (r->pid < 0)
		return -1; /* never started: e was set by cni_delegate_start */
	io = pump_io(&pm, r->in_fd, r->out_fd, r->deadline);
	close(r->out_fd);
	if (io < 0)
		kill(r->pid, SIGKILL);
	status = ttt_child_wait(r->pid, (int)(r->deadline > now_ms() ? r->deadline - now_ms() : 0));
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
