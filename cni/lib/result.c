/* SPDX-License-Identifier: MIT */
/* result.c - parsing and printing CNI results */
#include "cni/lib/result.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cni/lib/version.h"

int cni_ip_family(const char *text, bool prefix)
{
	char host[CNI_ADDR_MAX];
	unsigned char buf[16];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	char *end;
	long bits;
	int family;

	if (hlen == 0 || hlen >= sizeof(host) || (prefix != (slash != NULL)))
		return 0;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, host, buf) != 1)
		return 0;
	if (!prefix)
		return family;
	if (slash[1] < '0' || slash[1] > '9')
		return 0;
	bits = strtol(slash + 1, &end, 10);
	if (*end || bits < 0 || bits > (family == AF_INET ? 32 : 128))
		return 0;
	return family;
}

/* Copies the string member key of obj into buf; absent is fine unless required. */
static int copy_str(const cJSON *obj, const char *key, char *buf, size_t len, bool required,
		    const char *where, struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	buf[0] = '\0';
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return cni_fail(e, CNI_ERR_DECODE, "%s: '%s' is missing", where, key);
		return 0;
	}
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= len)
		return cni_fail(e, CNI_ERR_DECODE, "%s: '%s' is not a string of at most %zu bytes",
				where, key, len - 1);
	memcpy(buf, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

static int parse_iface(const cJSON *o, struct cni_iface *f, struct cni_error *e)
{
	const cJSON *mtu = cJSON_GetObjectItemCaseSensitive(o, "mtu");

	if (!cJSON_IsObject(o))
		return cni_fail(e, CNI_ERR_DECODE, "result: an interface is not an object");
	if (copy_str(o, "name", f->name, sizeof(f->name), true, "result interface", e) < 0 ||
	    copy_str(o, "mac", f->mac, sizeof(f->mac), false, "result interface", e) < 0 ||
	    copy_str(o, "sandbox", f->sandbox, sizeof(f->sandbox), false, "result interface", e) < 0)
		return -1;
	if (f->name[0] == '\0')
		return cni_fail(e, CNI_ERR_DECODE, "result interface: 'name' is empty");
	if (cJSON_IsNumber(mtu) && (mtu->valuedouble < 0 || mtu->valuedouble > 65535))
		return cni_fail(e, CNI_ERR_DECODE, "result interface: 'mtu' %g is out of range 0-65535",
				mtu->valuedouble);
	f->mtu = cJSON_IsNumber(mtu) ? (unsigned)mtu->valuedouble : 0;
	return 0;
}

static int parse_ip(const cJSON *o, struct cni_ip *ip, int n_ifaces, struct cni_error *e)
{
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(o, "interface");

	if (!cJSON_IsObject(o))
		return cni_fail(e, CNI_ERR_DECODE, "result: an IP entry is not an object");
	if (copy_str(o, "address", ip->address, sizeof(ip->address), true, "result ip", e) < 0 ||
	    copy_str(o, "gateway", ip->gateway, sizeof(ip->gateway), false, "result ip", e) < 0)
		return -1;
	ip->family = cni_ip_family(ip->address, true);
	if (!ip->family)
		return cni_fail(e, CNI_ERR_DECODE, "result: '%s' is not an address with a prefix",
				ip->address);
	if (ip->gateway[0] && cni_ip_family(ip->gateway, false) != ip->family)
		return cni_fail(e, CNI_ERR_DECODE, "result: gateway '%s' does not fit '%s'",
				ip->gateway, ip->address);
	ip->iface = -1;
	if (idx && !cJSON_IsNull(idx)) {
		if (!cJSON_IsNumber(idx) || idx->valuedouble < 0 || idx->valuedouble >= n_ifaces)
			return cni_fail(e, CNI_ERR_DECODE, "result: ip '%s' names no interface",
					ip->address);
		ip->iface = (int)idx->valuedouble;
	}
	return 0;
}

static int parse_route(const cJSON *o, struct cni_route *rt, struct cni_error *e)
{
	if (!cJSON_IsObject(o))
		return cni_fail(e, CNI_ERR_DECODE, "result: a route is not an object");
	if (copy_str(o, "dst", rt->dst, sizeof(rt->dst), true, "result route", e) < 0 ||
	    copy_str(o, "gw", rt->gw, sizeof(rt->gw), false, "result route", e) < 0)
		return -1;
	if (!cni_ip_family(rt->dst, true) ||
	    (rt->gw[0] && cni_ip_family(rt->gw, false) != cni_ip_family(rt->dst, true)))
		return cni_fail(e, CNI_ERR_DECODE, "result: route to '%s' via '%s' is not valid",
				rt->dst, rt->gw);
	return 0;
}

/* The array obj.key (absent: empty), at most max entries. */
static const cJSON *array(const cJSON *obj, const char *key, int max, struct cni_error *e)
{
	static const cJSON empty = { .type = cJSON_Array };
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!a || cJSON_IsNull(a))
		return &empty;
	if (!cJSON_IsArray(a)) {
		cni_fail(e, CNI_ERR_DECODE, "result: '%s' is not an array", key);
		return NULL;
	}
	if (cJSON_GetArraySize(a) > max) {
		cni_fail(e, CNI_ERR_DECODE, "result: more than %d entries in '%s'", max, key);
		return NULL;
	}
	return a;
}

