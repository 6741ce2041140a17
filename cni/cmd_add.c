/* SPDX-License-Identifier: MIT */
/* cmd_add.c - ADD: a tunnelled tap in the container
 *
 * Socket bound in our (the host's) namespace; tap created here under a
 * temporary name and moved into the container under CNI_IFNAME; IPAM; MTU,
 * MAC, addresses and routes set inside; a detached worker started on the
 * tap and socket. The record is saved before each step, and any failure
 * tears down everything made so far - and only that: the tap is known by
 * the MAC the kernel gave it, recorded before it moves (state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ipam.h"
#include "logkeep.h"
#include "spawn.h"
#include "state.h"
#include "teardown.h"
#include "cni/lib/delegate.h"
#include "cni/lib/netns.h"
#include "cni/lib/proc.h"
#include "cni/lib/result.h"
#include "ttt/crypto/keyfile.h"
#include "ttt/net/addr.h"
#include "ttt/net/ipaddr.h"
#include "ttt/net/link.h"
#include "ttt/net/pmtu.h"
#include "ttt/net/route.h"
#include "ttt/net/tap.h"
#include "ttt/net/udp.h"
#include "ttt/util/steptime.h"

#define DAD_WAIT_MS 10000

struct add {
	struct cni_ctx *c;
	struct cni_store store;
	struct cni_state st;
	int netns_fd, tap_fd, sock_fd;
	char worker[PATH_MAX];
	char listen[TTT_ADDRSTRLEN]; /* the listen address, its port chosen */
	struct ttt_link_info link;
	struct cni_result ipam;
	struct cni_ipam_call ipam_call;
	bool ipam_running;
};

static int require(const char *value, const char *field, struct cni_error *e)
{
	if (value)
		return 0;
	cni_fail(e, CNI_ERR_INVALID_CONFIG, "field '%s' is required", field);
	return cni_detail(e, "%s", field);
}

/* Everything that can be checked before anything is made. */
static int check_inputs(struct add *a, struct cni_error *e)
{
	const struct cni_config *cfg = &a->c->cfg;
	struct ttt_key *key = NULL;
	struct ttt_err err;
	char ipam[PATH_MAX];

	if (cni_config_attachment_ok(cfg, e) < 0 || require(cfg->key_file, "keyFile", e) < 0 ||
	    require(cfg->listen, "listen", e) < 0)
		return -1;
	if (ttt_keyfile_load(cfg->key_file, &key, NULL, &err) < 0) {
		cni_fail_err(e, CNI_ERR_INVALID_CONFIG, &err);
		return cni_detail(e, "keyFile");
	}
	ttt_key_free(key);
	if (cfg->ipam_type && cni_delegate_find(a->c->env.path, cfg->ipam_type, ipam, e) < 0)
		return cni_detail(e, "ipam.type");
	a->netns_fd = cni_netns_open(a->c->env.netns, e);
	if (a->netns_fd < 0)
		return -1;
	return cni_find_worker(a->c->env.path, a->worker, e);
}

/* A hash of the attachment, to start each one's search of a port range at
 * a different port (fewer collisions between concurrent ADDs). */
