/* SPDX-License-Identifier: MIT */
/* cmd_del.c - DEL: everything ADD made goes, from our own record
 *
 * Idempotent: a second DEL, a DEL whose namespace is gone (containerd's
 * second DEL has no CNI_NETNS and no prevResult) and a DEL for a container
 * we never saw all succeed. The IPAM plugin is always asked to release, as
 * its leases outlive our records (ours are on tmpfs, its are not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ipam.h"
#include "state.h"
#include "teardown.h"
#include "ttt/util/steptime.h"

int cni_cmd_del(struct cni_ctx *c, struct cni_error *e)
{
	struct cni_store store;
	struct cni_state st;
	bool found = false;
	char *out = NULL;
	int rc = -1;

	if (cni_store_open(&store, c->cfg.state_dir, c->cfg.name, false, e) < 0 ||
	    cni_store_lock(&store, c->env.container_id, c->env.ifname, e) < 0 ||
	    cni_state_load(&store, c->env.container_id, c->env.ifname, &st, &found, e) < 0)
		goto out;
	ttt_steptime("DEL", "lock_load");
	if (found) {
		rc = cni_teardown(c, &store, &st, e);
		goto out;
	}
	memset(&st, 0, sizeof(st));
	snprintf(st.container_id, sizeof(st.container_id), "%s", c->env.container_id);
	snprintf(st.ifname, sizeof(st.ifname), "%s", c->env.ifname);
	snprintf(st.netns, sizeof(st.netns), "%s", c->env.netns ? c->env.netns : "");
	rc = c->cfg.ipam_type ? cni_ipam(c, "DEL", &st, &out, e) : 0;
	free(out);
	if (rc == 0)
		cni_state_remove(&store, &st, c->env.command_name); /* an empty record (state.h) */
out:
	cni_store_close(&store, rc == 0);
	return rc;
}
