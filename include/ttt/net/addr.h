/* SPDX-License-Identifier: MIT */
/* addr.h - UDP endpoint strings: parsing, resolving, printing, comparing
 *
 * Accepted forms: ":9123" (every address, IPv6 and IPv4), "0.0.0.0:9123",
 * "198.18.0.1:9123", "[2001:db8::1]:9123", "[::]:9123", "host:port" (the
 * name is resolved once). Ports are decimal, 1..65535. */
#ifndef TTT_ADDR_H
#define TTT_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ttt/util/err.h"

#define TTT_HOST_MAX 253
#define TTT_ADDRSTRLEN (INET6_ADDRSTRLEN + 32)

struct ttt_endpoint {
	char host[TTT_HOST_MAX + 1]; /* empty: every local address */
	uint16_t port;
	bool bracketed; /* written as [IPv6 literal] */
};

struct ttt_sockaddr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	} u;
	socklen_t len;
};

/* Syntax only; no name lookup. err says what is wrong with text. */
int ttt_endpoint_parse(const char *text, struct ttt_endpoint *ep, struct ttt_err *err);

/* True when the endpoint means every local address ("" or 0.0.0.0 or [::]). */
bool ttt_endpoint_is_wildcard(const struct ttt_endpoint *ep);

/* The address to bind. ":port" gives [::]:port, which the socket layer opens
 * dual-stack (falling back to 0.0.0.0 without IPv6). */
int ttt_endpoint_resolve_local(const struct ttt_endpoint *ep, struct ttt_sockaddr *out,
			       struct ttt_err *err);

/* The peer's address, in a form a socket bound to `local` can send to: an
 * IPv4 peer becomes ::ffff:a.b.c.d for a dual-stack IPv6 socket. */
int ttt_endpoint_resolve_peer(const struct ttt_endpoint *ep, const struct ttt_sockaddr *local,
			      bool dual_stack, struct ttt_sockaddr *out, struct ttt_err *err);

/* "198.18.0.1:9123", "[2001:db8::1]:9123"; IPv4-mapped IPv6 prints as IPv4. */
const char *ttt_sockaddr_str(const struct ttt_sockaddr *a, char buf[TTT_ADDRSTRLEN]);

bool ttt_sockaddr_equal(const struct ttt_sockaddr *a, const struct ttt_sockaddr *b);

/* Turns an IPv4 address into its IPv4-mapped IPv6 form. */
void ttt_sockaddr_map_v6(struct ttt_sockaddr *a);

/* Fills a from a raw sockaddr of the given length (from recvfrom, getsockname). */
void ttt_sockaddr_set(struct ttt_sockaddr *a, const struct sockaddr *sa, socklen_t len);

#endif
