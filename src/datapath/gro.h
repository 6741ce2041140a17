/* SPDX-License-Identifier: MIT */
/* gro.h - frames on their way into a tap, coalesced where possible
 *
 * Consecutive segments of one TCP flow are joined into a single packet and
 * written to the tap in one writev() with a virtio_net_hdr that says
 * NEEDS_CSUM and TCPV4/TCPV6 with the segments' size, so the kernel's TCP
 * stack takes them as one packet (as its own GRO would have made it).
 * A segment joins only when its IP and TCP checksums verify, it follows the
 * previous one in sequence, carries the same flow, flags, ACK and options,
 * and is no larger than the first; anything else is written as it is,
 * after whatever was pending, so order is kept. Frames stay where they are
 * (in the receive buffers) until ttt_gro_flush. */
#ifndef TTT_GRO_H
#define TTT_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ttt/proto.h"

#define TTT_GRO_MAX_SEGS 64

struct ttt_gro_stats {
	uint64_t frames, bytes; /* frames written (frame bytes) */
	uint64_t errors;        /* frames the tap refused */
	int fatal_errno;        /* set when the tap is gone */
};

struct ttt_gro {
	int fd;
	bool vnet; /* the tap takes virtio_net_hdr; without it nothing is joined */
	/* The packet being built: */
	unsigned n;        /* segments in it (0: none) */
	uint8_t *first;    /* the first frame, whose headers become the packet's */
	size_t l4, hlen, seg, payload;
	bool ipv4, closed; /* closed: a shorter or PSH segment ended it */
	bool psh;          /* a segment had PSH: the joined packet carries it */
	uint32_t next_seq;
	uint16_t next_id;
	uint8_t vnet_hdr[TTT_VNET_HDR_LEN];  /* of the joined packet */
	uint8_t plain_hdr[TTT_VNET_HDR_LEN]; /* of a frame written as it is */
	struct iovec iov[TTT_GRO_MAX_SEGS + 1];
	struct ttt_gro_stats stats;
};

void ttt_gro_init(struct ttt_gro *g, int fd, bool vnet);

/* Adds one frame of len bytes (which must stay untouched until the next
 * flush). Returns -1 once the tap is gone (stats.fatal_errno). */
int ttt_gro_add(struct ttt_gro *g, uint8_t *frame, size_t len);

/* Writes what is pending. Returns -1 once the tap is gone. */
int ttt_gro_flush(struct ttt_gro *g);

#endif
