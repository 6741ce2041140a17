/* SPDX-License-Identifier: MIT */
/* control.c - the control socket: where it lives, listening, serving one
 * client, and asking a worker (the protocol itself is control_proto.c) */
#include "ttt/worker/control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ttt/util/clock.h"

_Static_assert(sizeof(((struct sockaddr_un *)0)->sun_path) == TTT_CONTROL_PATH_MAX,
	       "TTT_CONTROL_PATH_MAX is sun_path's size");

const char *ttt_run_dir(void)
{
	const char *d = secure_getenv(TTT_RUN_DIR_ENV);

	return d && d[0] == '/' ? d : TTT_RUN_DIR_DEFAULT;
}

void ttt_control_dir_default(char *out, size_t len)
{
	snprintf(out, len, "%s/%s", ttt_run_dir(), TTT_CONTROL_SUBDIR);
}

bool ttt_control_name_valid(const char *name)
{
	size_t n = strnlen(name, TTT_CONTROL_NAME_MAX + 1);

	if (n == 0 || n > TTT_CONTROL_NAME_MAX || name[0] == '.')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:@-") == n;
}

int ttt_control_path(const char *dir, const char *name, char out[TTT_CONTROL_PATH_MAX],
		     struct ttt_err *err)
{
	int n;

	if (!ttt_control_name_valid(name))
		return ttt_err_set(err, "control socket name '%s' is not 1 to %d letters, digits "
					"or '_.:@-' (not starting with '.')", name, TTT_CONTROL_NAME_MAX);
	n = snprintf(out, TTT_CONTROL_PATH_MAX, "%s/%s%s", dir, name, TTT_CONTROL_SUFFIX);
	if (n < 0 || n >= TTT_CONTROL_PATH_MAX)
		return ttt_err_set(err, "control socket path %s/%s%s is longer than %d bytes", dir,
				   name, TTT_CONTROL_SUFFIX, TTT_CONTROL_PATH_MAX - 1);
	return 0;
}

static int mkdir_p(const char *dir, struct ttt_err *err)
{
	char path[TTT_CONTROL_PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path) || dir[0] != '/')
		return ttt_err_set(err, "control directory '%s' is not a short absolute path", dir);
	for (char *p = path + 1;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return ttt_err_sys(err, errno, "cannot create %s", path);
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/* The directory must be ours and closed to writers other than us. */
static int check_dir(const char *dir, struct ttt_err *err)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return ttt_err_sys(err, errno, "control directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		return ttt_err_set(err, "control directory %s is not a directory", dir);
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return ttt_err_set(err, "control directory %s is not ours alone (owner %u, "
					"mode %04o)", dir, (unsigned)st.st_uid,
				   (unsigned)(st.st_mode & 07777));
	return 0;
}

static void set_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
}

/* Milliseconds left until deadline (monotonic ns), at least 0. */
static int left_ms(uint64_t deadline)
{
	uint64_t now = ttt_monotonic_ns();

	return now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
}

/* Waits for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, left_ms(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -1 : n > 0;
	}
}

/* Connects a non-blocking socket to path: 0, or -1 with errno. */
static int connect_to(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	set_addr(&a, path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EAGAIN) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Whether something listens on path; a path that is not a socket is an
 * error (err set, -1). */
static int answers(const char *path, struct ttt_err *err)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ttt_err_sys(err, errno, "%s", path);
	if (!S_ISSOCK(st.st_mode))
		return ttt_err_set(err, "%s exists and is not a socket", path);
	fd = connect_to(path);
	if (fd < 0)
		return errno == ECONNREFUSED || errno == ENOENT ? 0 : 1;
	close(fd);
	return 1;
}

