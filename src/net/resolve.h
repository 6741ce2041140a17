/* SPDX-License-Identifier: MIT */
/* resolve.h - host names without NSS, for the static build
 *
 * A statically linked glibc would load the NSS modules named in
 * /etc/nsswitch.conf with dlopen: modules of the node's glibc, which need
 * not match ours. The static build never does: it looks a name up in
 * /etc/hosts, then asks the name servers of /etc/resolv.conf (glibc's own
 * stub resolver, honouring search, ndots, timeout and attempts), as
 * "hosts: files dns" does. Nothing else of nsswitch.conf is read. */
#ifndef TTT_RESOLVE_H
#define TTT_RESOLVE_H

#include <netdb.h>
#include <stddef.h>

#include "ttt/util/err.h"

#define TTT_RESOLVE_MAX 16 /* addresses kept per name */

struct ttt_addrlist {
	int family[TTT_RESOLVE_MAX]; /* AF_INET or AF_INET6 */
	unsigned char addr[TTT_RESOLVE_MAX][16];
	size_t n;
};

/* The addresses of name, as getaddrinfo would return them under hints
 * (family, socktype, protocol): from hosts_path, else from DNS. *res is
 * freed with freeaddrinfo. -1 with err naming the name and what failed. */
int ttt_resolve_name_in(const char *hosts_path, const char *name, const struct addrinfo *hints,
			struct addrinfo **res, struct ttt_err *err);

/* ttt_resolve_name_in with /etc/hosts. */
int ttt_resolve_name(const char *name, const struct addrinfo *hints, struct addrinfo **res,
		     struct ttt_err *err);

/* Adds the addresses hosts_path gives name (of family, or any for
 * AF_UNSPEC) to out. A missing file adds nothing. 0, or -1 when the file
 * exists but cannot be read. */
int ttt_hosts_lookup(const char *hosts_path, const char *name, int family,
		     struct ttt_addrlist *out);

/* Adds the A (type 1) or AAAA (type 28) records of a DNS response to out,
 * ignoring others (CNAMEs). 0, or -1 when the message is malformed. */
int ttt_dns_answers(const unsigned char *msg, size_t len, int type, struct ttt_addrlist *out);

#endif
