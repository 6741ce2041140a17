/* SPDX-License-Identifier: MIT */
/* policy.c - podArgs, listen port ranges and link identities */
#include "policy.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static int bad(struct cni_error *e, const char *field, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	cni_fail(e, CNI_ERR_INVALID_CONFIG, "field '%s' %s", field, why);
	return cni_detail(e, "%s", field);
}

/* "198.18.0.0/24" or "2001:db8::/32" */
static int parse_prefix(const char *text, struct cni_prefix *p)
{
	char buf[64], *slash, *end;
	unsigned long len;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return -1;
	*slash = '\0';
	len = strtoul(slash + 1, &end, 10);
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -1;
	if (*end || len > (p->family == AF_INET ? 32u : 128u))
		return -1;
	p->len = (unsigned)len;
	return 0;
}

static bool in_prefix(const struct cni_prefix *p, int family, const uint8_t *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (family != p->family || memcmp(addr, p->addr, full) != 0)
		return false;
	return rest == 0 || ((addr[full] ^ p->addr[full]) & (0xff00u >> rest) & 0xff) == 0;
}

static int parse_prefixes(const cJSON *arr, const char *field, struct cni_prefix *out, int *n,
			  struct cni_error *e)
{
	const cJSON *v;

	*n = 0;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return bad(e, field, "must be an array of prefixes such as %s", "\"198.18.0.0/24\"");
	cJSON_ArrayForEach(v, arr) {
		if (*n == CNI_PREFIX_MAX)
			return bad(e, field, "has more than %d prefixes", CNI_PREFIX_MAX);
		if (!cJSON_IsString(v) || parse_prefix(v->valuestring, &out[*n]) < 0)
			return bad(e, field, "must be an array of prefixes such as %s",
				   "\"198.18.0.0/24\" or \"2001:db8::/64\"");
		(*n)++;
	}
	return 0;
}

static int parse_ports(const char *text, uint16_t *lo, uint16_t *hi)
{
	char *end;
	unsigned long a, b;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	a = strtoul(text, &end, 10);
	b = a;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end || a < 1 || b > 65535 || a > b)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int cni_policy_parse(const cJSON *pod_args, struct cni_policy *p, struct cni_error *e)
{
	const cJSON *ports;

	memset(p, 0, sizeof(*p));
	if (!pod_args || cJSON_IsNull(pod_args))
		return 0;
	if (!cJSON_IsObject(pod_args))
		return bad(e, "podArgs", "must be an object");
	if (parse_prefixes(cJSON_GetObjectItemCaseSensitive(pod_args, "peer"), "podArgs.peer",
			   p->peer, &p->n_peer, e) < 0 ||
	    parse_prefixes(cJSON_GetObjectItemCaseSensitive(pod_args, "listen"), "podArgs.listen",
			   p->listen, &p->n_listen, e) < 0)
		return -1;
	ports = cJSON_GetObjectItemCaseSensitive(pod_args, "listenPorts");
	if (ports && !cJSON_IsNull(ports) &&
	    (!cJSON_IsString(ports) || parse_ports(ports->valuestring, &p->port_lo, &p->port_hi) < 0))
		return bad(e, "podArgs.listenPorts", "must be a port or a range such as %s",
			   "\"9200-9299\"");
	if ((p->n_listen > 0) != (p->port_lo > 0))
		return bad(e, p->n_listen ? "podArgs.listenPorts" : "podArgs.listen",
			   "is needed with podArgs.%s", p->n_listen ? "listen" : "listenPorts");
	return 0;
}

bool cni_policy_open(const struct cni_policy *p)
{
	return p->n_peer > 0 || p->n_listen > 0;
}

/* The IP address of an endpoint's host (family 0 for every address). */
static int host_ip(const struct ttt_endpoint *ep, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (ep->host[0] == '\0') {
		*family = 0;
		return 0;
	}
	if (inet_pton(AF_INET, ep->host, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, ep->host, addr) == 1)
		*family = AF_INET6;
	else
		return -1;
	return 0;
}

static bool allowed(const struct cni_prefix *list, int n, int family, const uint8_t *addr)
{
	for (int i = 0; i < n; i++) {
		if (family == 0) { /* every address: only a /0 allows it */
			if (list[i].len == 0)
				return true;
		} else if (in_prefix(&list[i], family, addr)) {
			return true;
		}
	}
	return false;
}

static int refuse(struct cni_error *e, const char *field, const char *value, const char *what,
		  const char *list)
{
	cni_fail(e, CNI_ERR_INVALID_CONFIG, "%s '%s': %s (%s)", field, value, what, list);
	return cni_detail(e, "%s", field);
}

int cni_policy_peer(const struct cni_policy *p, const char *value, const char *field,
		    struct cni_error *e)
{
	struct ttt_endpoint ep;
	struct ttt_err err;
	uint8_t addr[16];
	int family;

	if (p->n_peer == 0)
		return refuse(e, field, value, "a pod may not choose its peer on this network",
			      "the configuration's podArgs.peer lists no prefix");
	if (ttt_endpoint_parse(value, &ep, &err) < 0 || host_ip(&ep, &family, addr) < 0 ||
	    family == 0)
		return refuse(e, field, value, "must be an IP address and port",
			      "podArgs.peer allows addresses, not names");
	if (!allowed(p->peer, p->n_peer, family, addr))
		return refuse(e, field, value, "is outside the prefixes a pod may choose",
			      "podArgs.peer");
	return 0;
}

