/* SPDX-License-Identifier: MIT */
/* test_offload.c - checksums, TSO segmentation (gso.c) and coalescing for
 * the tap (gro.c), checked against an independent reference checksum and
 * against each other: segments of a superframe, coalesced again, must give
 * back the superframe. */
#include "helpers.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <linux/virtio_net.h>
#include <unistd.h>

#include "ttt/util/bytes.h"
#include "datapath/checksum.h"
#include "datapath/gro.h"
#include "datapath/gso.h"

/* RFC 1071 the slow way: big-endian 16-bit words, 32-bit folds. */
static uint16_t ref_sum(const uint8_t *p, size_t len, uint32_t start)
{
	uint32_t s = start;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void checksum_matches_reference(void **state)
{
	uint8_t buf[2000];
	uint32_t seed = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (size_t len = 0; len < 300; len++) {
		uint16_t ours = ttt_csum_finish(ttt_csum_add(0, buf + 3, len));
		uint8_t be[2];
		ttt_csum_store(be, ours);
		assert_int_equal((uint16_t)(be[0] << 8 | be[1]), (uint16_t)~ref_sum(buf + 3, len, 0));
	}
}

/* An Ethernet + IPv4/IPv6 + TCP (with 12 bytes of options) packet carrying
 * payload bytes, as a TSO superframe from the kernel would (checksum field
 * holding only the pseudo-header sum). Returns its length. */
static size_t make_tcp(uint8_t *f, bool v6, size_t payload, uint8_t flags)
{
	size_t l3 = 14, l4 = l3 + (v6 ? 40 : 20), thlen = 32, len = l4 + thlen + payload;

	memset(f, 0, l4 + thlen);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	ttt_put_be16(f + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		f[l3] = 0x60;
		ttt_put_be16(f + l3 + 4, (uint16_t)(thlen + payload));
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
		memcpy(f + l3 + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(f + l3 + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	} else {
		f[l3] = 0x45;
		ttt_put_be16(f + l3 + 2, (uint16_t)(len - l3));
		ttt_put_be16(f + l3 + 4, 0x1234);
		f[l3 + 6] = 0x40; /* DF */
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
		memcpy(f + l3 + 12, "\xc6\x13\0\x01\xc6\x13\0\x02", 8);
	}
	ttt_put_be16(f + l4, 40000);
	ttt_put_be16(f + l4 + 2, 5201);
	memcpy(f + l4 + 4, "\x10\0\0\0\x20\0\0\0", 8); /* seq, ack */
	f[l4 + 12] = (uint8_t)(thlen / 4) << 4;
	f[l4 + 13] = flags;
	ttt_put_be16(f + l4 + 14, 501);
	memcpy(f + l4 + 20, "\x01\x01\x08\x0a\0\0\0\x07\0\0\0\x09", 12); /* timestamps */
	for (size_t i = 0; i < payload; i++)
		f[l4 + thlen + i] = (uint8_t)(i * 13 + 5);
	return len;
}

/* Whether the IPv4 header and TCP checksums of a frame verify. */
static bool checksums_ok(const uint8_t *f, size_t len)
{
	bool v6 = ttt_get_be16(f + 12) == 0x86dd;
	size_t l4 = 14 + (v6 ? 40 : 20), l4len = len - l4;
	uint32_t ps = 0;

	if (!v6 && ref_sum(f + 14, 20, 0) != 0xffff)
		return false;
	if (v6) {
		ps = ref_sum(f + 14 + 8, 32, 0) + (uint32_t)l4len + 6;
	} else {
		ps = ref_sum(f + 14 + 12, 8, 0) + (uint32_t)l4len + 6;
	}
	return ref_sum(f + l4, l4len, ps) == 0xffff;
}

static void tso_segments(bool v6)
{
	static uint8_t pkt[70000], out[2000];
	size_t payload = 3 * 1000 + 500, len = make_tcp(pkt, v6, payload, 0x18 /* ACK|PSH */);
	size_t l4 = 14 + (v6 ? 40 : 20);
	struct ttt_vnet_hdr h = { VIRTIO_NET_HDR_F_NEEDS_CSUM,
				  v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
				  (uint16_t)(l4 + 32), 1000, (uint16_t)l4, 16 };
	struct ttt_gso g;
	size_t n, flen, i = 0;

	n = ttt_gso_begin(&g, &h, pkt, len);
	assert_int_equal(n, 4);
	while ((flen = ttt_gso_next(&g, out)) != 0) {
		size_t plen = i < 3 ? 1000 : 500;
		assert_int_equal(flen, l4 + 32 + plen);
		assert_true(checksums_ok(out, flen));
		assert_int_equal(ttt_get_be32(out + l4 + 4), 0x10000000u + (uint32_t)(i * 1000));
		assert_int_equal(out[l4 + 13], i < 3 ? 0x10 : 0x18); /* PSH on the last only */
		if (!v6)
			assert_int_equal(ttt_get_be16(out + 14 + 4), 0x1234 + i);
		assert_memory_equal(out + l4 + 32, pkt + l4 + 32 + i * 1000, plen);
		i++;
	}
	assert_int_equal(i, 4);
}

static void tso_ipv4(void **state)
{
	(void)state;
	tso_segments(false);
}

static void tso_ipv6(void **state)
{
	(void)state;
	tso_segments(true);
}

static void partial_checksum_completed(void **state)
{
	static uint8_t pkt[2000], out[2000];
	size_t len = make_tcp(pkt, false, 333, 0x18), l4 = 34;
	struct ttt_vnet_hdr h = { VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)l4, 16 };
	struct ttt_gso g;
	uint32_t ps = ref_sum(pkt + 14 + 12, 8, 0) + (uint32_t)(len - l4) + 6;

	(void)state;
	while (ps >> 16)
		ps = (ps & 0xffff) + (ps >> 16);
	ttt_put_be16(pkt + 14 + 10, (uint16_t)~ref_sum(pkt + 14, 20, 0)); /* IP header complete */
	ttt_put_be16(pkt + l4 + 16, (uint16_t)ps);                       /* as the kernel leaves it */
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 1);
	assert_int_equal(ttt_gso_next(&g, out), len);
	assert_true(checksums_ok(out, len));
	assert_int_equal(ttt_gso_next(&g, out), 0);
}

/* A UDP-over-IPv6 packet from the tap (NEEDS_CSUM: the field holds the
 * pseudo-header sum) whose two payload bytes at 48 are `adjust`. */
static size_t make_udp6(uint8_t *f, const uint8_t adjust[2])
{
	size_t l3 = 14, l4 = l3 + 40, l4len = 8 + 32, len = l4 + l4len;
	uint32_t ps;

	memset(f, 0, len);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd", 14);
	f[l3] = 0x60;
	ttt_put_be16(f + l3 + 4, (uint16_t)l4len);
	f[l3 + 6] = 17;
	f[l3 + 7] = 64;
	memcpy(f + l3 + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	memcpy(f + l3 + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	ttt_put_be16(f + l4, 5353);
	ttt_put_be16(f + l4 + 2, 9999);
	ttt_put_be16(f + l4 + 4, (uint16_t)l4len);
	for (size_t i = 8; i < l4len; i++)
		f[l4 + i] = (uint8_t)(i * 7 + 1);
	memcpy(f + l4 + 8, adjust, 2);
	ps = ref_sum(f + l3 + 8, 32, 0) + (uint32_t)l4len + 17;
	while (ps >> 16)
		ps = (ps & 0xffff) + (ps >> 16);
	ttt_put_be16(f + l4 + 6, (uint16_t)ps); /* as the kernel leaves it */
	return len;
}

/* The completed UDP checksum of make_udp6's packet. */
static size_t complete_udp6(const uint8_t adjust[2], uint8_t *out)
{
	static uint8_t pkt[200];
	size_t len = make_udp6(pkt, adjust);
	struct ttt_vnet_hdr h = { VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 54, 6 };
	struct ttt_gso g;

	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 1);
	assert_int_equal(ttt_gso_next(&g, out), len);
	return len;
}

/* A UDP checksum that computes to 0 goes out as 0xffff (RFC 768): 0 means
 * "no checksum", which an IPv6 receiver drops. The payload is chosen so
 * that the sum comes to exactly 0xffff. */
static void udp_zero_checksum_sent_as_ffff(void **state)
{
	static uint8_t out[200];
	uint8_t adjust[2] = { 0, 0 };
	size_t len;
	uint32_t ps;

	(void)state;
	complete_udp6(adjust, out);
	memcpy(adjust, out + 54 + 6, 2); /* adding the checksum itself makes the sum 0xffff */
	len = complete_udp6(adjust, out);
	assert_int_equal(out[54 + 6], 0xff);
	assert_int_equal(out[54 + 7], 0xff);
	ps = ref_sum(out + 14 + 8, 32, 0) + (uint32_t)(len - 54) + 17; /* and it verifies */
	assert_int_equal(ref_sum(out + 54, len - 54, ps), 0xffff);
	adjust[0] ^= 1; /* any other payload keeps its computed checksum */
	len = complete_udp6(adjust, out);
	assert_false(out[54 + 6] == 0xff && out[54 + 7] == 0xff);
	ps = ref_sum(out + 14 + 8, 32, 0) + (uint32_t)(len - 54) + 17;
	assert_int_equal(ref_sum(out + 54, len - 54, ps), 0xffff);
}

/* A superframe cut into segments smaller than its own gso_size, for a path
 * that takes no more: every frame fits, checksums verify, sequence numbers
 * follow on, PSH only on the last. */
static void tso_fit_to_path(void **state)
{
	static uint8_t pkt[70000], out[2000];
	size_t payload = 3500, len = make_tcp(pkt, false, payload, 0x18), l4 = 34, hdr = l4 + 32;
	struct ttt_vnet_hdr h = { VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
				  (uint16_t)hdr, 1000, (uint16_t)l4, 16 };
	struct ttt_gso g;
	size_t flen, i = 0, seen = 0;

	(void)state;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 4);
	assert_int_equal(ttt_gso_fit(&g, hdr + 1000), 0);          /* fits already */
	assert_int_equal(ttt_gso_fit(&g, hdr + TTT_GSO_MIN_SEG - 1), 0); /* too small to bother */
	assert_int_equal(ttt_gso_fit(&g, hdr + 700), 5);
	while ((flen = ttt_gso_next(&g, out)) != 0) {
		size_t plen = i < 4 ? 700 : 700;
		assert_int_equal(flen, hdr + plen);
		assert_true(checksums_ok(out, flen));
		assert_int_equal(ttt_get_be32(out + l4 + 4), 0x10000000u + (uint32_t)seen);
		assert_int_equal(out[l4 + 13], i < 4 ? 0x10 : 0x18);
		assert_memory_equal(out + hdr, pkt + hdr + seen, plen);
		seen += plen;
		i++;
	}
	assert_int_equal(seen, payload);
	assert_int_equal(ttt_gso_fit(&g, hdr + 500), 0); /* not once frames were taken */
	h.gso_type = 0;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 1);
	assert_int_equal(ttt_gso_fit(&g, hdr + 500), 0); /* a single frame is left alone */
}

