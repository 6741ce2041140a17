/* SPDX-License-Identifier: MIT */
/* err.c - error messages */
#include "ttt/util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ttt_err_set(struct ttt_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = 0;
	return -1;
}

int ttt_err_sys(struct ttt_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", strerror(errnum));
	err->code = errnum;
	return -1;
}

int ttt_err_prefix(struct ttt_err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	va_list ap;
	size_t used;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", old);
	return -1;
}
