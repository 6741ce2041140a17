/* udp.h - the tunnel's UDP socket */
#ifndef TTT_UDP_H
#define TTT_UDP_H

#include <stdbool.h>

#include "ttt/net/addr.h"
#include "ttt/util/err.h"

#define TTT_UDP_BUFFER_BYTES (4 * 1024 * 1024)

/* Binds a datagram socket to local (close-on-exec). The IPv6 wildcard is
 * opened dual-stack, as Go's ListenUDP does, and falls back to the IPv4
 * wildcard on hosts without IPv6. *bound receives the bound address and
 * *dual_stack whether IPv4 peers are reached through IPv4-mapped addresses. */
int ttt_udp_open(const struct ttt_sockaddr *local, struct ttt_sockaddr *bound,
		 bool *dual_stack, struct ttt_err *err);

/* Takes over an inherited socket: checks that it is a bound UDP socket and
 * reports its address and whether it is a dual-stack IPv6 socket. */
int ttt_udp_adopt(int fd, struct ttt_sockaddr *bound, bool *dual_stack, struct ttt_err *err);

/* Raises the kernel buffers of fd (best effort, beyond rmem_max as root). */
void ttt_udp_grow_buffers(int fd, int bytes);

#endif
