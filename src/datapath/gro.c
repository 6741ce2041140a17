/* SPDX-License-Identifier: MIT */
/* gro.c - coalescing TCP segments for the tap */
#include "gro.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "checksum.h"
#include "ttt/net/io.h"
#include "ttt/net/tap.h"
#include "ttt/proto.h"
#include "ttt/util/bytes.h"

#define ETH TTT_ETH_HLEN
#define IP4 TTT_IPV4_HLEN
#define IP6 TTT_IPV6_HLEN

void ttt_gro_init(struct ttt_gro *g, int fd, bool vnet)
{
	static const struct ttt_vnet_hdr plain = { 0, 0, 0, 0, 0, 0 };

	memset(g, 0, sizeof(*g));
	g->fd = fd;
	g->vnet = vnet;
	ttt_vnet_hdr_write(g->plain_hdr, &plain);
}

/* What a candidate segment looks like. */
struct seg {
	bool ipv4;
	size_t l4, hlen, payload;
	uint32_t seq;
	uint8_t flags;
};

static uint64_t pseudo(const uint8_t *frame, bool ipv4, size_t l4len)
{
	return ttt_csum_pseudo(frame + ETH, ipv4, TTT_IPPROTO_TCP, l4len);
}

static bool parse_ip(const uint8_t *f, size_t len, struct seg *s)
{
	const uint8_t *ip = f + ETH;
	uint16_t type = ttt_get_be16(f + 12);

	if (type == TTT_ETH_P_IPV4 && len >= ETH + IP4 + TTT_TCP_HLEN && ip[0] == 0x45 &&
	    ip[9] == TTT_IPPROTO_TCP && ttt_get_be16(ip + 2) == len - ETH &&
	    (ttt_get_be16(ip + 6) & 0x3fff) == 0 && ttt_csum_finish(ttt_csum_add(0, ip, IP4)) == 0) {
		s->ipv4 = true;
		s->l4 = ETH + IP4;
		return true;
	}
	if (type == TTT_ETH_P_IPV6 && len >= ETH + IP6 + TTT_TCP_HLEN && (ip[0] >> 4) == 6 &&
	    ip[6] == TTT_IPPROTO_TCP && ttt_get_be16(ip + 4) == len - ETH - IP6) {
		s->ipv4 = false;
		s->l4 = ETH + IP6;
		return true;
	}
	return false;
}

/* A data-carrying, plain ACK (optionally PSH) TCP segment with valid
 * checksums: the only kind that may be joined. */
static bool candidate(const uint8_t *f, size_t len, struct seg *s)
{
	const uint8_t *tcp;
	size_t thlen;

	if (len < ETH + IP4 || !parse_ip(f, len, s))
		return false;
	tcp = f + s->l4;
	thlen = (size_t)(tcp[12] >> 4) * 4;
	if (thlen < TTT_TCP_HLEN || s->l4 + thlen >= len)
		return false;
	s->flags = tcp[13];
	if ((s->flags & ~TTT_TCP_PSH) != TTT_TCP_ACK)
		return false;
	s->hlen = s->l4 + thlen;
	s->payload = len - s->hlen;
	s->seq = ttt_get_be32(tcp + 4);
	return ttt_csum_finish(ttt_csum_add(pseudo(f, s->ipv4, len - s->l4), tcp, len - s->l4)) == 0;
}

/* Whether segment s (frame f) continues the pending packet. */
static bool joins(const struct ttt_gro *g, const uint8_t *f, const struct seg *s)
{
	const uint8_t *a = g->first, *ip = f + ETH, *aip;
	size_t total = g->hlen - ETH + g->payload + s->payload;

	if (g->n == 0)
		return false; /* nothing pending: a is NULL */
	aip = a + ETH;
	if (g->closed || g->n >= TTT_GRO_MAX_SEGS || s->ipv4 != g->ipv4 ||
	    s->hlen != g->hlen || s->payload > g->seg || s->seq != g->next_seq ||
	    total - (g->ipv4 ? 0 : IP6) > 65535 || memcmp(a, f, ETH) != 0)
		return false;
	if (g->ipv4 && (memcmp(aip, ip, 2) != 0 || memcmp(aip + 6, ip + 6, 4) != 0 ||
			memcmp(aip + 12, ip + 12, 8) != 0 || ttt_get_be16(ip + 4) != g->next_id))
		return false; /* version, TOS, DF, TTL, protocol, addresses; IDs in sequence */
	if (!g->ipv4 && (memcmp(aip, ip, 4) != 0 || memcmp(aip + 6, ip + 6, 34) != 0))
		return false; /* class, flow label, next header, hop limit, addresses */
	/* Ports and ACK, the flags but PSH, and the options (not window or checksum). */
	return memcmp(a + g->l4, f + g->l4, 4) == 0 && memcmp(a + g->l4 + 8, f + g->l4 + 8, 4) == 0 &&
	       ((a[g->l4 + 13] ^ f[g->l4 + 13]) & ~TTT_TCP_PSH) == 0 &&
	       memcmp(a + g->l4 + TTT_TCP_HLEN, f + g->l4 + TTT_TCP_HLEN,
		      g->hlen - g->l4 - TTT_TCP_HLEN) == 0;
}

