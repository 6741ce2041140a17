/* SPDX-License-Identifier: MIT */
/* gso.c - segmenting TSO superframes and completing partial checksums */
#include "gso.h"

#include <linux/virtio_net.h>
#include <string.h>

#include "checksum.h"
#include "ttt/proto.h"
#include "ttt/util/bytes.h"

/* Offset of the L3 header after the Ethernet header and up to two VLAN
 * tags, or 0 when the frame is too short. */
static size_t l3_offset(const uint8_t *pkt, size_t len, uint16_t *ethertype)
{
	size_t off = TTT_ETH_HLEN - 2; /* the type field */

	for (int tags = 0; tags <= 2; tags++) {
		if (off + 2 > len)
			return 0;
		*ethertype = ttt_get_be16(pkt + off);
		if (*ethertype != TTT_ETH_P_8021Q && *ethertype != TTT_ETH_P_8021AD)
			return off + 2;
		off += TTT_VLAN_HLEN;
	}
	return 0;
}

static size_t begin_single(struct ttt_gso *g, const struct ttt_vnet_hdr *h)
{
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return g->count = 1;
	if ((size_t)h->csum_start + h->csum_offset + 2 > g->len)
		return 0; /* count stays 0: ttt_gso_next has nothing to give */
	g->count = 1;
	g->finish_csum = true;
	g->csum_start = h->csum_start;
	g->csum_offset = h->csum_offset;
	return 1;
}

/* Validates a TCP superframe's headers and records what segmenting needs. */
static size_t begin_tso(struct ttt_gso *g, const struct ttt_vnet_hdr *h)
{
	uint16_t type = 0;
	size_t l3 = l3_offset(g->pkt, g->len, &type), thlen;

	g->ipv4 = h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4;
	if (!l3 || type != (g->ipv4 ? TTT_ETH_P_IPV4 : TTT_ETH_P_IPV6) || h->gso_size == 0)
		return 0;
	g->l3 = l3;
	g->l4 = h->csum_start;
	if (g->ipv4 && (l3 + TTT_IPV4_HLEN > g->len || (g->pkt[l3] >> 4) != 4 ||
			g->l4 != l3 + (size_t)(g->pkt[l3] & 15) * 4 || g->l4 < l3 + TTT_IPV4_HLEN))
		return 0;
	if (!g->ipv4 && (l3 + TTT_IPV6_HLEN > g->len || (g->pkt[l3] >> 4) != 6 ||
			 g->l4 < l3 + TTT_IPV6_HLEN))
		return 0;
	if (g->l4 + TTT_TCP_HLEN > g->len)
		return 0;
	thlen = (size_t)(g->pkt[g->l4 + 12] >> 4) * 4;
	if (thlen < TTT_TCP_HLEN || g->l4 + thlen > g->len)
		return 0;
	g->payload = g->l4 + thlen;
	g->seg = h->gso_size;
	g->ip_id = g->ipv4 ? ttt_get_be16(g->pkt + l3 + 4) : 0;
	g->seq = ttt_get_be32(g->pkt + g->l4 + 4);
	g->tcp_flags = g->pkt[g->l4 + 13];
	g->count = g->len > g->payload ? (g->len - g->payload + g->seg - 1) / g->seg : 1;
	return g->count;
}

size_t ttt_gso_begin(struct ttt_gso *g, const struct ttt_vnet_hdr *h, const uint8_t *pkt,
		     size_t len)
{
	memset(g, 0, sizeof(*g));
	g->pkt = pkt;
	g->len = len;
	if (len < TTT_ETH_HLEN)
		return 0;
	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return begin_single(g, h);
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return h->gso_type & VIRTIO_NET_HDR_GSO_ECN ? 0 : begin_tso(g, h);
	default:
		return 0; /* UFO/USO: never enabled on our taps */
	}
}

/* Builds segment i of the superframe in out. */
static size_t segment(struct ttt_gso *g, size_t i, uint8_t *out)
{
	size_t start = g->payload + i * g->seg;
	size_t chunk = g->len - start < g->seg ? g->len - start : g->seg;
	size_t flen = g->payload + chunk, l4len = flen - g->l4;
	uint8_t *ip = out + g->l3, *tcp = out + g->l4;
	bool last = i + 1 == g->count;
	uint64_t sum;

	memcpy(out, g->pkt, g->payload);
	memcpy(out + g->payload, g->pkt + start, chunk);
	if (g->ipv4) {
		ttt_put_be16(ip + 2, (uint16_t)(flen - g->l3));
		ttt_put_be16(ip + 4, (uint16_t)(g->ip_id + i));
		ttt_put_be16(ip + 10, 0);
		ttt_csum_store(ip + 10, ttt_csum_finish(ttt_csum_add(0, ip, g->l4 - g->l3)));
	} else {
		ttt_put_be16(ip + 4, (uint16_t)(flen - g->l3 - TTT_IPV6_HLEN));
	}
	ttt_put_be32(tcp + 4, g->seq + (uint32_t)(i * g->seg));
	tcp[13] = g->tcp_flags &
		  (uint8_t)~((last ? 0 : TTT_TCP_FIN | TTT_TCP_PSH) | (i ? TTT_TCP_CWR : 0));
	ttt_put_be16(tcp + TTT_TCP_CSUM_OFFSET, 0);
	sum = ttt_csum_pseudo(ip, g->ipv4, TTT_IPPROTO_TCP, l4len);
	ttt_csum_store(tcp + TTT_TCP_CSUM_OFFSET, ttt_csum_finish(ttt_csum_add(sum, tcp, l4len)));
	return flen;
}

size_t ttt_gso_next(struct ttt_gso *g, uint8_t *out)
{
	size_t i = g->next;

	if (i >= g->count)
		return 0;
	g->next++;
	if (g->seg)
		return segment(g, i, out);
	memcpy(out, g->pkt, g->len);
	if (g->finish_csum) {
		uint8_t *field = out + g->csum_start + g->csum_offset;
		uint64_t sum = ttt_csum_add(0, out + g->csum_start, g->len - g->csum_start);
		uint16_t csum = ttt_csum_finish(sum);
		/* A UDP checksum of 0 means "none" (and over IPv6 the receiver drops
		 * the datagram): RFC 768 sends 0xffff, its equal in ones' complement,
		 * as the kernel's skb_checksum_help does for any protocol. */
		ttt_csum_store(field, csum ? csum : 0xffff);
	}
	return g->len;
}

size_t ttt_gso_fit(struct ttt_gso *g, size_t max_frame)
{
	if (!g->seg || g->next || g->payload + g->seg <= max_frame ||
	    max_frame < g->payload + TTT_GSO_MIN_SEG)
		return 0;
	g->seg = max_frame - g->payload;
	g->count = g->len > g->payload ? (g->len - g->payload + g->seg - 1) / g->seg : 1;
	return g->count;
}
