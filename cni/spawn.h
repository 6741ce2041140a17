/* SPDX-License-Identifier: MIT */
/* spawn.h - starting a detached ttt-worker for an attachment
 *
 * The worker gets its own session, /dev/null for stdin and stdout, a log
 * file for stderr (which it rotates at 1 MiB, keeping one .1), and only
 * three descriptors: the tap (3), the socket (4) and a readiness pipe (5).
 * It uses the key of its link (--link, derived from the key file) and keeps
 * its replay state in a file beside its record (--replay-state), so that
 * a restart never accepts what it accepted before. Every path comes after
 * "--" or as an option's value: none can be taken for an option. The runtime reads our stdout and stderr to end
 * of file, so the worker must not hold them. It runs with --supervise: a
 * worker that dies of a signal is restarted while the supervisor keeps the
 * tap (and so the container's interface and addresses) alive; the PID
 * recorded is the supervisor's. ADD returns only once the
 * worker says "ready" (or has failed, with its own error message). */
#ifndef CNI_SPAWN_H
#define CNI_SPAWN_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "cni/lib/error.h"

#define CNI_SPAWN_TIMEOUT_MS 5000

struct cni_spawn {
	const char *worker;   /* path of ttt-worker */
	const char *log_path; /* its stderr, for messages and rotation */
	int log_fd;           /* that file, opened */
	int tap_fd, sock_fd;
	const char *key_file, *listen, *peer; /* peer NULL: discovery */
	const char *link;                     /* NULL: the key file's key as is */
	const char *replay_state;
	unsigned mtu;       /* always passed as --mtu: the plugin chose it */
	unsigned keepalive; /* seconds, 0: none */
	uint64_t window_ns;
	const char *control_dir, *name; /* its control socket: <control_dir>/<name>.sock */
};

/* Starts the worker and waits until it runs. */
int cni_spawn_worker(const struct cni_spawn *sp, pid_t *pid, struct cni_error *e);

/* Finds ttt-worker beside our own executable, then in CNI_PATH, then in the
 * directory it is installed into. */
int cni_find_worker(const char *cni_path, char out[PATH_MAX], struct cni_error *e);

#endif
