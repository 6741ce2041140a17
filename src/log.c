/* log.c - leveled log lines */
#include "ttt/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

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

void ttt_log(enum ttt_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	if (!ttt_log_enabled(level))
		return;
	n = snprintf(line, sizeof(line), "%s: %s", log_prog, level_word(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* A log line that cannot be written has nowhere else to go. */
	if (write(log_fd, line, (size_t)n) < 0)
		return;
}
