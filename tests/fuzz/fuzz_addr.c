/* SPDX-License-Identifier: MIT */
/* fuzz_addr.c - libFuzzer harness: UDP endpoint strings (ttt_endpoint_parse)
 * and, for accepted endpoints whose host needs no name lookup, resolving
 * (ttt_endpoint_resolve_local / _peer) and printing (ttt_sockaddr_str).
 *
 * The input is the address argument (a NUL-terminated copy; it ends at the
 * first NUL). Only hosts that are empty, bracketed ([IPv6 literal], where
 * the address is resolved with AI_NUMERICHOST) or all digits and dots
 * (numeric IPv4) are resolved: nothing here asks DNS or touches the network.
 * Checked (abort on a mismatch): a refusal says why; a resolved address
 * prints as text that parses again to the same port. */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ttt/net/addr.h"
#include "ttt/util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether resolving ep can do without a name lookup. */
static bool numeric(const struct ttt_endpoint *ep)
{
	const char *p;

	if (ep->host[0] == '\0' || ep->bracketed)
		return true;
	for (p = ep->host; *p; p++)
		if (*p != '.' && (*p < '0' || *p > '9'))
			return false;
	return true;
}

/* The printed form of a resolved address parses again, with its port. */
static void check_printed(const struct ttt_sockaddr *sa, uint16_t port)
{
	char buf[TTT_ADDRSTRLEN];
	struct ttt_endpoint again;
	struct ttt_err err;
	const char *s = ttt_sockaddr_str(sa, buf);

	if (s != buf || strnlen(buf, sizeof(buf)) == sizeof(buf))
		abort();
	if (ttt_endpoint_parse(buf, &again, &err) != 0 || again.port != port)
		abort();
	if (!ttt_sockaddr_equal(sa, sa))
		abort();
}

static void resolve(const struct ttt_endpoint *ep)
{
	struct ttt_sockaddr local, peer, v4_local;
	struct ttt_err err;

	if (ttt_endpoint_resolve_local(ep, &local, &err) == 0) {
		if (local.len == 0 || local.len > sizeof(local.u))
			abort();
		check_printed(&local, ep->port);
	}
	/* As a peer, for an IPv4 socket and for a dual-stack IPv6 one. */
	memset(&v4_local, 0, sizeof(v4_local));
	v4_local.u.in.sin_family = AF_INET;
	v4_local.len = sizeof(v4_local.u.in);
	if (ttt_endpoint_resolve_peer(ep, &v4_local, false, &peer, &err) == 0)
		check_printed(&peer, ep->port);
	memset(&local, 0, sizeof(local));
	local.u.in6.sin6_family = AF_INET6;
	local.len = sizeof(local.u.in6);
	if (ttt_endpoint_resolve_peer(ep, &local, true, &peer, &err) == 0) {
		check_printed(&peer, ep->port);
		ttt_sockaddr_map_v6(&peer); /* already IPv6: unchanged */
		check_printed(&peer, ep->port);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct ttt_endpoint ep;
	struct ttt_err err;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	err.msg[0] = '\0';
	if (ttt_endpoint_parse(text, &ep, &err) != 0) {
		if (err.msg[0] == '\0')
			abort();
	} else {
		if (ep.port == 0 || strnlen(ep.host, sizeof(ep.host)) == sizeof(ep.host))
			abort();
		(void)ttt_endpoint_is_wildcard(&ep);
		if (numeric(&ep))
			resolve(&ep);
	}
	free(text);
	return 0;
}