static void malformed_refused(void **state)
{
	static uint8_t pkt[2000];
	size_t len = make_tcp(pkt, false, 100, 0x10);
	struct ttt_vnet_hdr h = { 1, VIRTIO_NET_HDR_GSO_TCPV4, 66, 50, 34, 16 };
	struct ttt_gso g;

	(void)state;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, 13), 0);     /* no Ethernet header */
	h.csum_start = 2000;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 0);    /* L4 beyond the packet */
	h.csum_start = 34;
	h.gso_size = 0;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 0);    /* no segment size */
	h.gso_size = 50;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 0);    /* IPv4 said to be IPv6 */
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 0);    /* never asked for */
	h = (struct ttt_vnet_hdr){ 1, 0, 0, 0, 34, 2000 };
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 0);    /* checksum field outside */
	assert_int_equal(g.count, 0);                            /* ... and nothing to give */
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	h.csum_offset = 16;
	h.gso_size = 50;
	assert_int_equal(ttt_gso_begin(&g, &h, pkt, len), 0);    /* ECN: not offered */
	assert_int_equal(ttt_gso_begin(&g, &(struct ttt_vnet_hdr){ 0 }, pkt, len), 1);
}

/* --- coalescing ------------------------------------------------------------ */

struct sink {
	int rd, wr; /* a SOCK_SEQPACKET pair keeps each writev() a message */
};

