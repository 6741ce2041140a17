/* SPDX-License-Identifier: MIT */
/* udp.h - the tunnel's UDP socket */
#ifndef TTT_UDP_H
#define TTT_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* Receives up to n messages without blocking; with UDP_GRO on, each may be
 * a bundle of same-size datagrams (see ttt_udp_gro_size). Every message
 * needs TTT_UDP_CTL_LEN bytes of control data. Returns how many arrived,
 * or -1 with errno (classified by ttt_io_classify). */
int ttt_udp_recv(int fd, struct mmsghdr *msgs, unsigned n);

/* The size of the datagrams in a received bundle, 0 for a single one. */
size_t ttt_udp_gro_size(const struct msghdr *m);

/* Sends up to n messages without blocking: how many went, or -1 with errno. */
int ttt_udp_send(int fd, struct mmsghdr *msgs, unsigned n);

/* Sends one datagram to `to` without blocking: 0, or -1 with errno. */
int ttt_udp_send_one(int fd, const void *buf, size_t len, const struct ttt_sockaddr *to);

/* Makes m a UDP GSO message: the kernel cuts its data into seg-byte
 * datagrams. ctl (TTT_UDP_CTL_LEN bytes, aligned for a cmsghdr) holds the
 * control data. */
void ttt_udp_set_segment(struct msghdr *m, void *ctl, uint16_t seg);

/* Control data room for one UDP_SEGMENT or UDP_GRO message. */
#define TTT_UDP_CTL_LEN CMSG_SPACE(sizeof(int))

/* Raises the kernel buffers of fd (best effort, beyond rmem_max as root). */
void ttt_udp_grow_buffers(int fd, int bytes);

#endif
