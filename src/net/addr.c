/* SPDX-License-Identifier: MIT */
/* addr.c - UDP endpoint strings */
#include "ttt/net/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "resolve.h"

static int parse_port(const char *s, uint16_t *port, struct ttt_err *err)
{
	unsigned long v = 0;
	const char *p;

	if (*s == '\0')
		return ttt_err_set(err, "missing port (use host:port, [IPv6]:port or :port)");
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return ttt_err_set(err, "port '%s' is not a number", s);
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0)
		return ttt_err_set(err, "port 0 is not allowed (use 1-65535)");
	if (v > 65535)
		return ttt_err_set(err, "port %s is out of range (use 1-65535)", s);
	*port = (uint16_t)v;
	return 0;
}

static int host_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

static int check_host(const char *host, size_t len, struct ttt_err *err)
{
	for (size_t i = 0; i < len; i++) {
		if (host[i] == ':')
			return ttt_err_set(err, "IPv6 addresses must be in brackets, "
						"as in [2001:db8::1]:9123");
		if (!host_char_ok(host[i]))
			return ttt_err_set(err, "'%.*s' is not a valid host name", (int)len, host);
	}
	return 0;
}

/* "[v6]:port": returns a pointer to the port text or NULL with err set. */
static const char *split_bracketed(const char *text, struct ttt_endpoint *ep, struct ttt_err *err)
{
	const char *close = strchr(text, ']');
	size_t len;
	struct in6_addr a6;

	if (!close) {
		ttt_err_set(err, "missing ']' after IPv6 address");
		return NULL;
	}
	len = (size_t)(close - text - 1);
	if (len == 0 || len > TTT_HOST_MAX) {
		ttt_err_set(err, "'%.*s' is not an IPv6 address", (int)len, text + 1);
		return NULL;
	}
	memcpy(ep->host, text + 1, len);
	ep->host[len] = '\0';
	/* A zone (fe80::1%eth0) is left for getaddrinfo to check. */
	if (!strchr(ep->host, '%') && inet_pton(AF_INET6, ep->host, &a6) != 1) {
		ttt_err_set(err, "'%s' is not an IPv6 address", ep->host);
		return NULL;
	}
	if (close[1] != ':') {
		ttt_err_set(err, close[1] ? "unexpected '%s' after ']'"
					  : "missing port (use [IPv6]:port)", close + 1);
		return NULL;
	}
	ep->bracketed = true;
	return close + 2;
}

int ttt_endpoint_parse(const char *text, struct ttt_endpoint *ep, struct ttt_err *err)
{
	const char *port, *colon;
	size_t len;

	memset(ep, 0, sizeof(*ep));
	if (text[0] == '\0')
		return ttt_err_set(err, "empty address");
	if (text[0] == '[') {
		port = split_bracketed(text, ep, err);
		return port ? parse_port(port, &ep->port, err) : -1;
	}
	colon = strrchr(text, ':');
	if (!colon)
		return ttt_err_set(err, "missing port (use host:port, [IPv6]:port or :port)");
	len = (size_t)(colon - text);
	if (len > TTT_HOST_MAX)
		return ttt_err_set(err, "host name is too long");
	if (check_host(text, len, err) < 0)
		return -1;
	memcpy(ep->host, text, len);
	ep->host[len] = '\0';
	return parse_port(colon + 1, &ep->port, err);
}

bool ttt_endpoint_is_wildcard(const struct ttt_endpoint *ep)
{
	return ep->host[0] == '\0' || strcmp(ep->host, "0.0.0.0") == 0 ||
	       (ep->bracketed && strcmp(ep->host, "::") == 0);
}

static bool all_digits_and_dots(const char *s)
{
	for (; *s; s++)
		if (*s != '.' && (*s < '0' || *s > '9'))
			return false;
	return true;
}

/* Every address the host has, as getaddrinfo gives them. */
static int lookup(const struct ttt_endpoint *ep, struct addrinfo **res, struct ttt_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP };
	struct in_addr a4;
	int rc;

	if (ep->bracketed)
		hints.ai_flags |= AI_NUMERICHOST;
	if (!ep->bracketed && all_digits_and_dots(ep->host)) {
		if (inet_pton(AF_INET, ep->host, &a4) != 1)
			return ttt_err_set(err, "'%s' is not an IPv4 address", ep->host);
		hints.ai_flags |= AI_NUMERICHOST;
	}
#ifdef TTT_STATIC
	/* No NSS in a static binary: names come from /etc/hosts, then DNS. */
	if (!(hints.ai_flags & AI_NUMERICHOST))
		return ttt_resolve_name(ep->host, &hints, res, err);
#endif
	rc = getaddrinfo(ep->host, NULL, &hints, res);
	if (rc == EAI_SYSTEM)
		return ttt_err_sys(err, errno, "cannot resolve '%s'", ep->host);
	if (rc != 0)
		return ttt_err_set(err, "cannot resolve '%s': %s", ep->host, gai_strerror(rc));
	return 0;
}

