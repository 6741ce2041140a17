/* SPDX-License-Identifier: MIT */
/* args.h - CNI_ARGS: "KEY=VALUE;KEY=VALUE"
 *
 * A plugin names the keys it reads; the K8S_POD_* keys that Kubernetes
 * runtimes always pass are accepted too. Any other key is refused unless
 * IgnoreUnknown=1 (or true) is given, as the CNI conventions ask. */
#ifndef CNI_ARGS_H
#define CNI_ARGS_H

#include <stddef.h>

#include "cni/lib/error.h"

/* One key a plugin reads, and where its value goes ("" when absent). */
struct cni_arg {
	const char *key;
	char *value;
	size_t cap; /* a longer value is refused */
};

/* Fills want[0..n) from text. */
int cni_args_get(const char *text, const struct cni_arg *want, size_t n, struct cni_error *e);

#endif
