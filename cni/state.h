/* SPDX-License-Identifier: MIT */
/* state.h - what the plugin made for each attachment, on disk
 *
 * <stateDir>/<network>/<containerID>:<ifname>.json records an attachment,
 * written ahead of each step of ADD (so that after a crash the next ADD or
 * DEL knows what may exist), beside the worker's log (.log, rotated to
 * .log.1; kept in old/ when the attachment goes, see logkeep.h), its
 * replay state (.replay) and a lock (.lock, see store.h).
 *
 * The tap is identified by what ADD made itself, never by a name alone:
 * its MAC (random from the kernel when ADD creates the tap, recorded
 * before the tap moves; the configured one once set) and whether it was
 * moved into the container. Teardown deletes an interface only when it is
 * a tap with the recorded MAC, in the namespace the record says it is in.
 *
 * Fields are only ever added (`ttt show` reads these files too). */
#ifndef CNI_STATE_H
#define CNI_STATE_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "store.h"
#include "cni/lib/error.h"
#include "ttt/crypto/linkkey.h"
#include "ttt/net/addr.h"
#include "ttt/net/ether.h"

#define CNI_ID_MAX 256
#define CNI_POD_MAX 256

struct cni_state {
	char container_id[CNI_ID_MAX];
	char ifname[IF_NAMESIZE];
	char netns[PATH_MAX];
	bool ready;                 /* false while ADD is under way (or died) */
	char temp_name[IF_NAMESIZE]; /* the tap's name before it moved */
	bool ipam_started;          /* IPAM ADD was (or may have been) run */
	pid_t worker_pid;
	uint64_t worker_start;
	char mac[TTT_ETHER_STRLEN]; /* the tap's, from its creation on ("" before) */
	bool moved;                 /* the tap was moved into the container as ifname */
	int ifindex;                /* the tap's index (in the container once moved), 0: unknown */
	char listen[TTT_ADDRSTRLEN]; /* the address the worker listens on (a range resolved) */
	char peer[TTT_ADDRSTRLEN];  /* "" when learnt (discovery) */
	char link[TTT_LINK_ID_MAX + 1]; /* the link identity ("" when the key file's key is used) */
	unsigned mtu; /* what ADD gave the interface (0 in records from before it was kept) */
	char pod_namespace[CNI_POD_MAX]; /* from CNI_ARGS K8S_POD_NAMESPACE, "" when not given */
	char pod_name[CNI_POD_MAX];      /* K8S_POD_NAME */
	/* Not recorded: where cni_state_remove kept the worker's log ("" none). */
	char kept_log[PATH_MAX];
};

/* Writes atomically (temporary file, then rename), without fsync: durable
 * for the boot, which is all the record is for (state.c). */
int cni_state_save(const struct cni_store *s, const struct cni_state *st, struct cni_error *e);

/* *found is false when there is no record, or an empty one (not an error). */
int cni_state_load(const struct cni_store *s, const char *cid, const char *ifname,
		   struct cni_state *st, bool *found, struct cni_error *e);

/* Removes the record, the worker's control socket and replay state, and
 * keeps its log (logkeep.h: a last line saying why, then moved to old/,
 * where st->kept_log names it). why is the command doing it (DEL, GC,
 * ADD). */
void cni_state_remove(const struct cni_store *s, struct cni_state *st, const char *why);

/* <stateDir>/sock/<tempName>.sock: the worker's control socket (control.h). */
int cni_state_control_path(const struct cni_store *s, const struct cni_state *st,
			   char out[PATH_MAX]);
int cni_state_control_dir(const struct cni_store *s, char out[PATH_MAX]);

/* Calls fn for every record in the network (for GC). */
int cni_state_each(const struct cni_store *s, int (*fn)(struct cni_state *st, void *arg),
		   void *arg, struct cni_error *e);

#endif
