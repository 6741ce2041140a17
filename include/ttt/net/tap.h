/* SPDX-License-Identifier: MIT */
/* tap.h - the tap device: a file descriptor carrying Ethernet frames
 *
 * Opened from /dev/net/tun with IFF_TAP | IFF_NO_PI, non-blocking and
 * close-on-exec. A tap that is not persistent disappears when its last
 * descriptor closes. */
#ifndef TTT_TAP_H
#define TTT_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "ttt/proto.h"
#include "ttt/util/err.h"

/* Open the tap with a virtio_net_hdr before every packet, and offer the
 * kernel checksum and TCP segmentation offload (see gso.h): it may then
 * hand over 64 KiB TCP superframes in one read. */
#define TTT_TAP_OFFLOAD 1u

/* The virtio_net_hdr in front of every packet of a tap opened with
 * TTT_TAP_OFFLOAD: TTT_VNET_HDR_LEN bytes, host byte order (tun's default). */
struct ttt_vnet_hdr {
	uint8_t flags;    /* VIRTIO_NET_HDR_F_NEEDS_CSUM, ... */
	uint8_t gso_type; /* VIRTIO_NET_HDR_GSO_NONE, _TCPV4, _TCPV6 */
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void ttt_vnet_hdr_read(const uint8_t p[TTT_VNET_HDR_LEN], struct ttt_vnet_hdr *h);
void ttt_vnet_hdr_write(uint8_t p[TTT_VNET_HDR_LEN], const struct ttt_vnet_hdr *h);

/* Creates (or attaches to a persistent) tap. name may be NULL or "" to let
 * the kernel choose tapN; the name it got is written to ifname. */
int ttt_tap_open(const char *name, unsigned flags, char ifname[IF_NAMESIZE],
		 struct ttt_err *err);

/* Takes over an inherited tap descriptor: checks it is a tap without packet
 * information, makes it non-blocking and close-on-exec, reports its name
 * and whether it was opened with IFF_VNET_HDR (whose offloads it enables). */
int ttt_tap_adopt(int fd, char ifname[IF_NAMESIZE], bool *offload, struct ttt_err *err);

/* Reads one packet (after its virtio header, when the tap has one) without
 * blocking: its length, or -1 with errno (classified by ttt_io_classify). */
ssize_t ttt_tap_read(int fd, uint8_t *buf, size_t cap);

/* Writes one packet gathered from iov (cnt pieces): 0, or -1 with errno. */
int ttt_tap_write(int fd, const struct iovec *iov, int cnt);

/* Whether name is usable as a Linux interface name (1-15 characters, no '/',
 * ':' or whitespace, not "." or ".."). */
int ttt_ifname_valid(const char *name);

#endif