static uint32_t attachment_hash(const struct cni_env *env)
{
	uint32_t h = 2166136261u;

	for (const char *p = env->container_id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ ':') * 16777619u;
	for (const char *p = env->ifname; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

/* Binds one port of the listen address: 1 bound, 0 in use, -1 failed. */
static int bind_port(struct add *a, uint16_t port, struct ttt_sockaddr *bound, bool *dual,
		     struct cni_error *e)
{
	const struct cni_config *cfg = &a->c->cfg;
	struct ttt_endpoint ep;
	struct ttt_sockaddr want;
	struct ttt_err err;
	bool range = cfg->listen_range.lo != cfg->listen_range.hi;

	cni_listen_at(&cfg->listen_range, port, a->listen, sizeof(a->listen));
	if (ttt_endpoint_parse(a->listen, &ep, &err) < 0 ||
	    ttt_endpoint_resolve_local(&ep, &want, &err) < 0) {
		cni_fail_errf(e, CNI_ERR_INVALID_CONFIG, &err, "listen address '%s'", a->listen);
		return cni_detail(e, "%s", cfg->listen_field);
	}
	a->sock_fd = ttt_udp_open(&want, bound, dual, &err);
	if (a->sock_fd >= 0)
		return 1;
	if (range && err.code == EADDRINUSE)
		return 0;
	cni_fail_err(e, err.code == EADDRINUSE ? CNI_ERR_ADDRESS_IN_USE : CNI_ERR_INVALID_CONFIG,
		     &err);
	return cni_detail(e, "%s", cfg->listen_field);
}

/* The configuration's mtu, else the one the path to the peer (here, in
 * the host's namespace) allows, as ttt-worker picks it. */
static void choose_mtu(struct add *a, const struct ttt_sockaddr *bound, bool dual,
		       const struct ttt_sockaddr *peer)
{
	struct ttt_pmtu_choice c;

	a->st.mtu = a->c->cfg.mtu;
	if (a->c->cfg.mtu_given)
		return;
	ttt_pmtu_choose(bound, dual, peer, &c);
	a->st.mtu = c.tap_mtu;
	if (!c.found)
		fprintf(stderr, "tinytaptunnel: cannot tell the path MTU (%s); using MTU %u\n", c.how,
			c.tap_mtu);
}

/* The socket, on the listen port or the first free one of its range. */
static int bind_socket(struct add *a, struct cni_error *e)
{
	const struct cni_config *cfg = &a->c->cfg;
	const struct cni_listen *l = &cfg->listen_range;
	unsigned n = (unsigned)(l->hi - l->lo) + 1, first = attachment_hash(&a->c->env) % n;
	struct ttt_endpoint ep;
	struct ttt_sockaddr bound, peer;
	struct ttt_err err;
	bool dual = false;
	int r = 0;

	for (unsigned i = 0; i < n && r == 0; i++)
		r = bind_port(a, (uint16_t)(l->lo + (first + i) % n), &bound, &dual, e);
	if (r < 0)
		return -1;
	if (r == 0) {
		cni_fail(e, CNI_ERR_ADDRESS_IN_USE, "no free port in listen range %s (all %u in use)",
			 cfg->listen, n);
		return cni_detail(e, "%s", cfg->listen_field);
	}
	snprintf(a->st.listen, sizeof(a->st.listen), "%s", a->listen);
	ttt_steptime("ADD", "bind");
	if (cfg->peer && (ttt_endpoint_parse(cfg->peer, &ep, &err) < 0 ||
			  ttt_endpoint_resolve_peer(&ep, &bound, dual, &peer, &err) < 0)) {
		cni_fail_errf(e, CNI_ERR_INVALID_CONFIG, &err, "peer address '%s'", cfg->peer);
		return cni_detail(e, "%s", cfg->peer_field);
	}
	snprintf(a->st.peer, sizeof(a->st.peer), "%s", cfg->peer ? cfg->peer : "");
	choose_mtu(a, &bound, dual, cfg->peer ? &peer : NULL);
	return 0;
}

/* "ttt" and 8 hex digits of a hash of the attachment: unique per attachment,
 * short enough for an interface name, and recognisable as ours. */
static void temp_name(const struct cni_env *env, char out[IF_NAMESIZE])
{
	snprintf(out, IF_NAMESIZE, "ttt%08x", attachment_hash(env));
}

/* The tap, opened here and moved into the container under its final name;
 * our descriptor keeps working across the move. What identifies it (its
 * MAC, then where it is) is recorded before and after the move. */
static int make_tap(struct add *a, struct cni_error *e)
{
	struct ttt_link_change move = TTT_LINK_CHANGE_INIT;
	struct ttt_link_info info;
	char ifname[IF_NAMESIZE];
	struct ttt_err err;

	a->tap_fd = ttt_tap_open(a->st.temp_name, TTT_TAP_OFFLOAD, ifname, &err);
	if (a->tap_fd < 0)
		return cni_fail_err(e, CNI_ERR_INTERNAL, &err);
	ttt_steptime("ADD", "tap_open");
	if (ttt_link_get(a->st.temp_name, &info, &err) < 0)
		return cni_fail_err(e, CNI_ERR_INTERNAL, &err);
	ttt_ether_str(info.mac, a->st.mac);
	a->st.ifindex = info.ifindex;
	if (cni_state_save(&a->store, &a->st, e) < 0)
		return -1;
	ttt_steptime("ADD", "save_mac");
	move.netns_fd = a->netns_fd;
	move.new_name = a->c->env.ifname;
	if (ttt_link_change(a->st.temp_name, &move, &err) == 0) {
		a->st.moved = true;
		ttt_steptime("ADD", "tap_move");
		return cni_state_save(&a->store, &a->st, e);
	}
	if (err.code == EEXIST)
		return cni_fail(e, CNI_ERR_INTERNAL, "interface %s already exists in %s",
				a->c->env.ifname, a->c->env.netns);
	return cni_fail_errf(e, CNI_ERR_INTERNAL, &err, "cannot move the tap into %s",
			     a->c->env.netns);
}

/* IPAM ADD is started before the tap is made and moved (a namespace move
 * waits for an RCU grace period, ~20 ms here) and finished after, so the
 * IPAM plugin's own start-up runs meanwhile. */
static int start_ipam(struct add *a, struct cni_error *e)
{
	if (!a->c->cfg.ipam_type)
		return 0;
	a->st.ipam_started = true; /* before the call: a crash inside must still release */
	if (cni_state_save(&a->store, &a->st, e) < 0 ||
	    cni_ipam_start(a->c, "ADD", &a->st, &a->ipam_call, e) < 0)
		return -1;
	a->ipam_running = true;
	return 0;
}

static int finish_ipam(struct add *a, struct cni_error *e)
{
	char *out = NULL;
	int rc;

	if (!a->ipam_running)
		return 0;
	a->ipam_running = false;
	if (cni_ipam_finish(&a->ipam_call, &out, e) < 0)
		return -1;
	rc = cni_result_parse_text(out, &a->ipam, e);
	free(out);
	return rc;
}

/* The gateway of the last address of this family that has one (as the
 * stock plugins' ConfigureIface picks it for routes without "gw"). */
static const char *default_gw(const struct cni_result *r, int family)
{
	const char *gw = NULL;

	for (int i = 0; i < r->n_ips; i++)
		if (r->ips[i].family == family && r->ips[i].gateway[0])
			gw = r->ips[i].gateway;
	return gw;
}

static int apply_ipam(struct add *a, struct ttt_err *err)
{
	const struct cni_result *r = &a->ipam;
	bool v6 = false;

	for (int i = 0; i < r->n_ips; i++) {
		if (ttt_ipaddr_add(a->link.ifindex, r->ips[i].address, err) < 0)
			return -1;
		v6 |= r->ips[i].family == AF_INET6;
	}
	for (int i = 0; i < r->n_routes; i++) {
		const struct cni_route *rt = &r->routes[i];
		const char *gw = rt->gw[0] ? rt->gw : default_gw(r, cni_ip_family(rt->dst, true));
		if (ttt_route_add(a->link.ifindex, rt->dst, gw, err) < 0)
			return -1;
	}
	return v6 ? ttt_ipaddr_settle(a->link.ifindex, DAD_WAIT_MS, err) : 0;
}

/* Inside the container: MTU, MAC, up, then the IPAM addresses and routes. */
static int configure_inside(void *arg, struct cni_error *e)
{
	struct add *a = arg;
	const struct cni_config *cfg = &a->c->cfg;
	struct ttt_link_change chg = TTT_LINK_CHANGE_INIT;
	struct ttt_err err;

	chg.mtu = a->st.mtu;
	chg.mac = cfg->have_mac ? cfg->mac : NULL;
	chg.up = true;
	if (ttt_link_change(a->c->env.ifname, &chg, &err) < 0 ||
	    ttt_link_get(a->c->env.ifname, &a->link, &err) < 0 || apply_ipam(a, &err) < 0)
		return cni_fail_errf(e, CNI_ERR_INTERNAL, &err, "in %s", a->c->env.netns);
	ttt_ether_str(a->link.mac, a->st.mac);
	a->st.ifindex = a->link.ifindex;
	return 0;
}

static int start_worker(struct add *a, struct cni_error *e)
{
	const struct cni_config *cfg = &a->c->cfg;
	char log[PATH_MAX], name[PATH_MAX], replay[PATH_MAX], control[PATH_MAX];
	struct cni_spawn sp = {
		.worker = a->worker, .log_path = log, .tap_fd = a->tap_fd, .sock_fd = a->sock_fd,
		.key_file = cfg->key_file, .listen = a->listen, .peer = cfg->peer,
		.link = cfg->link_keys ? cfg->link : NULL, .replay_state = replay,
		.mtu = a->st.mtu, .keepalive = cfg->keepalive, .window_ns = cfg->window_ns,
		.control_dir = control, .name = a->st.temp_name,
	};
	int rc;

	if (cni_store_path(&a->store, a->st.container_id, a->st.ifname, ".log", log) < 0 ||
	    cni_store_path(&a->store, a->st.container_id, a->st.ifname, ".replay", replay) < 0 ||
	    cni_store_name(a->st.container_id, a->st.ifname, ".log", name) < 0 ||
	    cni_state_control_dir(&a->store, control) < 0)
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state path is too long");
	sp.log_fd = cni_store_openat(&a->store, name, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (sp.log_fd < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot open %s: %s", log, strerror(errno));
	rc = cni_spawn_worker(&sp, &a->st.worker_pid, e);
	close(sp.log_fd);
	if (rc < 0)
		return -1;
	a->st.worker_start = cni_proc_start_time(a->st.worker_pid);
	return cni_state_save(&a->store, &a->st, e);
}

static int print_result(struct add *a, struct cni_error *e)
{
	struct cni_result *r = &a->ipam;
	struct cni_iface *f = &r->ifaces[0];
	char *text;

	r->n_ifaces = 1;
	snprintf(f->name, sizeof(f->name), "%s", a->c->env.ifname);
	snprintf(f->mac, sizeof(f->mac), "%s", a->st.mac);
	snprintf(f->sandbox, sizeof(f->sandbox), "%s", a->c->env.netns);
	f->mtu = a->link.mtu;
	for (int i = 0; i < r->n_ips; i++)
		r->ips[i].iface = 0;
	text = cni_result_print(r, a->c->cfg.cni_version);
	if (!text)
		return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
	fprintf(a->c->out, "%s\n", text);
	free(text);
	return 0;
}

/* An earlier ADD of this attachment that died, or was never deleted. */
static int recover(struct add *a, struct cni_error *e)
{
	struct cni_state old;
	bool found;

	if (cni_state_load(&a->store, a->st.container_id, a->st.ifname, &old, &found, e) < 0)
		return -1;
	if (!found)
		return 0;
	fprintf(stderr, "tinytaptunnel: cleaning up an earlier %s attachment of %s:%s\n",
		old.ready ? "complete" : "unfinished", old.container_id, old.ifname);
	return cni_teardown(a->c, &a->store, &old, e);
}

static int build(struct add *a, struct cni_error *e)
{
	const struct cni_env *env = &a->c->env;

	if (check_inputs(a, e) < 0)
		return -1;
	ttt_steptime("ADD", "check_inputs");
	if (cni_store_open(&a->store, a->c->cfg.state_dir, a->c->cfg.name, false, e) < 0 ||
	    cni_store_lock(&a->store, env->container_id, env->ifname, e) < 0)
		return -1;
	ttt_steptime("ADD", "lock");
	snprintf(a->st.container_id, sizeof(a->st.container_id), "%s", env->container_id);
	snprintf(a->st.ifname, sizeof(a->st.ifname), "%s", env->ifname);
	snprintf(a->st.netns, sizeof(a->st.netns), "%s", env->netns);
	snprintf(a->st.pod_namespace, sizeof(a->st.pod_namespace), "%.*s", CNI_POD_MAX - 1,
		 a->c->args.k8s_namespace);
	snprintf(a->st.pod_name, sizeof(a->st.pod_name), "%.*s", CNI_POD_MAX - 1, a->c->args.k8s_pod);
	temp_name(env, a->st.temp_name);
	snprintf(a->st.link, sizeof(a->st.link), "%s", a->c->cfg.link);
	cni_log_prune(&a->store);
	if (recover(a, e) < 0)
		return -1;
	ttt_steptime("ADD", "recover");
	if (bind_socket(a, e) < 0)
		return -1;
	ttt_steptime("ADD", "peer_mtu");
	if (cni_state_save(&a->store, &a->st, e) < 0)
		return -1;
	ttt_steptime("ADD", "save");
	if (start_ipam(a, e) < 0)
		return -2;
	ttt_steptime("ADD", "ipam_start");
	if (make_tap(a, e) < 0) {
		struct cni_error ignored;
		(void)finish_ipam(a, &ignored); /* reap it; teardown releases the lease */
		return -2;
	}
	ttt_steptime("ADD", "save_moved");
	if (finish_ipam(a, e) < 0)
		return -2;
	ttt_steptime("ADD", "ipam_wait");
	if (cni_netns_run(a->netns_fd, configure_inside, a, e) < 0)
		return -2;
	ttt_steptime("ADD", "configure");
	if (start_worker(a, e) < 0)
		return -2;
	ttt_steptime("ADD", "worker");
	a->st.ready = true;
	if (cni_state_save(&a->store, &a->st, e) < 0)
		return -2;
	ttt_steptime("ADD", "save_ready");
	return print_result(a, e) < 0 ? -2 : 0;
}

int cni_cmd_add(struct cni_ctx *c, struct cni_error *e)
{
	struct add a = { .c = c, .netns_fd = -1, .tap_fd = -1, .sock_fd = -1 };
	struct cni_error ignored;
	int rc;

	a.store.net_lock = a.store.att_lock = a.store.dir_fd = -1;
	rc = build(&a, e);
	if (a.tap_fd >= 0)
		close(a.tap_fd); /* the worker has its own copy; without one the tap goes */
	if (a.sock_fd >= 0)
		close(a.sock_fd);
	if (rc == -2) { /* something was made: take all of it back */
		(void)cni_teardown(c, &a.store, &a.st, &ignored);
		if (a.st.kept_log[0] && strncmp(e->details, "log: ", 5) == 0)
			cni_detail(e, "log: %s", a.st.kept_log); /* where it went */
	}
	cni_result_free(&a.ipam);
	if (a.netns_fd >= 0)
		close(a.netns_fd);
	cni_store_close(&a.store, rc != 0);
	return rc < 0 ? -1 : 0;
}