static void set_port(struct ttt_sockaddr *a, uint16_t port)
{
	if (a->u.sa.sa_family == AF_INET)
		a->u.in.sin_port = htons(port);
	else
		a->u.in6.sin6_port = htons(port);
}

int ttt_endpoint_resolve_local(const struct ttt_endpoint *ep, struct ttt_sockaddr *out,
			       struct ttt_err *err)
{
	struct addrinfo *res;

	memset(out, 0, sizeof(*out));
	if (ep->host[0] == '\0') {
		out->u.in6.sin6_family = AF_INET6;
		out->u.in6.sin6_addr = in6addr_any;
		out->len = sizeof(out->u.in6);
	} else {
		if (lookup(ep, &res, err) < 0)
			return -1;
		ttt_sockaddr_set(out, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
	}
	set_port(out, ep->port);
	return 0;
}

/* The first result a socket of this family (dual-stack or not) can reach. */
static const struct addrinfo *pick(const struct addrinfo *res, int family, bool dual)
{
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == family)
			return ai;
	if (family == AF_INET6 && dual)
		for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
			if (ai->ai_family == AF_INET)
				return ai;
	return NULL;
}

int ttt_endpoint_resolve_peer(const struct ttt_endpoint *ep, const struct ttt_sockaddr *local,
			      bool dual_stack, struct ttt_sockaddr *out, struct ttt_err *err)
{
	int family = local->u.sa.sa_family;
	const struct addrinfo *ai;
	struct addrinfo *res;

	if (ep->host[0] == '\0')
		return ttt_err_set(err, "a peer address needs a host");
	if (lookup(ep, &res, err) < 0)
		return -1;
	ai = pick(res, family, dual_stack);
	if (!ai) {
		freeaddrinfo(res);
		return ttt_err_set(err, "'%s' has no %s address, which the local address needs",
				   ep->host, family == AF_INET ? "IPv4" : "IPv6");
	}
	memset(out, 0, sizeof(*out));
	ttt_sockaddr_set(out, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	if (family == AF_INET6)
		ttt_sockaddr_map_v6(out);
	set_port(out, ep->port);
	return 0;
}

void ttt_sockaddr_set(struct ttt_sockaddr *a, const struct sockaddr *sa, socklen_t len)
{
	memset(a, 0, sizeof(*a));
	if (len > sizeof(a->u))
		len = sizeof(a->u);
	memcpy(&a->u, sa, len);
	a->len = len;
}

void ttt_sockaddr_map_v6(struct ttt_sockaddr *a)
{
	struct sockaddr_in v4 = a->u.in;

	if (a->u.sa.sa_family != AF_INET)
		return;
	memset(&a->u, 0, sizeof(a->u));
	a->u.in6.sin6_family = AF_INET6;
	a->u.in6.sin6_port = v4.sin_port;
	a->u.in6.sin6_addr.s6_addr[10] = 0xff;
	a->u.in6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&a->u.in6.sin6_addr.s6_addr[12], &v4.sin_addr, 4);
	a->len = sizeof(a->u.in6);
}

const char *ttt_sockaddr_str(const struct ttt_sockaddr *a, char buf[TTT_ADDRSTRLEN])
{
	char host[INET6_ADDRSTRLEN];
	const struct in6_addr *a6 = &a->u.in6.sin6_addr;

	if (a->u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->u.in.sin_addr, host, sizeof(host));
		snprintf(buf, TTT_ADDRSTRLEN, "%s:%u", host, ntohs(a->u.in.sin_port));
	} else if (a->u.sa.sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6)) {
		inet_ntop(AF_INET, &a6->s6_addr[12], host, sizeof(host));
		snprintf(buf, TTT_ADDRSTRLEN, "%s:%u", host, ntohs(a->u.in6.sin6_port));
	} else if (a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, a6, host, sizeof(host));
		snprintf(buf, TTT_ADDRSTRLEN, "[%s]:%u", host, ntohs(a->u.in6.sin6_port));
	} else {
		snprintf(buf, TTT_ADDRSTRLEN, "(none)");
	}
	return buf;
}

bool ttt_sockaddr_equal(const struct ttt_sockaddr *a, const struct ttt_sockaddr *b)
{
	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return false;
	if (a->u.sa.sa_family == AF_INET)
		return a->u.in.sin_port == b->u.in.sin_port &&
		       a->u.in.sin_addr.s_addr == b->u.in.sin_addr.s_addr;
	if (a->u.sa.sa_family == AF_INET6)
		return a->u.in6.sin6_port == b->u.in6.sin6_port &&
		       a->u.in6.sin6_scope_id == b->u.in6.sin6_scope_id &&
		       memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16) == 0;
	return false;
}
