/* SPDX-License-Identifier: MIT */
/* config.c - parsing and validating the network configuration */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cni/lib/args.h"
#include "cni/lib/env.h"
#include "cni/lib/version.h"
#include "ttt/net/addr.h"
#include "ttt/proto.h"
#include "ttt/worker/options.h"

int cni_args_parse(const char *text, struct cni_args *a, struct cni_error *e)
{
	const struct cni_arg want[] = {
		{ "MAC", a->mac, sizeof(a->mac) },
		{ "TTT_PEER", a->peer, sizeof(a->peer) },
		{ "TTT_LISTEN", a->listen, sizeof(a->listen) },
		{ "K8S_POD_NAMESPACE", a->k8s_namespace, sizeof(a->k8s_namespace) },
		{ "K8S_POD_NAME", a->k8s_pod, sizeof(a->k8s_pod) },
	};

	return cni_args_get(text, want, sizeof(want) / sizeof(want[0]), e);
}

static int bad_field(struct cni_error *e, const char *field, const char *why)
{
	cni_fail(e, CNI_ERR_INVALID_CONFIG, "field '%s' %s", field, why);
	return cni_detail(e, "%s", field);
}

/* The string at obj.key, NULL when absent; wrong types are refused. */
static int get_string(const cJSON *obj, const char *key, const char *field, const char **out,
		      struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return bad_field(e, field, "must be a string");
	*out = v->valuestring;
	return 0;
}

static int get_object(const cJSON *obj, const char *key, const char *field, const cJSON **out,
		      struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return bad_field(e, field, "must be an object");
	*out = v;
	return 0;
}

static int get_number(const cJSON *obj, const char *key, const cJSON **out, struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return bad_field(e, key, "must be a number");
	*out = v;
	return 0;
}

static int check_version(struct cni_config *c, struct cni_error *e)
{
	const char *v;

	if (get_string(c->root, "cniVersion", "cniVersion", &v, e) < 0)
		return -1;
	if (!v)
		return bad_field(e, "cniVersion", "is required");
	if (!cni_version_supported(v)) {
		cni_fail(e, CNI_ERR_INCOMPATIBLE_VERSION, "incompatible CNI version %s", v);
		return cni_detail(e, "supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0");
	}
	snprintf(c->version_buf, sizeof(c->version_buf), "%s", v);
	c->cni_version = c->version_buf;
	return 0;
}

static int check_identity(struct cni_config *c, struct cni_error *e)
{
	const char *type;

	if (get_string(c->root, "name", "name", &c->name, e) < 0 ||
	    get_string(c->root, "type", "type", &type, e) < 0)
		return -1;
	if (!c->name || !cni_name_valid(c->name))
		return bad_field(e, "name", "must be letters, digits, '_', '.' or '-', starting with "
					    "a letter or digit");
	return 0;
}

static int check_endpoint(const char *text, const char *field, bool need_host,
			  struct cni_error *e)
{
	struct ttt_endpoint ep;
	struct ttt_err why;
	char msg[sizeof(why.msg) + 16];

	if (ttt_endpoint_parse(text, &ep, &why) < 0) {
		snprintf(msg, sizeof(msg), "('%s'): %s", text, why.msg);
		return bad_field(e, field, msg);
	}
	if (need_host && ep.host[0] == '\0')
		return bad_field(e, field, "needs a host (as in 198.18.0.2:9123)");
	return 0;
}

static int check_mac(struct cni_config *c, const char *text, const char *field,
		     struct cni_error *e)
{
	if (ttt_ether_parse(text, c->mac) < 0 || !ttt_ether_assignable(c->mac))
		return bad_field(e, field, "must be a unicast MAC address such as 02:00:00:00:00:01");
	c->have_mac = true;
	return 0;
}

static int take_numbers(struct cni_config *c, struct cni_error *e)
{
	const cJSON *mtu, *window, *keepalive;
	struct ttt_err err;

	if (get_number(c->root, "mtu", &mtu, e) < 0 || get_number(c->root, "window", &window, e) < 0 ||
	    get_number(c->root, "keepalive", &keepalive, e) < 0)
		return -1;
	c->mtu = TTT_MTU_DEFAULT;
	c->window_ns = TTT_WINDOW_DEFAULT_NS;
	c->mtu_given = mtu != NULL;
	if (mtu && ttt_check_mtu(mtu->valuedouble, &c->mtu, &err) < 0)
		return bad_field(e, "mtu", err.msg);
	if (keepalive && ttt_check_keepalive(keepalive->valuedouble, &c->keepalive, &err) < 0)
		return bad_field(e, "keepalive", err.msg);
	if (window && ttt_check_window(window->valuedouble, &c->window_ns, &err) < 0)
		return bad_field(e, "window", err.msg);
	return 0;
}

