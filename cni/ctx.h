/* SPDX-License-Identifier: MIT */
/* ctx.h - one invocation of the plugin
 *
 * main.c reads the environment, CNI_ARGS and the configuration into a
 * context and runs one command (commands.h) over it. */
#ifndef CNI_CTX_H
#define CNI_CTX_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "cni/lib/env.h"

struct cni_ctx {
	struct cni_env env;
	struct cni_args args;
	struct cni_config cfg;
	const char *conf; /* stdin as read, handed on to the IPAM plugin */
	size_t conf_len;
	FILE *out;        /* where results go (stdout) */
};

#endif
