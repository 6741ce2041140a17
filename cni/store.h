/* SPDX-License-Identifier: MIT */
/* store.h - the state directory of a network and its locks
 *
 * The state directory is the plugin's own: created 0700 by root, and both
 * it and the network's directory below it are refused (code 7, details
 * "stateDir") when they are symbolic links, not owned by us (root) or
 * writable by group or others. Every file in the network's directory is
 * opened relative to that checked directory, with O_NOFOLLOW (and O_EXCL
 * where it is created anew), so nobody else can plant a file or a link
 * there.
 *
 * ADD, DEL and CHECK hold the network's lock shared and the attachment's
 * lock exclusive; GC holds the network's lock exclusive. The locks are
 * flock(2)s, released by the kernel if the plugin dies. */
#ifndef CNI_STORE_H
#define CNI_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cni/lib/error.h"

struct cni_store {
	char dir[PATH_MAX]; /* <stateDir>/<network> */
	int dir_fd;         /* that directory, checked; -1 when not open */
	int net_lock;       /* the network's lock */
	int att_lock;       /* the attachment's lock, -1 when none held */
	char att_lock_name[PATH_MAX];
};

/* Creates (0700) and checks the directories and takes the network's lock,
 * shared or exclusive. */
int cni_store_open(struct cni_store *s, const char *state_dir, const char *network,
		   bool exclusive, struct cni_error *e);

/* Takes the attachment's lock (exclusive). */
int cni_store_lock(struct cni_store *s, const char *cid, const char *ifname,
		   struct cni_error *e);

/* Releases the locks (removing the attachment's lock file when asked) and
 * closes the directory. */
void cni_store_close(struct cni_store *s, bool remove_att_lock);

/* <dir>/<cid>:<ifname><suffix> (for messages, and for the worker's own
 * files, which it opens with O_NOFOLLOW itself). */
int cni_store_path(const struct cni_store *s, const char *cid, const char *ifname,
		   const char *suffix, char out[PATH_MAX]);

/* <cid>:<ifname><suffix>, the name inside the directory. */
int cni_store_name(const char *cid, const char *ifname, const char *suffix, char out[PATH_MAX]);

/* Opens name in the directory with O_NOFOLLOW | O_CLOEXEC added to flags;
 * a file that is not regular is refused (errno EINVAL). */
int cni_store_openat(const struct cni_store *s, const char *name, int flags, mode_t mode);

#endif