static void sink_open(struct sink *s)
{
	int sv[2], big = 1 << 20;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	s->rd = sv[0];
	s->wr = sv[1];
}

static void sink_close(struct sink *s)
{
	close(s->rd);
	close(s->wr);
}

/* The next message written, or 0 when there is none. */
static size_t sink_next(struct sink *s, uint8_t *buf, size_t cap)
{
	ssize_t n = recv(s->rd, buf, cap, MSG_DONTWAIT);

	return n < 0 ? 0 : (size_t)n;
}

/* Segments a superframe into `segs`, each in its own buffer (as datagrams
 * sit in the receive buffers). Returns the number of segments. */
static size_t split(uint8_t *pkt, size_t len, bool v6, uint16_t mss, uint8_t segs[][1600],
		    size_t lens[])
{
	size_t l4 = 14 + (v6 ? 40 : 20), n = 0, flen;
	struct ttt_vnet_hdr h = { VIRTIO_NET_HDR_F_NEEDS_CSUM,
				  v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
				  (uint16_t)(l4 + 32), mss, (uint16_t)l4, 16 };
	struct ttt_gso g;

	assert_true(ttt_gso_begin(&g, &h, pkt, len) > 0);
	while ((flen = ttt_gso_next(&g, segs[n])) != 0)
		lens[n++] = flen;
	return n;
}

