/* SPDX-License-Identifier: MIT */
/* teardown.c - removing an attachment, from its record */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipam.h"
#include "teardown.h"
#include "cni/lib/netns.h"
#include "cni/lib/proc.h"
#include "ttt/net/link.h"
#include "ttt/util/steptime.h"

#define WORKER_STOP_MS 2000

/* Deletes the interface called name in the current namespace only if it is
 * the tap ADD made: a tap with the MAC recorded for it. An interface merely
 * called so (another network's net1, say) is never touched. Without a
 * recorded MAC the tap cannot have outlived the plugin that made it (its
 * only descriptor died with it), so nothing is deleted. */
static void delete_our_tap(const char *name, const char *mac)
{
	struct ttt_link_info info;
	struct ttt_err err;
	char now[TTT_ETHER_STRLEN];

	if (!name[0] || !mac[0] || ttt_link_get(name, &info, &err) < 0 ||
	    strcmp(info.kind, "tun") != 0 || strcmp(ttt_ether_str(info.mac, now), mac) != 0)
		return;
	(void)ttt_link_delete(name, &err);
}

static int delete_in_netns(void *arg, struct cni_error *e)
{
	const struct cni_state *st = arg;

	(void)e;
	delete_our_tap(st->ifname, st->mac);
	return 0;
}

static void remove_interfaces(const struct cni_state *st)
{
	struct cni_error ignored;
	int fd;

	if (!st->moved) { /* still in our namespace under its temporary name, if anywhere */
		delete_our_tap(st->temp_name, st->mac);
		return;
	}
	if (!st->netns[0])
		return;
	fd = cni_netns_open(st->netns, &ignored);
	if (fd < 0)
		return; /* the namespace is gone, and the interface with it */
	(void)cni_netns_run(fd, delete_in_netns, (void *)st, &ignored);
	close(fd);
}

/* The worker's exit (its tap's teardown waits for RCU, ~20 ms here) and
 * the IPAM release overlap: signal, start IPAM DEL, remove interfaces,
 * then wait for both. */
int cni_teardown(const struct cni_ctx *c, const struct cni_store *s, struct cni_state *st,
		 struct cni_error *e)
{
	bool ipam = c->cfg.ipam_type && st->ipam_started;
	struct cni_ipam_call call;
	struct cni_stopping stop;
	struct cni_error ipam_err;
	char *out = NULL;
	int rc = 0, ipam_rc = 0;

	cni_proc_stop_begin(st->worker_pid, st->worker_start, &stop);
	ttt_steptime("teardown", "signal");
	if (ipam)
		ipam_rc = cni_ipam_start(c, "DEL", st, &call, &ipam_err);
	ttt_steptime("teardown", "ipam_start");
	remove_interfaces(st);
	ttt_steptime("teardown", "remove_tap");
	if (st->worker_pid > 0 && cni_proc_stop_end(&stop, WORKER_STOP_MS) < 0)
		rc = cni_fail(e, CNI_ERR_INTERNAL, "worker %d for %s:%s does not stop",
			      (int)st->worker_pid, st->container_id, st->ifname);
	ttt_steptime("teardown", "worker_wait");
	if (ipam && ipam_rc == 0)
		ipam_rc = cni_ipam_finish(&call, &out, &ipam_err);
	ttt_steptime("teardown", "ipam_wait");
	free(out);
	if (ipam && ipam_rc < 0) {
		/* Keep the record: the lease must be released by a later DEL. */
		st->worker_pid = 0;
		(void)cni_state_save(s, st, e);
		*e = ipam_err;
		return -1;
	}
	if (rc == 0)
		cni_state_remove(s, st, c->env.command_name);
	ttt_steptime("teardown", "remove_record");
	return rc;
}
