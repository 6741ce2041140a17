/* SPDX-License-Identifier: MIT */
/* cmd_gc.c - GC (1.1.0): remove attachments the runtime no longer knows
 *
 * Every record of this network whose (containerID, ifname) is not in
 * cni.dev/valid-attachments is torn down like a DEL; then the IPAM plugin
 * gets the GC too, if it knows the verb. Holds the network's lock
 * exclusively, so no ADD or DEL of this network runs meanwhile. */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ipam.h"
#include "logkeep.h"
#include "state.h"
#include "teardown.h"

struct gc {
	struct cni_ctx *c;
	struct cni_store *store;
	struct cni_error *e;
	int failures;
};

static bool is_valid(const cJSON *valid, const struct cni_state *st)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, valid) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "containerID");
		const cJSON *ifname = cJSON_GetObjectItemCaseSensitive(a, "ifname");
		if (cJSON_IsString(id) && cJSON_IsString(ifname) &&
		    strcmp(id->valuestring, st->container_id) == 0 &&
		    strcmp(ifname->valuestring, st->ifname) == 0)
			return true;
	}
	return false;
}

static int collect(struct cni_state *st, void *arg)
{
	struct gc *g = arg;
	char lock[PATH_MAX];
	struct cni_error e;

	if (is_valid(g->c->cfg.valid_attachments, st))
		return 0;
	if (cni_teardown(g->c, g->store, st, &e) < 0) {
		if (g->failures++ == 0)
			*g->e = e;
		return 0;
	}
	/* No ADD or DEL holds it: we have the network's lock exclusively. */
	if (cni_store_name(st->container_id, st->ifname, ".lock", lock) == 0)
		(void)unlinkat(g->store->dir_fd, lock, 0);
	return 0;
}

int cni_cmd_gc(struct cni_ctx *c, struct cni_error *e)
{
	struct cni_store store;
	struct gc g = { .c = c, .store = &store, .e = e, .failures = 0 };
	int rc = -1;

	/* Without the list every attachment would look stale: refuse. */
	if (!c->cfg.valid_attachments)
		return cni_fail(e, CNI_ERR_INVALID_CONFIG,
				"GC needs cni.dev/valid-attachments in the configuration");
	if (cni_store_open(&store, c->cfg.state_dir, c->cfg.name, true, e) == 0 &&
	    cni_state_each(&store, collect, &g, e) == 0)
		rc = g.failures ? -1 : cni_ipam_network(c, "GC", e);
	if (store.net_lock >= 0)
		cni_log_prune(&store);
	cni_store_close(&store, false);
	return rc;
}