static void coalesce_round_trip(bool v6)
{
	static uint8_t pkt[70000], segs[64][1600], got[70000];
	size_t lens[64], payload = 20 * 1000 + 321, len = make_tcp(pkt, v6, payload, 0x18);
	size_t l4 = 14 + (v6 ? 40 : 20), n = split(pkt, len, v6, 1000, segs, lens), m;
	struct ttt_vnet_hdr h;
	struct ttt_gro gro;
	struct sink s;

	sink_open(&s);
	ttt_gro_init(&gro, s.wr, true);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ttt_gro_add(&gro, segs[i], lens[i]), 0);
	assert_int_equal(ttt_gro_flush(&gro), 0);
	assert_int_equal(gro.stats.frames, n);
	m = sink_next(&s, got, sizeof(got));
	assert_int_equal(m, 10 + len); /* one write for all 21 segments */
	ttt_vnet_hdr_read(got, &h);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h.gso_size, 1000);
	assert_int_equal(h.hdr_len, l4 + 32);
	assert_int_equal(h.csum_start, l4);
	assert_int_equal(h.csum_offset, 16);
	if (!v6)
		assert_int_equal(ref_sum(got + 10 + 14, 20, 0), 0xffff);
	/* Everything but the checksum fields is the superframe again. */
	assert_memory_equal(got + 10, pkt, v6 ? l4 : 24);
	assert_memory_equal(got + 10 + 26, pkt + 26, l4 + 16 - 26);
	assert_memory_equal(got + 10 + l4 + 18, pkt + l4 + 18, len - l4 - 18);
	assert_int_equal(sink_next(&s, got, sizeof(got)), 0);
	sink_close(&s);
}

static void coalesce_ipv4(void **state)
{
	(void)state;
	coalesce_round_trip(false);
}

static void coalesce_ipv6(void **state)
{
	(void)state;
	coalesce_round_trip(true);
}