static int emit(struct ttt_gro *g, struct iovec *iov, int cnt, unsigned frames, size_t bytes)
{
	if (ttt_tap_write(g->fd, iov, cnt) < 0) {
		int e = errno;
		g->stats.errors += frames;
		if (ttt_io_classify(e) == TTT_IO_FATAL) {
			g->stats.fatal_errno = e;
			return -1;
		}
		return 0;
	}
	g->stats.frames += frames;
	g->stats.bytes += bytes;
	return 0;
}

static int write_one(struct ttt_gro *g, uint8_t *frame, size_t len)
{
	struct iovec iov[2] = { { g->plain_hdr, sizeof(g->plain_hdr) }, { frame, len } };

	return g->vnet ? emit(g, iov, 2, 1, len) : emit(g, iov + 1, 1, 1, len);
}

/* The pending segments as one GSO packet: the first frame's headers get the
 * joined lengths, and the TCP checksum field the pseudo-header sum that
 * NEEDS_CSUM asks for. */
static int write_joined(struct ttt_gro *g)
{
	uint8_t *f = g->first, *ip = f + ETH, *tcp = f + g->l4;
	size_t l4len = g->hlen - g->l4 + g->payload;
	const struct ttt_vnet_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = g->ipv4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
		.hdr_len = (uint16_t)g->hlen,
		.gso_size = (uint16_t)g->seg,
		.csum_start = (uint16_t)g->l4,
		.csum_offset = TTT_TCP_CSUM_OFFSET,
	};

	if (g->ipv4) {
		ttt_put_be16(ip + 2, (uint16_t)(g->hlen - ETH + g->payload));
		ttt_put_be16(ip + 10, 0);
		ttt_csum_store(ip + 10, ttt_csum_finish(ttt_csum_add(0, ip, IP4)));
	} else {
		ttt_put_be16(ip + 4, (uint16_t)(g->hlen - ETH - IP6 + g->payload));
	}
	if (g->psh)
		tcp[13] |= TTT_TCP_PSH;
	ttt_csum_store(tcp + TTT_TCP_CSUM_OFFSET,
		       (uint16_t)~ttt_csum_finish(pseudo(f, g->ipv4, l4len)));
	ttt_vnet_hdr_write(g->vnet_hdr, &h);
	g->iov[0].iov_base = g->vnet_hdr;
	g->iov[0].iov_len = sizeof(g->vnet_hdr);
	return emit(g, g->iov, (int)g->n + 1, g->n, g->hlen * g->n + g->payload);
}

int ttt_gro_flush(struct ttt_gro *g)
{
	int rc = 0;

	if (g->n == 1)
		rc = write_one(g, g->first, g->hlen + g->payload);
	else if (g->n > 1)
		rc = write_joined(g);
	g->n = 0;
	return rc;
}

static void start(struct ttt_gro *g, uint8_t *frame, size_t len, const struct seg *s)
{
	g->n = 1;
	g->first = frame;
	g->l4 = s->l4;
	g->hlen = s->hlen;
	g->seg = s->payload;
	g->payload = s->payload;
	g->ipv4 = s->ipv4;
	g->psh = (s->flags & TTT_TCP_PSH) != 0;
	g->closed = g->psh;
	g->next_seq = s->seq + (uint32_t)s->payload;
	g->next_id = (uint16_t)(ttt_get_be16(frame + ETH + 4) + 1);
	g->iov[1].iov_base = frame;
	g->iov[1].iov_len = len;
}

static void append(struct ttt_gro *g, uint8_t *frame, const struct seg *s)
{
	g->iov[g->n + 1].iov_base = frame + s->hlen;
	g->iov[g->n + 1].iov_len = s->payload;
	g->n++;
	g->payload += s->payload;
	g->next_seq += (uint32_t)s->payload;
	g->next_id++;
	g->psh = (s->flags & TTT_TCP_PSH) != 0;
	g->closed = g->psh || s->payload < g->seg;
}

int ttt_gro_add(struct ttt_gro *g, uint8_t *frame, size_t len)
{
	struct seg s;
	bool cand = g->vnet && candidate(frame, len, &s);

	if (cand && joins(g, frame, &s)) {
		append(g, frame, &s);
		return 0;
	}
	if (ttt_gro_flush(g) < 0)
		return -1;
	if (!cand)
		return write_one(g, frame, len);
	start(g, frame, len, &s);
	return 0;
}
