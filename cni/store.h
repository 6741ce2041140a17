/* SPDX-License-Identifier: MIT */
/* store.h - the state directory of a network and its locks
 *
 * ADD, DEL and CHECK hold the network's lock shared and the attachment's
 * lock exclusive; GC holds the network's lock exclusive. The locks are
 * flock(2)s, released by the kernel if the plugin dies. */
#ifndef CNI_STORE_H
#define CNI_STORE_H

#include <limits.h>
#include <stdbool.h>

#include "cni/lib/error.h"

struct cni_store {
	char dir[PATH_MAX]; /* <stateDir>/<network> */
	int net_lock;       /* the network's lock */
	int att_lock;       /* the attachment's lock, -1 when none held */
	char att_lock_path[PATH_MAX];
};

/* Creates the directory (0700) and takes the network's lock, shared or
 * exclusive. */
int cni_store_open(struct cni_store *s, const char *state_dir, const char *network,
		   bool exclusive, struct cni_error *e);

/* Takes the attachment's lock (exclusive). */
int cni_store_lock(struct cni_store *s, const char *cid, const char *ifname,
		   struct cni_error *e);

/* Releases the locks (removing the attachment's lock file when asked). */
void cni_store_close(struct cni_store *s, bool remove_att_lock);

/* <dir>/<cid>:<ifname><suffix> */
int cni_store_path(const struct cni_store *s, const char *cid, const char *ifname,
		   const char *suffix, char out[PATH_MAX]);

#endif
