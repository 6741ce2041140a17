/* SPDX-License-Identifier: MIT */
/* log.c - leveled log lines */
#include "ttt/util/log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "ttt/util/clock.h"

static const char *log_prog = "ttt";
static enum ttt_log_level log_level = TTT_LOG_INFO;
static int log_fd = STDERR_FILENO;

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