static int take_paths(struct cni_config *c, struct cni_error *e)
{
	if (get_string(c->root, "keyFile", "keyFile", &c->key_file, e) < 0 ||
	    get_string(c->root, "stateDir", "stateDir", &c->state_dir, e) < 0)
		return -1;
	if (c->key_file && c->key_file[0] != '/')
		return bad_field(e, "keyFile", "must be an absolute path");
	if (c->state_dir && c->state_dir[0] != '/')
		return bad_field(e, "stateDir", "must be an absolute path");
	if (!c->state_dir)
		c->state_dir = CNI_STATE_DIR_DEFAULT;
	return 0;
}

static int take_ipam(struct cni_config *c, struct cni_error *e)
{
	const cJSON *ipam;

	if (get_object(c->root, "ipam", "ipam", &ipam, e) < 0)
		return -1;
	if (!ipam)
		return 0;
	if (get_string(ipam, "type", "ipam.type", &c->ipam_type, e) < 0)
		return -1;
	if (!c->ipam_type || !cni_name_valid(c->ipam_type))
		return bad_field(e, "ipam.type", "must name an IPAM plugin (such as host-local)");
	return 0;
}

/* One attachment's sources of values, least specific last. */
struct attach {
	const cJSON *cniargs; /* args.cni: a pod's own choice (Multus cni-args) */
	const cJSON *entry;   /* the "links" entry naming the pod, or NULL */
	struct cni_policy policy;
	bool from_pod[2];     /* listen, peer: chosen by the pod */
};

/* Defers a refusal of this attachment's values to ADD and CHECK. */
static int defer(struct cni_config *c, const struct cni_error *e)
{
	if (!c->attach_refused) {
		c->attach_refused = true;
		c->attach_error = *e;
	}
	return 0;
}

int cni_config_attachment_ok(const struct cni_config *c, struct cni_error *e)
{
	if (!c->attach_refused)
		return 0;
	*e = c->attach_error;
	return -1;
}

/* The most specific of args.cni.<key>, CNI_ARGS, the links entry and the
 * configuration's own field; *field names where it came from (kept in
 * c->fields[slot]) and *pod whether a pod chose it. */
static int pick(struct cni_config *c, const struct attach *s, const char *key,
		const char *env_value, const char *env_name, int slot, const char **value,
		const char **field, bool *pod, struct cni_error *e)
{
	char *name = c->fields[slot];
	const char *v = NULL;

	*pod = true;
	if (s->cniargs && get_string(s->cniargs, key, key, &v, e) < 0)
		return bad_field(e, key, "in args.cni must be a string");
	if (v) {
		snprintf(name, sizeof(c->fields[0]), "args.cni.%s", key);
	} else if (env_value && *env_value) {
		v = env_value;
		snprintf(name, sizeof(c->fields[0]), "%s", env_name);
	} else {
		*pod = false;
		if (s->entry && get_string(s->entry, key, key, &v, e) == 0 && v)
			snprintf(name, sizeof(c->fields[0]), "links[%d].%s", c->links_entry, key);
		else if (get_string(c->root, key, key, &v, e) < 0)
			return -1;
		else
			snprintf(name, sizeof(c->fields[0]), "%s", key);
	}
	*value = v;
	*field = name;
	return 0;
}

static bool is_pod_name(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash && slash != s && slash[1] && !strchr(slash + 1, '/') && ttt_link_id_valid(s);
}

