/* SPDX-License-Identifier: MIT */
/* policy.h - who may choose what in an attachment, and which link it is
 *
 * A pod's author reaches the plugin through args.cni (Multus cni-args) and,
 * with some runtimes, CNI_ARGS. By default a pod may choose nothing but its
 * interface's MAC (its own interface; harmless to others). The network's
 * administrator widens that in the configuration:
 *
 *   "podArgs": { "peer":   ["198.18.0.0/24", "2001:db8::/64"],
 *                "listen": ["198.18.0.0/24"], "listenPorts": "9200-9299" }
 *
 * peer: prefixes a pod's peer address (an IP, any port) must be inside;
 * listen + listenPorts: prefixes a pod's listen address must be inside (a
 * wildcard needs 0.0.0.0/0 or ::/0) and the ports it may bind.
 *
 * The link identity names the link an attachment is one end of; its key is
 * derived from the network's key and the identity (linkkey.h). The
 * configuration's "link" is a template: {network}, {namespace} and {pod}
 * (K8S_POD_NAMESPACE, K8S_POD_NAME), {container} (CNI_CONTAINERID) and
 * {ifname} are replaced by the runtime's values, never by a pod's. */
#ifndef CNI_POLICY_H
#define CNI_POLICY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "cni/lib/error.h"
#include "ttt/crypto/linkkey.h"
#include "ttt/net/addr.h"

#define CNI_PREFIX_MAX 16

struct cni_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned len; /* prefix length in bits */
};

struct cni_policy {
	struct cni_prefix peer[CNI_PREFIX_MAX], listen[CNI_PREFIX_MAX];
	int n_peer, n_listen;
	uint16_t port_lo, port_hi; /* podArgs.listenPorts; 0 when absent */
};

/* A listen address whose port may be a range: "198.18.0.1:9200-9299". */
struct cni_listen {
	char host[TTT_HOST_MAX + 3]; /* as written (brackets kept), "" for every address */
	uint16_t lo, hi;             /* lo == hi: one port */
};

/* Parses podArgs (NULL: a pod may choose nothing). */
int cni_policy_parse(const cJSON *pod_args, struct cni_policy *p, struct cni_error *e);

/* Whether the configuration lets a pod choose its listen or peer address. */
bool cni_policy_open(const struct cni_policy *p);

/* A pod's peer (from field) is allowed: an IP address inside podArgs.peer. */
int cni_policy_peer(const struct cni_policy *p, const char *value, const char *field,
		    struct cni_error *e);

/* A pod's listen address (from field) is allowed. */
int cni_policy_listen(const struct cni_policy *p, const char *value, const char *field,
		      struct cni_error *e);

/* Parses a listen address with a port or a port range "lo-hi". */
int cni_listen_parse(const char *text, const char *field, struct cni_listen *l,
		     struct cni_error *e);

/* "host:port" for one port of l. */
void cni_listen_at(const struct cni_listen *l, uint16_t port, char *out, size_t len);

struct cni_link_vars {
	const char *network, *ns, *pod, *container, *ifname; /* "" when unknown */
};

/* Expands a link template into out; refused (naming field) when it uses a
 * value the runtime did not give or the result is not a link identity. */
int cni_link_expand(const char *tmpl, const struct cni_link_vars *v, const char *field,
		    char out[TTT_LINK_ID_MAX + 1], struct cni_error *e);

/* Whether a template names one pod (or container): {container}, or both
 * {namespace} and {pod}. */
bool cni_link_per_pod(const char *tmpl);

#endif
