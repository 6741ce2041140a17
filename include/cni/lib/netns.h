/* SPDX-License-Identifier: MIT */
/* netns.h - working inside a container's network namespace
 *
 * The plugin is single-threaded: setns() moves the whole process. */
#ifndef CNI_NETNS_H
#define CNI_NETNS_H

#include "cni/lib/error.h"

/* Opens a network namespace file (a /var/run/netns/x bind mount or
 * /proc/PID/ns/net) and checks that it is one. CNI_ERR_UNKNOWN_CONTAINER
 * when it does not exist. */
int cni_netns_open(const char *path, struct cni_error *e);

/* Runs fn(arg) inside the namespace nsfd and returns to the one we were in,
 * whatever fn returns. Returns fn's result, or -1 if entering or leaving
 * failed (e set). */
int cni_netns_run(int nsfd, int (*fn)(void *arg, struct cni_error *e), void *arg,
		  struct cni_error *e);

#endif
