/* SPDX-License-Identifier: MIT */
/* log.h - one line per message on a file descriptor (stderr by default)
 *
 * Each message is written with a single write(2), so lines from different
 * threads never interleave. */
#ifndef TTT_LOG_H
#define TTT_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "ttt/util/ratelimit.h"

/* TTT_LOG_ALWAYS is for output asked for explicitly (statistics on SIGUSR1). */
enum ttt_log_level { TTT_LOG_ALWAYS, TTT_LOG_ERROR, TTT_LOG_WARN, TTT_LOG_INFO, TTT_LOG_DEBUG };

/* prog prefixes every line; level is the most verbose level printed. */
void ttt_log_init(const char *prog, enum ttt_log_level level);

/* Where lines go from now on (a descriptor the caller keeps open). */
void ttt_log_set_fd(int fd);

/* Bounds the log: the descriptor is the regular file at path; before a line
 * would take it past max_bytes, path is renamed to path.1 (replacing an
 * older one) and a new path is opened onto the same descriptor, so at most
 * two files of about max_bytes each exist. Processes sharing the file (a
 * supervisor and its worker) each follow the other's rotation: a line finds
 * its descriptor no longer at path and reopens path first. path must stay
 * valid. Files are opened with O_NOFOLLOW, 0600. */
int ttt_log_rotate_at(const char *path, unsigned long long max_bytes);

bool ttt_log_enabled(enum ttt_log_level level);

__attribute__((format(printf, 2, 3)))
void ttt_log(enum ttt_log_level level, const char *fmt, ...);

/* Whether a rate-limited message may be logged now; *suppressed receives
 * how many rl refused since the last one it let through. Check this before
 * formatting anything costly. */
bool ttt_log_allowed(struct ttt_ratelimit *rl, enum ttt_log_level level, uint64_t *suppressed);

/* ttt_log, with " (N similar messages suppressed)" appended when N > 0. */
__attribute__((format(printf, 3, 4)))
void ttt_log_counted(enum ttt_log_level level, uint64_t suppressed, const char *fmt, ...);

/* Both in one, for messages whose arguments are cheap. */
#define ttt_log_limited(rl, level, ...)                                      \
	do {                                                                 \
		uint64_t ttt_suppressed_;                                    \
		if (ttt_log_allowed((rl), (level), &ttt_suppressed_))        \
			ttt_log_counted((level), ttt_suppressed_, __VA_ARGS__); \
	} while (0)

#define ttt_error(...) ttt_log(TTT_LOG_ERROR, __VA_ARGS__)
#define ttt_warn(...) ttt_log(TTT_LOG_WARN, __VA_ARGS__)
#define ttt_info(...) ttt_log(TTT_LOG_INFO, __VA_ARGS__)
#define ttt_debug(...) ttt_log(TTT_LOG_DEBUG, __VA_ARGS__)

#endif