/* Frames that must not be joined go out alone, in order. */
static void others_alone_in_order(void **state)
{
	static uint8_t pkt[10000], segs[8][1600], got[70000];
	static uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06 };
	size_t lens[8], len = make_tcp(pkt, false, 4000, 0x10);
	size_t n = split(pkt, len, false, 1000, segs, lens);
	struct ttt_gro gro;
	struct sink s;
	size_t sizes[8], k = 0, m;

	(void)state;
	assert_int_equal(n, 4);
	segs[2][60] ^= 1; /* a payload bit flipped: its checksum no longer verifies */
	sink_open(&s);
	ttt_gro_init(&gro, s.wr, true);
	ttt_gro_add(&gro, segs[0], lens[0]);
	ttt_gro_add(&gro, segs[1], lens[1]);
	ttt_gro_add(&gro, arp, sizeof(arp)); /* ends the run of 2 */
	ttt_gro_add(&gro, segs[2], lens[2]); /* bad checksum: alone */
	ttt_gro_add(&gro, segs[3], lens[3]); /* starts a new run (of 1) */
	ttt_gro_flush(&gro);
	while ((m = sink_next(&s, got, sizeof(got))) != 0 && k < 8)
		sizes[k++] = m;
	assert_int_equal(k, 4);
	assert_int_equal(sizes[0], 10 + lens[0] + 1000);
	assert_int_equal(sizes[1], 10 + sizeof(arp));
	assert_int_equal(sizes[2], 10 + lens[2]);
	assert_int_equal(sizes[3], 10 + lens[3]);
	assert_int_equal(gro.stats.frames, 5);
	sink_close(&s);
}

static void no_vnet_no_joining(void **state)
{
	static uint8_t pkt[10000], segs[8][1600], got[4000];
	size_t lens[8], len = make_tcp(pkt, false, 3000, 0x10);
	size_t n = split(pkt, len, false, 1000, segs, lens), k = 0;
	struct ttt_gro gro;
	struct sink s;

	(void)state;
	sink_open(&s);
	ttt_gro_init(&gro, s.wr, false);
	for (size_t i = 0; i < n; i++)
		ttt_gro_add(&gro, segs[i], lens[i]);
	ttt_gro_flush(&gro);
	while (sink_next(&s, got, sizeof(got)) == lens[k] && ++k < n)
		;
	assert_int_equal(k, n); /* each frame alone, with no header */
	sink_close(&s);
}

static void out_of_sequence_not_joined(void **state)
{
	static uint8_t pkt[10000], segs[8][1600], got[70000];
	size_t lens[8], len = make_tcp(pkt, false, 3000, 0x10);
	size_t n = split(pkt, len, false, 1000, segs, lens), k = 0;
	struct ttt_gro gro;
	struct sink s;

	(void)state;
	assert_int_equal(n, 3);
	sink_open(&s);
	ttt_gro_init(&gro, s.wr, true);
	ttt_gro_add(&gro, segs[0], lens[0]);
	ttt_gro_add(&gro, segs[2], lens[2]); /* a gap */
	ttt_gro_add(&gro, segs[1], lens[1]);
	ttt_gro_flush(&gro);
	while (sink_next(&s, got, sizeof(got)))
		k++;
	assert_int_equal(k, 3);
	sink_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum_matches_reference),
		cmocka_unit_test(tso_ipv4),
		cmocka_unit_test(tso_ipv6),
		cmocka_unit_test(partial_checksum_completed),
		cmocka_unit_test(udp_zero_checksum_sent_as_ffff),
		cmocka_unit_test(tso_fit_to_path),
		cmocka_unit_test(malformed_refused),
		cmocka_unit_test(coalesce_ipv4),
		cmocka_unit_test(coalesce_ipv6),
		cmocka_unit_test(others_alone_in_order),
		cmocka_unit_test(no_vnet_no_joining),
		cmocka_unit_test(out_of_sequence_not_joined),
	};

	return cmocka_run_group_tests_name("offload", tests, NULL, NULL);
}
