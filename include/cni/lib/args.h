/* args.h - CNI_ARGS: "KEY=VALUE;KEY=VALUE"
 *
 * We read MAC, TTT_PEER and TTT_LISTEN, and accept the K8S_POD_* keys that
 * Kubernetes runtimes always pass. Any other key is refused unless
 * IgnoreUnknown=1 (or true) is given, as the CNI conventions ask. */
#ifndef CNI_ARGS_H
#define CNI_ARGS_H

#include "cni/lib/error.h"

#define CNI_ARG_MAX 288

struct cni_args {
	char mac[CNI_ARG_MAX];    /* "" when not given */
	char peer[CNI_ARG_MAX];
	char listen[CNI_ARG_MAX];
};

int cni_args_parse(const char *text, struct cni_args *a, struct cni_error *e);

#endif
