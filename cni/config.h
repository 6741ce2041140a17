/* SPDX-License-Identifier: MIT */
/* config.h - the network configuration a runtime sends on stdin
 *
 *   { "cniVersion": "1.0.0", "name": "lab-link", "type": "tinytaptunnel",
 *     "keyFile": "/etc/tinytaptunnel/lab-link.key",
 *     "listen": "198.18.0.1:9123", "peer": "198.18.0.2:9123",
 *     "mtu": 1418, "mac": "02:00:00:00:00:01", "window": 3.0, "keepalive": 25,
 *     "ipam": { "type": "host-local", ... }, "stateDir": "/run/tinytaptunnel" }
 *
 * Per-attachment values override the configuration's, most specific first:
 * runtimeConfig.mac, then args.cni.{peer,listen,mac} (Multus passes pod
 * annotations there), then CNI_ARGS (MAC, TTT_PEER, TTT_LISTEN), then the
 * entry of "links" naming the pod (K8S_POD_NAMESPACE/K8S_POD_NAME). A pod's
 * own choice of listen or peer (args.cni, CNI_ARGS) is refused unless
 * "podArgs" allows it (policy.h). "listen" may give a port range
 * ("198.18.0.1:9200-9299"): ADD binds the first free port of it. Each
 * attachment is one end of a link whose identity ("link", a template; by
 * default the network's name) keys its own key, unless "linkKeys" is
 * false. Unknown fields are ignored; known ones of the wrong type or value
 * are refused. */
#ifndef CNI_CONFIG_H
#define CNI_CONFIG_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "cni/lib/error.h"
#include "ttt/crypto/linkkey.h"
#include "ttt/net/ether.h"

#define CNI_STATE_DIR_DEFAULT "/run/tinytaptunnel"

#define CNI_ARG_MAX 288

/* What we read from CNI_ARGS: MAC, TTT_PEER, TTT_LISTEN, and the pod's
 * K8S_POD_NAMESPACE and K8S_POD_NAME, recorded for `ttt show` ("" when
 * absent). */
struct cni_args {
	char mac[CNI_ARG_MAX];
	char peer[CNI_ARG_MAX];
	char listen[CNI_ARG_MAX];
	char k8s_namespace[CNI_ARG_MAX];
	char k8s_pod[CNI_ARG_MAX];
	/* Not from CNI_ARGS: the runtime's CNI_CONTAINERID and CNI_IFNAME, for
	 * the link template's {container} and {ifname} (NULL when not given). */
	const char *container_id, *ifname;
};

/* Reads our keys from CNI_ARGS (see cni/lib/args.h for the rules). */
int cni_args_parse(const char *text, struct cni_args *a, struct cni_error *e);

struct cni_config {
	cJSON *root; /* the parsed document, owned */
	const char *cni_version; /* points into version_buf: valid after a failure too */
	char version_buf[16];
	const char *name;
	const char *key_file; /* NULL when absent */
	const char *listen;   /* NULL when absent; may end in a port range */
	const char *peer;     /* NULL: learn the peer (discovery) */
	const char *listen_field, *peer_field; /* where each came from, for messages */
	struct cni_listen listen_range; /* listen, parsed (valid when listen is set) */
	bool link_keys;                 /* a key per link (the default), else the file's key */
	char link[TTT_LINK_ID_MAX + 1]; /* the link identity ("" without link keys) */
	const char *link_field;         /* where it came from */
	char pod[2 * CNI_ARG_MAX];      /* "namespace/name" from CNI_ARGS, "" when not given */
	int links_entry;                /* index of the "links" entry naming the pod, or -1 */
	/* What is wrong with THIS attachment's values (a pod's choice outside
	 * podArgs, a link template missing the pod's name): refused by ADD and
	 * CHECK only, so that DEL, GC and STATUS still work. */
	bool attach_refused;
	struct cni_error attach_error;
	char fields[4][48]; /* storage for the *_field names */
	bool have_mac;
	uint8_t mac[TTT_ETH_ALEN];
	unsigned mtu;   /* TTT_MTU_DEFAULT unless mtu_given */
	bool mtu_given; /* else ADD takes it from the path to the peer (pmtu.h) */
	unsigned keepalive; /* seconds, 0: none */
	uint64_t window_ns;
	const char *ipam_type; /* NULL: no IPAM, a layer-2-only interface */
	const char *state_dir;
	const cJSON *prev_result;       /* NULL when absent */
	const cJSON *valid_attachments; /* GC's cni.dev/valid-attachments, or NULL */
};

/* Parses and validates text (len bytes) merged with args (CNI_ARGS). */
int cni_config_parse(const char *text, size_t len, const struct cni_args *args,
		     struct cni_config *c, struct cni_error *e);

/* 0 when this attachment's own values are acceptable; else -1 with the
 * reason in e (ADD and CHECK call it). */
int cni_config_attachment_ok(const struct cni_config *c, struct cni_error *e);

void cni_config_free(struct cni_config *c);

#endif
