/* SPDX-License-Identifier: MIT */
/* err.h - error messages carried from where a failure happens to whoever reports it */
#ifndef TTT_ERR_H
#define TTT_ERR_H

#include <stddef.h>

struct ttt_err {
	char msg[512];
	int code; /* errno of the failure when there is one, else 0 */
};

/* Formats msg into err (which may be NULL) and returns -1, so callers can
 * write `return ttt_err_set(err, ...)`. */
__attribute__((format(printf, 2, 3)))
int ttt_err_set(struct ttt_err *err, const char *fmt, ...);

/* Like ttt_err_set, and records errnum as the code and appends strerror(errnum). */
__attribute__((format(printf, 3, 4)))
int ttt_err_sys(struct ttt_err *err, int errnum, const char *fmt, ...);

/* Puts context in front of the message already in err ("peer address 'x': "
 * + message), keeping its code. Returns -1. */
__attribute__((format(printf, 2, 3)))
int ttt_err_prefix(struct ttt_err *err, const char *fmt, ...);

#endif