/* Checks entry i of "links" and remembers it if it names our pod. */
static int take_entry(struct cni_config *c, struct attach *s, const cJSON *arr, const cJSON *v,
		      int i, struct cni_error *e)
{
	const char *pod, *link, *listen, *peer, *mac;
	struct cni_listen range;
	uint8_t m[TTT_ETH_ALEN];
	char f[48];
	int users = 0, k = 0;
	const cJSON *o;

	snprintf(f, sizeof(f), "links[%d]", i);
	if (!cJSON_IsObject(v))
		return bad_field(e, f, "must be an object {\"pod\": \"namespace/name\", \"link\": ...}");
	snprintf(f, sizeof(f), "links[%d].pod", i);
	if (get_string(v, "pod", f, &pod, e) < 0 || !pod || !is_pod_name(pod))
		return bad_field(e, f, "must be the pod's namespace/name");
	snprintf(f, sizeof(f), "links[%d].link", i);
	if (get_string(v, "link", f, &link, e) < 0 || !link || !ttt_link_id_valid(link))
		return bad_field(e, f, "must be a link identity: 1-255 printable characters without "
				       "spaces, the same at both ends of the link");
	snprintf(f, sizeof(f), "links[%d].listen", i);
	if (get_string(v, "listen", f, &listen, e) < 0 ||
	    (listen && cni_listen_parse(listen, f, &range, e) < 0))
		return -1;
	snprintf(f, sizeof(f), "links[%d].peer", i);
	if (get_string(v, "peer", f, &peer, e) < 0 || (peer && check_endpoint(peer, f, true, e) < 0))
		return -1;
	snprintf(f, sizeof(f), "links[%d].mac", i);
	if (get_string(v, "mac", f, &mac, e) < 0 ||
	    (mac && (ttt_ether_parse(mac, m) < 0 || !ttt_ether_assignable(m))))
		return bad_field(e, f, "must be a unicast MAC address such as 02:00:00:00:00:01");
	cJSON_ArrayForEach(o, arr) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "pod");
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "link");
		if (k++ < i && cJSON_IsString(p) && strcmp(p->valuestring, pod) == 0) {
			snprintf(f, sizeof(f), "links[%d].pod", i);
			return bad_field(e, f, "names a pod an earlier entry names already");
		}
		users += cJSON_IsString(l) && strcmp(l->valuestring, link) == 0;
	}
	if (users > 2) {
		snprintf(f, sizeof(f), "links[%d].link", i);
		return bad_field(e, f, "is used by more than two entries: a link has two ends");
	}
	if (c->pod[0] && strcmp(pod, c->pod) == 0) {
		s->entry = v;
		c->links_entry = i;
	}
	return 0;
}

/* "links": per-pod values chosen by the administrator. */
static int take_links(struct cni_config *c, struct attach *s, struct cni_error *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(c->root, "links"), *v;
	int i = 0;

	c->links_entry = -1;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return bad_field(e, "links", "must be an array of {\"pod\": \"namespace/name\", "
					     "\"link\": ..., \"listen\": ..., \"peer\": ...}");
	cJSON_ArrayForEach(v, arr) {
		if (take_entry(c, s, arr, v, i++, e) < 0)
			return -1;
	}
	return 0;
}

/* listen and peer of this attachment; a pod's own choice only within podArgs. */
static int take_addresses(struct cni_config *c, struct attach *s, const struct cni_args *a,
			  struct cni_error *e)
{
	struct cni_error why;

	if (pick(c, s, "listen", a->listen, "CNI_ARGS TTT_LISTEN", 0, &c->listen, &c->listen_field,
		 &s->from_pod[0], e) < 0 ||
	    (c->listen && cni_listen_parse(c->listen, c->listen_field, &c->listen_range, e) < 0))
		return -1;
	if (pick(c, s, "peer", a->peer, "CNI_ARGS TTT_PEER", 1, &c->peer, &c->peer_field,
		 &s->from_pod[1], e) < 0 ||
	    (c->peer && check_endpoint(c->peer, c->peer_field, true, e) < 0))
		return -1;
	if (s->from_pod[0] && cni_policy_listen(&s->policy, c->listen, c->listen_field, &why) < 0)
		defer(c, &why);
	if (s->from_pod[1] && cni_policy_peer(&s->policy, c->peer, c->peer_field, &why) < 0)
		defer(c, &why);
	return 0;
}

static int take_mac(struct cni_config *c, const struct attach *s, const struct cni_args *a,
		    const char *rc_mac, struct cni_error *e)
{
	const char *mac, *field;
	bool pod;

	if (rc_mac)
		return check_mac(c, rc_mac, "runtimeConfig.mac", e);
	if (pick(c, s, "mac", a->mac, "CNI_ARGS MAC", 2, &mac, &field, &pod, e) < 0)
		return -1;
	return mac ? check_mac(c, mac, field, e) : 0;
}

/* The link identity, and whether keys are derived at all. */
static int take_link(struct cni_config *c, const struct attach *s, const struct cni_args *a,
		     struct cni_error *e)
{
	const cJSON *lk = cJSON_GetObjectItemCaseSensitive(c->root, "linkKeys");
	const struct cni_link_vars vars = {
		.network = c->name, .ns = a->k8s_namespace, .pod = a->k8s_pod,
		.container = a->container_id ? a->container_id : "", .ifname = a->ifname ? a->ifname : "",
	};
	const char *tmpl;
	struct cni_error why;
	bool shared = c->listen_range.lo != c->listen_range.hi && !s->entry;

