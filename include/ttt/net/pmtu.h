/* SPDX-License-Identifier: MIT */
/* pmtu.h - how large a datagram the underlay takes, and the tap MTU that
 * follows from it
 *
 * A full-size frame travels as 40 + MTU + 14 bytes of UDP payload, so a tap
 * MTU fits the path when MTU = path MTU - IP/UDP overhead (28 over IPv4,
 * 48 over IPv6) - 14 - 40: 1418 on a 1500-byte IPv4 path, 1398 over IPv6.
 * Nothing here sends a packet: the route's MTU comes from a connected UDP
 * socket (IP_MTU / IPV6_MTU, which include what ICMP taught the kernel),
 * an interface's from the interface. */
#ifndef TTT_PMTU_H
#define TTT_PMTU_H

#include <stdbool.h>

#include "ttt/net/addr.h"
#include "ttt/util/err.h"

/* IP and UDP header bytes on the way to `to` (IPv4-mapped IPv6: IPv4's). */
unsigned ttt_pmtu_overhead(const struct ttt_sockaddr *to);

/* The MTU of the route to peer as the kernel knows it now. */
int ttt_pmtu_route(const struct ttt_sockaddr *peer, unsigned *mtu, struct ttt_err *err);

/* The MTU of the interface that holds the bound address local. For a
 * wildcard (dual_stack: IPv4 too), the route a peer anywhere would take:
 * the smallest MTU of the default routes of the socket's families; without
 * one, the smallest MTU of the interfaces that are up (loopback and taps
 * aside), since any of them may carry the peer's datagrams. */
int ttt_pmtu_local(const struct ttt_sockaddr *local, bool dual_stack, unsigned *mtu,
		   struct ttt_err *err);

/* The tap MTU for a path of path_mtu bytes with `overhead` bytes of IP and
 * UDP headers, kept within [TTT_MTU_MIN, TTT_MTU_DEFAULT]: never above
 * 1418, because a v1.4 peer cannot take longer datagrams. */
unsigned ttt_pmtu_tap_mtu(unsigned path_mtu, unsigned overhead);

struct ttt_pmtu_choice {
	unsigned tap_mtu;  /* what the tap gets (TTT_MTU_DEFAULT when !found) */
	unsigned path_mtu; /* what it came from (0 when !found) */
	bool found;
	char how[160];     /* for the log: where the figure came from, or why none */
};

/* The tap MTU of a tunnel bound to local (dual_stack: an IPv6 wildcard that
 * takes IPv4 too) towards peer (NULL in discovery mode): from the route to
 * the peer, else from the local interface(s), else TTT_MTU_DEFAULT. Without
 * a peer, a socket that may carry IPv6 counts IPv6's overhead. */
void ttt_pmtu_choose(const struct ttt_sockaddr *local, bool dual_stack,
		     const struct ttt_sockaddr *peer, struct ttt_pmtu_choice *out);

#endif
