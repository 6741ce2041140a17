/* SPDX-License-Identifier: MIT */
/* fuzz_gso.c - libFuzzer harness: one packet read from a tap opened with
 * IFF_VNET_HDR, i.e. a virtio_net_hdr (ttt_vnet_hdr_read) and the packet
 * after it, cut into wire frames (ttt_gso_begin, ttt_gso_next).
 *
 * Input: the 10-byte virtio_net_hdr, then the packet. The packet is copied
 * to a buffer of exactly its length, and the frames are written to one of
 * exactly the room gso.h asks for (the packet's headers plus one segment,
 * at most the packet's length), so ASan sees any overrun. As in send.c, a
 * packet ttt_gso_begin refuses (returns 0) is dropped; of the others at
 * most 200 frames are taken. Checked (abort on a mismatch): no frame is
 * empty or larger than that room; no more frames come than ttt_gso_begin
 * announced, and all of them when there are at most 200; the segments of a
 * superframe carry its headers and, in order, exactly its payload; the IPv4
 * header of every segment has a valid checksum. When the header's hdr_len
 * (which ttt_gso_begin does not use) is odd, the superframe is first cut to
 * fit frames of payload + hdr_len / 2 bytes (ttt_gso_fit, as send.c does
 * for a path that takes less), and the same holds. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/checksum.h"
#include "datapath/gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ttt_vnet_hdr h;
	struct ttt_gso g;
	uint8_t *pkt, *out;
	size_t len, room, count, n = 0, covered = 0;

	if (size < TTT_VNET_HDR_LEN)
		return 0;
	ttt_vnet_hdr_read(data, &h);
	len = size - TTT_VNET_HDR_LEN;
	pkt = malloc(len ? len : 1);
	if (!pkt)
		abort();
	memcpy(pkt, data + TTT_VNET_HDR_LEN, len);

	count = ttt_gso_begin(&g, &h, pkt, len);
	if (count == 0) { /* malformed: dropped */
		free(pkt);
		return 0;
	}
	if (h.hdr_len & 1) {
		size_t fitted = ttt_gso_fit(&g, g.payload + (size_t)(h.hdr_len >> 1));
		if (fitted) {
			if (g.payload + g.seg > g.payload + (size_t)(h.hdr_len >> 1))
				abort();
			count = fitted;
		}
	}
	room = g.seg && g.payload + g.seg < len ? g.payload + g.seg : len;
	out = malloc(room ? room : 1);
	if (!out)
		abort();
	for (;;) {
		size_t flen = ttt_gso_next(&g, out);

		if (flen == 0)
			break;
		if (n >= count || flen > room)
			abort();
		if (g.seg) { /* a segment of a superframe */
			if (flen < g.payload || memcmp(out + g.l4, pkt + g.l4, 4) != 0 ||
			    memcmp(out + g.payload, pkt + g.payload + covered, flen - g.payload) != 0)
				abort();
			covered += flen - g.payload;
			if (g.ipv4 &&
			    ttt_csum_finish(ttt_csum_add(0, out + g.l3, g.l4 - g.l3)) != 0)
				abort();
		}
		if (++n == MAX_FRAMES)
			break;
	}
	if (n < MAX_FRAMES) {
		if (n != count)
			abort();
		if (g.seg && covered != len - g.payload)
			abort();
	}
	free(out);
	free(pkt);
	return 0;
}
