/* SPDX-License-Identifier: MIT */
/* gso.h - frames from a tap opened with IFF_VNET_HDR and TSO offload
 *
 * Such a tap prefixes every packet with a virtio_net_hdr and may hand over
 * one TCP "superframe" of up to 64 KiB (gso_type TCPV4/TCPV6) standing for
 * many MSS-sized segments, or a frame whose L4 checksum is only partial
 * (NEEDS_CSUM). The wire carries neither: every datagram holds one
 * ordinary frame with complete checksums, as tinytaptunnel v1.4 expects.
 * This module turns the tap's packet into those frames. */
#ifndef TTT_GSO_H
#define TTT_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ttt/net/tap.h"

/* Iterates over the wire frames of one packet from the tap. */
struct ttt_gso {
	const uint8_t *pkt;
	size_t len;
	size_t count, next; /* frames in all, index of the next */
	/* For a superframe: */
	size_t l3, l4, payload, seg;
	bool ipv4;
	uint16_t ip_id;
	uint32_t seq;
	uint8_t tcp_flags;
	/* For a single frame whose checksum needs completing: */
	bool finish_csum;
	uint16_t csum_start, csum_offset;
};

/* Checks the packet (len bytes at pkt, after the vnet header) against its
 * header. Returns the number of frames it stands for, or 0 when it is
 * malformed or of a kind we did not ask the tap for (drop it). */
size_t ttt_gso_begin(struct ttt_gso *g, const struct ttt_vnet_hdr *h, const uint8_t *pkt,
		     size_t len);

/* Segments smaller than this are not worth making: below it, ttt_gso_fit
 * leaves the superframe as it is (its frames are then fragmented). */
#define TTT_GSO_MIN_SEG 256

/* Before the first ttt_gso_next: cuts a TCP superframe into segments whose
 * frames are at most max_frame bytes long (smaller than the sender's MSS:
 * the path to the peer takes no more). Returns the new number of frames,
 * 0 when nothing changed (not a superframe, already fitting, or a segment
 * would be smaller than TTT_GSO_MIN_SEG). */
size_t ttt_gso_fit(struct ttt_gso *g, size_t max_frame);

/* Writes the next frame to out (room for the packet's header plus one
 * segment, i.e. at most len bytes) and returns its length; 0 when done. */
size_t ttt_gso_next(struct ttt_gso *g, uint8_t *out);

#endif
