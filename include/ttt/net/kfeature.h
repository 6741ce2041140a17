/* SPDX-License-Identifier: MIT */
/* kfeature.h - kernel features the data path uses when the kernel has them
 *
 * UDP_SEGMENT (UDP GSO, Linux 4.18) must be probed before use: an older
 * kernel ignores the unknown control message and sends a whole run of
 * datagrams as one oversized datagram, which the peer drops. UDP_GRO
 * (Linux 5.0) is harmless to lack: datagrams then arrive one by one. */
#ifndef TTT_KFEATURE_H
#define TTT_KFEATURE_H

#include <stdbool.h>

/* Whether the kernel takes UDP_SEGMENT on UDP socket fd. */
bool ttt_kernel_udp_gso(int fd);

/* Turns UDP_GRO on for UDP socket fd (as udp.c does); whether the kernel has it. */
bool ttt_kernel_udp_gro(int fd);

/* Probes both on fd and logs, at info level, each one the kernel lacks and
 * the plain path taken instead. Returns whether UDP GSO may be used. */
bool ttt_kernel_udp_offloads(int fd);

#endif
