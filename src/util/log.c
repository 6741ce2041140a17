/* SPDX-License-Identifier: MIT */
/* log.c - leveled log lines */
#include "ttt/util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttt/util/clock.h"

static const char *log_prog = "ttt";
static enum ttt_log_level log_level = TTT_LOG_INFO;
static int log_fd = STDERR_FILENO;

static struct {
	pthread_mutex_t lock;
	const char *path; /* NULL: no rotation */
	char old[4104];   /* path.1 */
	unsigned long long max;
} rot = { .lock = PTHREAD_MUTEX_INITIALIZER, .path = NULL, .old = "", .max = 0 };

int ttt_log_rotate_at(const char *path, unsigned long long max_bytes)
{
	if ((size_t)snprintf(rot.old, sizeof(rot.old), "%s.1", path) >= sizeof(rot.old))
		return -1;
	rot.path = path;
	rot.max = max_bytes;
	return 0;
}

/* Opens a new rot.path onto log_fd. */
static void reopen(void)
{
	int fd = open(rot.path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		      0600);

	if (fd < 0)
		return; /* keep writing where we were: better than losing lines */
	if (fd != log_fd) {
		(void)dup2(fd, log_fd);
		close(fd);
	}
}

/* Before a line of `add` bytes: follow or make a rotation. Lines are few
 * (those about traffic are rate-limited), so two stat calls each are cheap. */
static void maybe_rotate(size_t add)
{
	struct stat fst, pst;
	int e = errno;

	pthread_mutex_lock(&rot.lock);
	if (fstat(log_fd, &fst) == 0 && S_ISREG(fst.st_mode)) {
		if (lstat(rot.path, &pst) < 0 || pst.st_ino != fst.st_ino || pst.st_dev != fst.st_dev)
			reopen(); /* rotated by the other process, or removed */
		else if ((unsigned long long)fst.st_size + add > rot.max &&
			 rename(rot.path, rot.old) == 0)
			reopen();
	}
	pthread_mutex_unlock(&rot.lock);
	errno = e;
}

void ttt_log_init(const char *prog, enum ttt_log_level level)
{
	log_prog = prog;
	log_level = level;
}

void ttt_log_set_fd(int fd)
{
	log_fd = fd;
}

bool ttt_log_enabled(enum ttt_log_level level)
{
	return level <= log_level;
}

static const char *level_word(enum ttt_log_level level)
{
	switch (level) {
	case TTT_LOG_ERROR:
		return "error: ";
	case TTT_LOG_WARN:
		return "warning: ";
	case TTT_LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

__attribute__((format(printf, 3, 0)))
static void log_line(enum ttt_log_level level, uint64_t suppressed, const char *fmt, va_list ap)
{
	char line[1024];
	size_t cap = sizeof(line) - 1; /* room for the newline */
	int n, m;

	n = snprintf(line, cap, "%s: %s", log_prog, level_word(level));
	if (n < 0 || (size_t)n >= cap)
		return;
	m = vsnprintf(line + n, cap - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	n = (size_t)(n + m) >= cap ? (int)cap - 1 : n + m;
	if (suppressed) {
		m = snprintf(line + n, cap - (size_t)n, " (%" PRIu64 " similar messages suppressed)",
			     suppressed);
		if (m > 0)
			n = (size_t)(n + m) >= cap ? (int)cap - 1 : n + m;
	}
	line[n++] = '\n';
	if (rot.path)
		maybe_rotate((size_t)n);
	/* A log line that cannot be written has nowhere else to go. */
	if (write(log_fd, line, (size_t)n) < 0)
		return;
}

void ttt_log(enum ttt_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!ttt_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_line(level, 0, fmt, ap);
	va_end(ap);
}

bool ttt_log_allowed(struct ttt_ratelimit *rl, enum ttt_log_level level, uint64_t *suppressed)
{
	return ttt_log_enabled(level) && ttt_ratelimit_allow(rl, ttt_monotonic_ns(), suppressed);
}

void ttt_log_counted(enum ttt_log_level level, uint64_t suppressed, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(level, suppressed, fmt, ap);
	va_end(ap);
}