int cni_policy_listen(const struct cni_policy *p, const char *value, const char *field,
		      struct cni_error *e)
{
	struct ttt_endpoint ep;
	struct ttt_err err;
	uint8_t addr[16];
	int family;

	if (p->n_listen == 0)
		return refuse(e, field, value, "a pod may not choose where its worker listens",
			      "the configuration's podArgs.listen lists no prefix");
	if (ttt_endpoint_parse(value, &ep, &err) < 0 || host_ip(&ep, &family, addr) < 0)
		return refuse(e, field, value, "must be an IP address and port",
			      "podArgs.listen allows addresses, not names or port ranges");
	if (!allowed(p->listen, p->n_listen, family, addr))
		return refuse(e, field, value, "is outside the prefixes a pod may choose",
			      "podArgs.listen");
	if (ep.port < p->port_lo || ep.port > p->port_hi)
		return refuse(e, field, value, "is outside the ports a pod may choose",
			      "podArgs.listenPorts");
	return 0;
}

int cni_listen_parse(const char *text, const char *field, struct cni_listen *l,
		     struct cni_error *e)
{
	const char *colon = strrchr(text, ':'), *bracket = strchr(text, ']');
	char one[sizeof(l->host) + 8], msg[1100];
	struct ttt_endpoint ep;
	struct ttt_err err;
	size_t hlen;

	memset(l, 0, sizeof(*l));
	if (colon && strchr(colon, '-') && (!bracket || bracket < colon)) { /* a port range */
		hlen = (size_t)(colon - text);
		if (hlen >= sizeof(l->host) || parse_ports(colon + 1, &l->lo, &l->hi) < 0)
			return bad(e, field, "('%s'): the port range must be lo-hi, from 1 to 65535",
				   text);
		memcpy(l->host, text, hlen);
		snprintf(one, sizeof(one), "%s:%u", l->host, (unsigned)l->lo);
		text = one;
	}
	if (ttt_endpoint_parse(text, &ep, &err) < 0) {
		snprintf(msg, sizeof(msg), "('%s'): %s", text, err.msg);
		cni_fail(e, CNI_ERR_INVALID_CONFIG, "field '%s' %s", field, msg);
		return cni_detail(e, "%s", field);
	}
	if (l->lo == 0) {
		hlen = (size_t)(strrchr(text, ':') - text);
		memcpy(l->host, text, hlen);
		l->lo = l->hi = ep.port;
	}
	return 0;
}

void cni_listen_at(const struct cni_listen *l, uint16_t port, char *out, size_t len)
{
	snprintf(out, len, "%s:%u", l->host, (unsigned)port);
}

static const char *var(const struct cni_link_vars *v, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t off;
	} vars[] = {
		{ "network", offsetof(struct cni_link_vars, network) },
		{ "namespace", offsetof(struct cni_link_vars, ns) },
		{ "pod", offsetof(struct cni_link_vars, pod) },
		{ "container", offsetof(struct cni_link_vars, container) },
		{ "ifname", offsetof(struct cni_link_vars, ifname) },
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strlen(vars[i].name) == n && memcmp(vars[i].name, name, n) == 0)
			return *(const char *const *)((const char *)v + vars[i].off);
	return NULL;
}

int cni_link_expand(const char *tmpl, const struct cni_link_vars *v, const char *field,
		    char out[TTT_LINK_ID_MAX + 1], struct cni_error *e)
{
	size_t used = 0;

	for (const char *p = tmpl; *p;) {
		const char *close, *val;
		size_t n;
		if (*p != '{') {
			if (used == TTT_LINK_ID_MAX)
				return bad(e, field, "('%s') makes a link identity of more than 255 "
						     "characters", tmpl);
			out[used++] = *p++;
			continue;
		}
		close = strchr(p, '}');
		if (!close || !(val = var(v, p + 1, (size_t)(close - p - 1))))
			return bad(e, field, "('%s') may use {network}, {namespace}, {pod}, "
					     "{container} and {ifname} only", tmpl);
		if (!*val) {
			cni_fail(e, CNI_ERR_INVALID_CONFIG, "field '%s' ('%s') needs %.*s, which the "
				 "runtime did not give (K8S_POD_NAMESPACE and K8S_POD_NAME come in "
				 "CNI_ARGS)", field, tmpl, (int)(close - p + 1), p);
			return cni_detail(e, "%s", field);
		}
		n = strlen(val);
		if (used + n > TTT_LINK_ID_MAX)
			return bad(e, field, "('%s') makes a link identity of more than 255 characters",
				   tmpl);
		memcpy(out + used, val, n);
		used += n;
		p = close + 1;
	}
	out[used] = '\0';
	if (!ttt_link_id_valid(out))
		return bad(e, field, "must make a link identity of 1-255 printable characters "
				     "without spaces (got '%.64s')", out);
	return 0;
}

bool cni_link_per_pod(const char *tmpl)
{
	return strstr(tmpl, "{container}") ||
	       (strstr(tmpl, "{namespace}") && strstr(tmpl, "{pod}"));
}
