/* SPDX-License-Identifier: MIT */
/* error.h - CNI errors: a code, a message and details, printed as the JSON
 * the spec defines, with a non-zero exit. */
#ifndef CNI_ERROR_H
#define CNI_ERROR_H

#include <stdio.h>

#include "ttt/util/err.h"

/* The spec's well-known codes, then ours (100 and up). */
enum cni_code {
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_CONFIG = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NOT_AVAILABLE = 50,
	CNI_ERR_INTERNAL = 100,     /* a system call or netlink request failed */
	CNI_ERR_ADDRESS_IN_USE = 101, /* the listen address is bound already */
	CNI_ERR_WORKER = 102,       /* ttt-worker could not be started */
	CNI_ERR_CHECK = 103,        /* CHECK found the attachment not as expected */
};

struct cni_error {
	int code;
	char msg[512];
	char details[512];
};

/* Sets code and message (details cleared). Returns -1. */
__attribute__((format(printf, 3, 4)))
int cni_fail(struct cni_error *e, int code, const char *fmt, ...);

/* Sets code and err's message (as reported by a ttt_* function). Returns -1. */
int cni_fail_err(struct cni_error *e, int code, const struct ttt_err *err);

/* The same with context in front: "<fmt ...>: <err's message>". Returns -1. */
__attribute__((format(printf, 4, 5)))
int cni_fail_errf(struct cni_error *e, int code, const struct ttt_err *err, const char *fmt, ...);

/* Sets the details of an error already set. Returns -1. */
__attribute__((format(printf, 2, 3)))
int cni_detail(struct cni_error *e, const char *fmt, ...);

/* {"cniVersion": version, "code": ..., "msg": ..., "details": ...} */
void cni_error_print(FILE *out, const struct cni_error *e, const char *version);

#endif
