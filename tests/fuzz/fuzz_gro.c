/* SPDX-License-Identifier: MIT */
/* fuzz_gro.c - libFuzzer harness: frames on their way into a tap, coalesced
 * by ttt_gro_add and written by ttt_gro_flush to /dev/null (opened once),
 * with a virtio_net_hdr (vnet true) unless the input says otherwise.
 *
 * Only segments whose IP and TCP checksums verify are joined, which random
 * bytes never have; so a frame may ask the harness to fix its lengths and
 * checksums first, and a whole input may instead be a tap packet (virtio
 * header + TSO superframe) cut into segments by ttt_gso first, which are
 * exactly the frames a peer sends.
 *
 * Input: [0] mode: bit 0 no vnet header (plain tap), bit 1 the rest is a
 * virtio_net_hdr and a packet for ttt_gso (gso mode); otherwise records:
 *   [0] flags: bit 0 fix the frame (IPv4: total length and header checksum;
 *       IPv6: payload length; then the TCP checksum), bit 1 flush after it
 *   [1..2] length (little-endian), then that many bytes (zeros when the
 *       input ends early).
 * Every frame lives in its own buffer of exactly its length (ASan sees an
 * overrun) until the final flush. Checked (abort on a mismatch): the tap
 * (/dev/null) never refuses, every frame is accounted for. */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttt/util/bytes.h"
#include "datapath/checksum.h"
#include "datapath/gro.h"
#include "datapath/gso.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 200
#define ETH 14

static int null_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		abort();
	return 0;
}

/* Makes an IPv4 or IPv6 TCP frame's lengths and checksums right, as far as
 * its headers allow. */
static void fix(uint8_t *f, size_t len)
{
	uint8_t *ip = f + ETH;
	size_t l4, l4len;
	uint64_t sum;
	bool v4;

	if (len < ETH + 40)
		return;
	if (ttt_get_be16(f + 12) == 0x0800 && (ip[0] >> 4) == 4) {
		size_t ihl = (size_t)(ip[0] & 15) * 4;
		if (ihl < 20 || ETH + ihl + 20 > len || len - ETH > 65535)
			return;
		ttt_put_be16(ip + 2, (uint16_t)(len - ETH));
		ttt_put_be16(ip + 10, 0);
		ttt_csum_store(ip + 10, ttt_csum_finish(ttt_csum_add(0, ip, ihl)));
		if (ip[9] != 6)
			return;
		l4 = ETH + ihl;
		v4 = true;
	} else if (ttt_get_be16(f + 12) == 0x86dd && (ip[0] >> 4) == 6 && len >= ETH + 40 + 20) {
		if (len - ETH - 40 > 65535)
			return;
		ttt_put_be16(ip + 4, (uint16_t)(len - ETH - 40));
		if (ip[6] != 6)
			return;
		l4 = ETH + 40;
		v4 = false;
	} else {
		return;
	}
	l4len = len - l4;
	sum = v4 ? ttt_csum_add(0, ip + 12, 8) : ttt_csum_add(0, ip + 8, 32);
	sum = ttt_csum_add_be16(sum, 6);
	if (!v4)
		sum = ttt_csum_add_be16(sum, (uint16_t)(l4len >> 16));
	sum = ttt_csum_add_be16(sum, (uint16_t)l4len);
	ttt_put_be16(f + l4 + 16, 0);
	ttt_csum_store(f + l4 + 16, ttt_csum_finish(ttt_csum_add(sum, f + l4, l4len)));
}

struct frames {
	uint8_t *buf[MAX_FRAMES];
	size_t n, bytes;
};

static uint8_t *keep(struct frames *fr, const uint8_t *src, size_t len)
{
	uint8_t *f = malloc(len ? len : 1);

	if (!f)
		abort();
	memcpy(f, src, len);
	fr->buf[fr->n++] = f;
	fr->bytes += len;
	return f;
}

static void add(struct ttt_gro *g, uint8_t *f, size_t len)
{
	if (ttt_gro_add(g, f, len) != 0)
		abort(); /* /dev/null never goes away */
}

/* gso mode: the frames a peer would send for one tap packet. */
static void from_gso(struct ttt_gro *g, struct frames *fr, const uint8_t *data, size_t size)
{
	struct ttt_vnet_hdr h;
	struct ttt_gso gso;
	uint8_t *pkt, *out;
	size_t len, flen;

	if (size < TTT_VNET_HDR_LEN)
		return;
	ttt_vnet_hdr_read(data, &h);
	len = size - TTT_VNET_HDR_LEN;
	pkt = malloc(len ? len : 1);
	out = malloc(len ? len : 1);
	if (!pkt || !out)
		abort();
	memcpy(pkt, data + TTT_VNET_HDR_LEN, len);
	if (ttt_gso_begin(&gso, &h, pkt, len) != 0) /* 0: malformed, dropped */
		while (fr->n < MAX_FRAMES && (flen = ttt_gso_next(&gso, out)) != 0)
			add(g, keep(fr, out, flen), flen);
	free(out);
	free(pkt);
}

static void from_records(struct ttt_gro *g, struct frames *fr, const uint8_t *p, size_t left)
{
	while (left && fr->n < MAX_FRAMES) {
		uint8_t flags = *p++;
		size_t len = 0, i;
		uint8_t *f;

		left--;
		for (i = 0; i < 2; i++, left -= left ? 1 : 0)
			len |= (size_t)(left ? *p++ : 0) << (8 * i);
		f = malloc(len ? len : 1);
		if (!f)
			abort();
		i = len < left ? len : left;
		memcpy(f, p, i);
		memset(f + i, 0, len - i);
		p += i;
		left -= i;
		if (flags & 1)
			fix(f, len);
		fr->buf[fr->n++] = f;
		fr->bytes += len;
		add(g, f, len);
		if ((flags & 2) && ttt_gro_flush(g) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ttt_gro g;
	struct frames fr = { .n = 0 };
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	ttt_gro_init(&g, null_fd, !(mode & 1));
	if (mode & 2)
		from_gso(&g, &fr, data + 1, size - 1);
	else
		from_records(&g, &fr, data + 1, size - 1);
	if (ttt_gro_flush(&g) != 0 || g.n != 0)
		abort();
	/* Everything written, nothing refused, nothing counted twice. */
	if (g.stats.errors != 0 || g.stats.fatal_errno != 0 || g.stats.frames != fr.n ||
	    g.stats.bytes != fr.bytes)
		abort();
	for (size_t i = 0; i < fr.n; i++)
		free(fr.buf[i]);
	return 0;
}