/* Binds fd to tmp, closes it to others and listens, then renames tmp to path. */
static int bind_and_publish(int fd, const char *tmp, const char *path, struct ttt_err *err)
{
	struct sockaddr_un a;

	set_addr(&a, tmp);
	(void)unlink(tmp); /* a leftover of a process with our PID */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return ttt_err_sys(err, errno, "cannot bind %s", tmp);
	if (chmod(tmp, 0600) < 0 || listen(fd, 16) < 0 || rename(tmp, path) < 0) {
		ttt_err_sys(err, errno, "cannot publish the control socket %s", path);
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int ttt_control_listen(const char *dir, const char *name, char path[TTT_CONTROL_PATH_MAX],
		       struct ttt_err *err)
{
	char tmp[TTT_CONTROL_PATH_MAX];
	int fd, live;

	if (ttt_control_path(dir, name, path, err) < 0 || mkdir_p(dir, err) < 0 ||
	    check_dir(dir, err) < 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s/.%ld.tmp", dir, (long)getpid()) >= (int)sizeof(tmp))
		return ttt_err_set(err, "control directory %s is too long", dir);
	live = answers(path, err);
	if (live < 0)
		return -1;
	if (live) {
		ttt_err_set(err, "another worker answers on %s", path);
		err->code = EADDRINUSE;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot create a Unix socket");
	if (bind_and_publish(fd, tmp, path, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int ttt_control_open(const char *control_dir, const char *name,
		     char name_out[TTT_CONTROL_NAME_MAX + 1], char path[TTT_CONTROL_PATH_MAX],
		     struct ttt_err *err)
{
	char dir[TTT_CONTROL_PATH_MAX];
	int fd = -1;

	if (name)
		snprintf(name_out, TTT_CONTROL_NAME_MAX + 1, "%s", name);
	else
		snprintf(name_out, TTT_CONTROL_NAME_MAX + 1, "worker-%ld", (long)getpid());
	path[0] = '\0';
	err->msg[0] = '\0';
	if (control_dir && strcmp(control_dir, "none") == 0)
		return -1;
	if (control_dir)
		snprintf(dir, sizeof(dir), "%s", control_dir);
	else
		ttt_control_dir_default(dir, sizeof(dir));
	fd = ttt_control_listen(dir, name_out, path, err);
	if (fd < 0)
		path[0] = '\0';
	return fd;
}

/* Only our own user (and root) may ask. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

/* Reads a request until it is complete, refused or the deadline passes:
 * 1 get, -1 anything else, 0 nothing usable (timeout, error). */
static int read_request(int fd, uint64_t deadline)
{
	char req[TTT_CONTROL_REQUEST_MAX + 1];
	size_t n = 0;
	int r = 0;

	while (r == 0) {
		ssize_t k;
		if (wait_fd(fd, POLLIN, deadline) <= 0)
			return 0;
		k = read(fd, req + n, sizeof(req) - n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return k == 0 && n > 0 ? -1 : 0; /* cut short, or an error */
		n += (size_t)k;
		r = ttt_control_parse_request(req, n);
	}
	return r;
}

static void write_all(int fd, const char *buf, size_t len, uint64_t deadline)
{
	while (len > 0) {
		ssize_t k;
		if (wait_fd(fd, POLLOUT, deadline) <= 0)
			return;
		k = send(fd, buf, len, MSG_NOSIGNAL);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return;
		buf += k;
		len -= (size_t)k;
	}
}

void ttt_control_serve(int lfd, void (*fill)(struct ttt_control_out *o, void *arg), void *arg)
{
	uint64_t deadline = ttt_monotonic_ns() + (uint64_t)TTT_CONTROL_TIMEOUT_MS * 1000000;
	char buf[TTT_CONTROL_REPLY_MAX];
	struct ttt_control_out o = { .buf = buf, .cap = sizeof(buf) - 16, .len = 0 };
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), r;

	if (fd < 0)
		return;
	r = peer_allowed(fd) ? read_request(fd, deadline) : 0;
	if (r == 1)
		fill(&o, arg);
	if (r != 0) {
		int errnum = r < 0 ? EINVAL : o.overflow ? EOVERFLOW : 0;
		if (errnum)
			o.len = 0; /* a refusal, or a reply that did not fit: nothing else */
		o.len += (size_t)snprintf(buf + o.len, sizeof(buf) - o.len, "errno=%d\n\n", errnum);
		write_all(fd, buf, o.len, deadline);
	}
	close(fd);
}

/* Reads to end of file (the worker closes after its reply). */
static long read_reply(int fd, char *buf, size_t cap, uint64_t deadline, struct ttt_err *err)
{
	size_t n = 0;

	for (;;) {
		ssize_t k;
		int w = wait_fd(fd, POLLIN, deadline);
		if (w <= 0)
			return ttt_err_set(err, "no complete reply within %d ms", TTT_CONTROL_TIMEOUT_MS);
		k = read(fd, buf + n, cap - 1 - n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k < 0)
			return ttt_err_sys(err, errno, "cannot read the reply");
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == cap - 1)
			return ttt_err_set(err, "the reply is longer than %zu bytes", cap - 1);
	}
	buf[n] = '\0';
	return (long)n;
}

long ttt_control_query(const char *path, char *buf, size_t cap, struct ttt_err *err)
{
	uint64_t deadline = ttt_monotonic_ns() + (uint64_t)TTT_CONTROL_TIMEOUT_MS * 1000000;
	static const char req[] = "get=1\n\n";
	int fd = connect_to(path);
	long n;

	if (cap < 2)
		return ttt_err_set(err, "no room for a reply");
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot connect to %s", path);
	if (wait_fd(fd, POLLOUT, deadline) <= 0) {
		close(fd);
		return ttt_err_set(err, "%s does not take a request within %d ms", path,
				   TTT_CONTROL_TIMEOUT_MS);
	}
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(req) - 1) {
		ttt_err_sys(err, errno, "cannot send to %s", path);
		close(fd);
		return -1;
	}
	n = read_reply(fd, buf, cap, deadline, err);
	close(fd);
	return n;
}
