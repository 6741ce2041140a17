/* SPDX-License-Identifier: MIT */
/* delegate.h - running another CNI plugin (the IPAM plugin) the way the
 * spec says: found in CNI_PATH, the same environment with CNI_COMMAND (and
 * the attachment) set, the complete network configuration on stdin, its
 * stderr passed through, its result or error JSON read from stdout. */
#ifndef CNI_DELEGATE_H
#define CNI_DELEGATE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "cni/lib/error.h"

#define CNI_DELEGATE_TIMEOUT_MS 60000

struct cni_delegate {
	const char *type;    /* plugin binary name, e.g. "host-local" */
	const char *command; /* "ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION" */
	const char *container_id, *netns, *ifname; /* NULL: leave the variable unset */
	const char *path;    /* CNI_PATH */
	const char *conf;    /* stdin */
	size_t conf_len;
};

/* Finds the plugin binary `type` in the colon-separated path (CNI_PATH);
 * CNI_ERR_INVALID_CONFIG when it is not there. */
int cni_delegate_find(const char *path, const char *type, char out[PATH_MAX],
		      struct cni_error *e);

/* Runs it; on success *out holds its stdout (malloc'd, NUL-terminated). On
 * failure e carries the delegate's own code, message and details when it
 * printed an error, prefixed with its name. */
int cni_delegate_run(const struct cni_delegate *d, char **out, struct cni_error *e);

/* The same in two halves, so that slow work of our own (a namespace move,
 * a device teardown) overlaps the delegate's work: start hands it its
 * stdin at once (what the pipe takes, all of any configuration up to 64
 * KiB), so it runs to its end on its own. Every started delegate must be
 * finished. */
struct cni_running {
	const struct cni_delegate *d;
	pid_t pid;
	int in_fd, out_fd; /* in_fd -1: all of stdin was written */
	size_t in_off;     /* how much of it */
	long long deadline;
	char *out;
};

int cni_delegate_start(const struct cni_delegate *d, struct cni_running *r, struct cni_error *e);
int cni_delegate_finish(struct cni_running *r, char **out, struct cni_error *e);

#endif
