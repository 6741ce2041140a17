/* SPDX-License-Identifier: MIT */
/* result.h - CNI results: read from IPAM plugins and prevResult, printed in
 * the version the configuration asked for (0.3.0 to 1.1.0) */
#ifndef CNI_RESULT_H
#define CNI_RESULT_H

#include <cjson/cJSON.h>
#include <limits.h>
#include <net/if.h>

#include "cni/lib/error.h"
#include "ttt/net/ether.h"

#define CNI_MAX_IFACES 8
#define CNI_MAX_IPS 16
#define CNI_MAX_ROUTES 32
#define CNI_ADDR_MAX 64

struct cni_iface {
	char name[IF_NAMESIZE];
	char mac[TTT_ETHER_STRLEN];
	char sandbox[PATH_MAX];
	unsigned mtu; /* 0: not reported */
};

struct cni_ip {
	char address[CNI_ADDR_MAX]; /* with prefix length: "198.19.0.5/24" */
	char gateway[CNI_ADDR_MAX]; /* "" when none */
	int iface;                  /* index into ifaces, -1 when not given */
	int family;                 /* AF_INET or AF_INET6 */
};

struct cni_route {
	char dst[CNI_ADDR_MAX];
	char gw[CNI_ADDR_MAX]; /* "" when none */
};

struct cni_result {
	struct cni_iface ifaces[CNI_MAX_IFACES];
	int n_ifaces;
	struct cni_ip ips[CNI_MAX_IPS];
	int n_ips;
	struct cni_route routes[CNI_MAX_ROUTES];
	int n_routes;
	cJSON *dns; /* owned copy, NULL when none */
};

/* Reads ips, routes, dns (and interfaces) from a result object, checking
 * every address. */
int cni_result_parse(const cJSON *obj, struct cni_result *r, struct cni_error *e);

/* The same from JSON text, such as an IPAM plugin's output. */
int cni_result_parse_text(const char *text, struct cni_result *r, struct cni_error *e);

/* The result as JSON text in the given version (malloc'd), NULL when memory
 * is short. */
char *cni_result_print(const struct cni_result *r, const char *version);

void cni_result_free(struct cni_result *r);

/* AF_INET or AF_INET6 when text is an address (with a prefix length when
 * prefix is true), else 0. */
int cni_ip_family(const char *text, bool prefix);

#endif