	if (lk && !cJSON_IsNull(lk) && !cJSON_IsBool(lk))
		return bad_field(e, "linkKeys", "must be true or false");
	c->link_keys = !cJSON_IsFalse(lk);
	if (get_string(c->root, "link", "link", &tmpl, e) < 0)
		return -1;
	if (!c->link_keys) {
		if (tmpl || cJSON_GetObjectItemCaseSensitive(c->root, "links") ||
		    cni_policy_open(&s->policy) || c->listen_range.lo != c->listen_range.hi)
			return bad_field(e, "linkKeys", "false (the key file's key shared by every "
				"attachment) cannot go with link, links, podArgs or a listen port range");
		c->link_field = "linkKeys";
		return 0;
	}
	if (s->entry) {
		snprintf(c->link, sizeof(c->link), "%s",
			 cJSON_GetObjectItemCaseSensitive(s->entry, "link")->valuestring);
		snprintf(c->fields[3], sizeof(c->fields[3]), "links[%d].link", c->links_entry);
		c->link_field = c->fields[3];
		return 0;
	}
	c->link_field = tmpl ? "link" : "name";
	if (!tmpl)
		tmpl = "{network}";
	if ((shared || cni_policy_open(&s->policy)) && !cni_link_per_pod(tmpl))
		return bad_field(e, c->link_field, "must name one pod ({namespace} and {pod}, or "
				 "{container}) when pods may choose listen or peer (podArgs) or listen "
				 "has a port range: else one pod could speak into another's link");
	if (cni_link_expand(tmpl, &vars, c->link_field, c->link, &why) < 0)
		defer(c, &why);
	return 0;
}

static int take_attachment(struct cni_config *c, const struct cni_args *a, struct cni_error *e)
{
	const cJSON *args = NULL, *rc = NULL;
	const char *rc_mac = NULL;
	struct attach s;

	memset(&s, 0, sizeof(s));
	if (a->k8s_namespace[0] && a->k8s_pod[0])
		snprintf(c->pod, sizeof(c->pod), "%s/%s", a->k8s_namespace, a->k8s_pod);
	if (get_object(c->root, "args", "args", &args, e) < 0 ||
	    (args && get_object(args, "cni", "args.cni", &s.cniargs, e) < 0) ||
	    get_object(c->root, "runtimeConfig", "runtimeConfig", &rc, e) < 0 ||
	    (rc && get_string(rc, "mac", "runtimeConfig.mac", &rc_mac, e) < 0) ||
	    cni_policy_parse(cJSON_GetObjectItemCaseSensitive(c->root, "podArgs"), &s.policy, e) < 0 ||
	    take_links(c, &s, e) < 0 || take_addresses(c, &s, a, e) < 0 ||
	    take_mac(c, &s, a, rc_mac, e) < 0)
		return -1;
	return take_link(c, &s, a, e);
}

static int take_extras(struct cni_config *c, struct cni_error *e)
{
	const cJSON *v;

	if (get_object(c->root, "prevResult", "prevResult", &c->prev_result, e) < 0)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(c->root, "cni.dev/valid-attachments");
	if (v && !cJSON_IsNull(v) && !cJSON_IsArray(v))
		return bad_field(e, "cni.dev/valid-attachments", "must be an array");
	c->valid_attachments = v && cJSON_IsArray(v) ? v : NULL;
	return 0;
}

int cni_config_parse(const char *text, size_t len, const struct cni_args *args,
		     struct cni_config *c, struct cni_error *e)
{
	memset(c, 0, sizeof(*c));
	c->root = cJSON_ParseWithLength(text, len);
	if (!c->root || !cJSON_IsObject(c->root)) {
		cni_fail(e, CNI_ERR_DECODE, "cannot decode the network configuration: %s",
			 c->root ? "it is not a JSON object" : "not valid JSON");
		cni_config_free(c);
		return -1;
	}
	if (check_version(c, e) < 0 || check_identity(c, e) < 0 || take_numbers(c, e) < 0 ||
	    take_paths(c, e) < 0 || take_ipam(c, e) < 0 || take_attachment(c, args, e) < 0 ||
	    take_extras(c, e) < 0) {
		cni_config_free(c);
		return -1;
	}
	return 0;
}

void cni_config_free(struct cni_config *c)
{
	char version[sizeof(c->version_buf)];
	bool had = c->cni_version != NULL;

	memcpy(version, c->version_buf, sizeof(version));
	cJSON_Delete(c->root);
	memset(c, 0, sizeof(*c)); /* no pointer into the freed tree survives */
	if (had) {
		memcpy(c->version_buf, version, sizeof(version));
		c->cni_version = c->version_buf;
	}
}
