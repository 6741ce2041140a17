/* SPDX-License-Identifier: MIT */
/* logkeep.h - a worker's log outlives its attachment, for a while
 *
 * When an attachment goes (DEL, GC, a failed ADD), its worker's log
 * <stateDir>/<network>/<containerID>:<ifname>.log, and its rotated part
 * .log.1 if there is one, get a last line saying when and why, and move to
 * <stateDir>/<network>/old/<containerID>:<ifname>.<UTC time>.log[.1].
 * Kept logs are pruned, oldest (by modification time) first, on every ADD,
 * DEL and GC of the network: at most CNI_LOGKEEP_COUNT files and
 * CNI_LOGKEEP_BYTES bytes (the newest file is always kept, whatever its
 * size), none older than CNI_LOGKEEP_SECONDS. */
#ifndef CNI_LOGKEEP_H
#define CNI_LOGKEEP_H

#include <limits.h>

#include "store.h"

#define CNI_LOGKEEP_DIR "old"
#define CNI_LOGKEEP_COUNT 32
#define CNI_LOGKEEP_BYTES (4L * 1024 * 1024)
#define CNI_LOGKEEP_SECONDS (3L * 24 * 3600)

/* Keeps the attachment's log (see above) and prunes; kept receives the new
 * path of the log ("" when there was none). Failures only lose the log. */
void cni_log_keep(const struct cni_store *s, const char *cid, const char *ifname,
		  const char *why, char kept[PATH_MAX]);

/* Removes kept logs beyond the limits. */
void cni_log_prune(const struct cni_store *s);

#endif
