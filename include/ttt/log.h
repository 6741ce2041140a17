/* log.h - one line per message on a file descriptor (stderr by default)
 *
 * Each message is written with a single write(2), so lines from different
 * threads never interleave. */
#ifndef TTT_LOG_H
#define TTT_LOG_H

#include <stdbool.h>

/* TTT_LOG_ALWAYS is for output asked for explicitly (statistics on SIGUSR1). */
enum ttt_log_level { TTT_LOG_ALWAYS, TTT_LOG_ERROR, TTT_LOG_WARN, TTT_LOG_INFO, TTT_LOG_DEBUG };

/* prog prefixes every line; level is the most verbose level printed. */
void ttt_log_init(const char *prog, enum ttt_log_level level);

/* Where lines go from now on (a descriptor the caller keeps open). */
void ttt_log_set_fd(int fd);

bool ttt_log_enabled(enum ttt_log_level level);

__attribute__((format(printf, 2, 3)))
void ttt_log(enum ttt_log_level level, const char *fmt, ...);

#define ttt_error(...) ttt_log(TTT_LOG_ERROR, __VA_ARGS__)
#define ttt_warn(...) ttt_log(TTT_LOG_WARN, __VA_ARGS__)
#define ttt_info(...) ttt_log(TTT_LOG_INFO, __VA_ARGS__)
#define ttt_debug(...) ttt_log(TTT_LOG_DEBUG, __VA_ARGS__)

#endif
