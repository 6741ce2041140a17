/* SPDX-License-Identifier: MIT */
/* cmd_check.c - CHECK: the attachment is as ADD left it
 *
 * The worker runs; the interface exists in the namespace as a tap with the
 * MTU, MAC and addresses expected; prevResult describes it; the IPAM plugin
 * agrees. Any difference is an error that says what differs. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ipam.h"
#include "state.h"
#include "cni/lib/netns.h"
#include "cni/lib/proc.h"
#include "cni/lib/result.h"
#include "ttt/net/ipaddr.h"
#include "ttt/net/link.h"

struct check {
	struct cni_ctx *c;
	struct cni_state st;
	struct cni_result prev;
};

static int check_link(struct check *k, const struct ttt_link_info *info, struct cni_error *e)
{
	const struct cni_config *cfg = &k->c->cfg;
	const char *ifname = k->c->env.ifname;
	char mac[TTT_ETHER_STRLEN], want[TTT_ETHER_STRLEN];
	/* Without mtu in the configuration, ADD took it from the path and recorded it. */
	unsigned mtu = cfg->mtu_given || k->st.mtu == 0 ? cfg->mtu : k->st.mtu;

	if (strcmp(info->kind, "tun") != 0)
		return cni_fail(e, CNI_ERR_CHECK, "interface %s is not a tap (it is '%s')", ifname, info->kind);
	if (info->mtu != mtu)
		return cni_fail(e, CNI_ERR_CHECK, "MTU of %s is %u, expected %u", ifname, info->mtu, mtu);
	ttt_ether_str(info->mac, mac);
	if (cfg->have_mac && strcmp(mac, ttt_ether_str(cfg->mac, want)) != 0)
		return cni_fail(e, CNI_ERR_CHECK, "MAC is %s, expected %s", mac, want);
	if (strcmp(mac, k->st.mac) != 0)
		return cni_fail(e, CNI_ERR_CHECK, "MAC is %s, but ADD gave it %s", mac, k->st.mac);
	if (!info->up)
		return cni_fail(e, CNI_ERR_CHECK, "interface %s is down", ifname);
	return 0;
}

static int check_inside(void *arg, struct cni_error *e)
{
	struct check *k = arg;
	struct ttt_link_info info;
	struct ttt_err err;

	if (ttt_link_get(k->c->env.ifname, &info, &err) < 0)
		return cni_fail_err(e, CNI_ERR_CHECK, &err);
	if (check_link(k, &info, e) < 0)
		return -1;
	for (int i = 0; i < k->prev.n_ips; i++) {
		bool found = false;
		if (k->prev.ips[i].iface != 0 && k->prev.ips[i].iface != -1)
			continue; /* another plugin's interface */
		if (ttt_ipaddr_has(info.ifindex, k->prev.ips[i].address, &found, &err) < 0)
			return cni_fail_err(e, CNI_ERR_INTERNAL, &err);
		if (!found)
			return cni_fail(e, CNI_ERR_CHECK, "address %s is missing from %s", k->prev.ips[i].address,
				      k->c->env.ifname);
	}
	return 0;
}

/* prevResult must list our interface, in our namespace, with our MAC. */
static int check_prev(struct check *k, struct cni_error *e)
{
	const struct cni_env *env = &k->c->env;

	if (!k->c->cfg.prev_result)
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "CHECK needs prevResult");
	if (cni_result_parse(k->c->cfg.prev_result, &k->prev, e) < 0)
		return -1;
	for (int i = 0; i < k->prev.n_ifaces; i++) {
		const struct cni_iface *f = &k->prev.ifaces[i];
		if (strcmp(f->name, env->ifname) != 0 || strcmp(f->sandbox, env->netns) != 0)
			continue;
		if (f->mac[0] && strcmp(f->mac, k->st.mac) != 0)
			return cni_fail(e, CNI_ERR_CHECK, "prevResult gives MAC %s, the interface has %s", f->mac,
				      k->st.mac);
		return 0;
	}
	return cni_fail(e, CNI_ERR_CHECK, "prevResult lists no interface %s in %s", env->ifname, env->netns);
}

static int check_all(struct check *k, struct cni_store *s, struct cni_error *e)
{
	const struct cni_env *env = &k->c->env;
	bool found;
	char *out = NULL;
	int fd, rc;

	if (cni_config_attachment_ok(&k->c->cfg, e) < 0 ||
	    cni_state_load(s, env->container_id, env->ifname, &k->st, &found, e) < 0)
		return -1;
	if (!found || !k->st.ready)
		return cni_fail(e, CNI_ERR_CHECK, "no attachment of %s:%s is recorded",
				env->container_id, env->ifname);
	if (!cni_proc_alive(k->st.worker_pid, k->st.worker_start))
		return cni_fail(e, CNI_ERR_CHECK, "the worker (pid %d) is not running",
				(int)k->st.worker_pid);
	if (check_prev(k, e) < 0 || (fd = cni_netns_open(env->netns, e)) < 0)
		return -1;
	rc = cni_netns_run(fd, check_inside, k, e);
	close(fd);
	if (rc == 0 && k->c->cfg.ipam_type) {
		rc = cni_ipam(k->c, "CHECK", &k->st, &out, e);
		free(out);
	}
	return rc;
}

int cni_cmd_check(struct cni_ctx *c, struct cni_error *e)
{
	struct check k = { .c = c };
	struct cni_store store;
	int rc = -1;

	if (cni_store_open(&store, c->cfg.state_dir, c->cfg.name, false, e) == 0 &&
	    cni_store_lock(&store, c->env.container_id, c->env.ifname, e) == 0)
		rc = check_all(&k, &store, e);
	cni_result_free(&k.prev);
	/* No record: the lock file we just made must not outlive us. */
	cni_store_close(&store, k.st.container_id[0] == '\0');
	return rc;
}