int cni_result_parse(const cJSON *obj, struct cni_result *r, struct cni_error *e)
{
	const cJSON *ifs, *ips, *routes, *dns, *item;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(obj))
		return cni_fail(e, CNI_ERR_DECODE, "result: not a JSON object");
	if (!(ifs = array(obj, "interfaces", CNI_MAX_IFACES, e)) ||
	    !(ips = array(obj, "ips", CNI_MAX_IPS, e)) ||
	    !(routes = array(obj, "routes", CNI_MAX_ROUTES, e)))
		return -1;
	cJSON_ArrayForEach(item, ifs) {
		if (parse_iface(item, &r->ifaces[r->n_ifaces++], e) < 0)
			return -1;
	}
	cJSON_ArrayForEach(item, ips) {
		if (parse_ip(item, &r->ips[r->n_ips++], r->n_ifaces, e) < 0)
			return -1;
	}
	cJSON_ArrayForEach(item, routes) {
		if (parse_route(item, &r->routes[r->n_routes++], e) < 0)
			return -1;
	}
	dns = cJSON_GetObjectItemCaseSensitive(obj, "dns");
	if (cJSON_IsObject(dns) && !(r->dns = cJSON_Duplicate(dns, 1)))
		return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
	return 0;
}

int cni_result_parse_text(const char *text, struct cni_result *r, struct cni_error *e)
{
	cJSON *root = cJSON_Parse(text);
	int rc;

	if (!root) {
		memset(r, 0, sizeof(*r));
		return cni_fail(e, CNI_ERR_DECODE, "result: not valid JSON");
	}
	rc = cni_result_parse(root, r, e);
	cJSON_Delete(root);
	return rc;
}

void cni_result_free(struct cni_result *r)
{
	cJSON_Delete(r->dns);
	r->dns = NULL;
}

static bool add_str(cJSON *o, const char *key, const char *v)
{
	return !*v || cJSON_AddStringToObject(o, key, v) != NULL;
}

static bool print_ifaces(cJSON *root, const struct cni_result *r, bool with_mtu)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "interfaces");

	for (int i = 0; arr && i < r->n_ifaces; i++) {
		const struct cni_iface *f = &r->ifaces[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) || !add_str(o, "name", f->name) ||
		    !add_str(o, "mac", f->mac) || !add_str(o, "sandbox", f->sandbox) ||
		    (with_mtu && f->mtu && !cJSON_AddNumberToObject(o, "mtu", f->mtu)))
			return false;
	}
	return arr != NULL;
}

static bool print_ips(cJSON *root, const struct cni_result *r, bool with_version)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "ips");

	for (int i = 0; arr && i < r->n_ips; i++) {
		const struct cni_ip *ip = &r->ips[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) ||
		    (with_version &&
		     !cJSON_AddStringToObject(o, "version", ip->family == AF_INET6 ? "6" : "4")) ||
		    !add_str(o, "address", ip->address) || !add_str(o, "gateway", ip->gateway) ||
		    (ip->iface >= 0 && !cJSON_AddNumberToObject(o, "interface", ip->iface)))
			return false;
	}
	return arr != NULL;
}

static bool print_routes(cJSON *root, const struct cni_result *r)
{
	cJSON *arr;

	if (r->n_routes == 0)
		return true;
	arr = cJSON_AddArrayToObject(root, "routes");
	for (int i = 0; arr && i < r->n_routes; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o) || !add_str(o, "dst", r->routes[i].dst) ||
		    !add_str(o, "gw", r->routes[i].gw))
			return false;
	}
	return arr != NULL;
}

static bool print_dns(cJSON *root, const struct cni_result *r)
{
	cJSON *dns;

	if (!r->dns)
		return true;
	dns = cJSON_Duplicate(r->dns, 1);
	if (dns && cJSON_AddItemToObject(root, "dns", dns))
		return true;
	cJSON_Delete(dns);
	return false;
}

char *cni_result_print(const struct cni_result *r, const char *version)
{
	bool v1 = cni_version_cmp(version, "1.0.0") >= 0;
	bool v11 = cni_version_cmp(version, "1.1.0") >= 0;
	cJSON *root = cJSON_CreateObject();
	char *text = NULL;

	if (root && cJSON_AddStringToObject(root, "cniVersion", version) &&
	    print_ifaces(root, r, v11) && print_ips(root, r, !v1) && print_routes(root, r) &&
	    print_dns(root, r))
		text = cJSON_Print(root);
	cJSON_Delete(root);
	return text;
}
