/* gro.c - coalescing TCP segments for the tap */
#include "gro.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <unistd.h>

#include "ttt/util/bytes.h"
#include "checksum.h"

#define ETH 14
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

void ttt_gro_init(struct ttt_gro *g, int fd, bool vnet)
{
	memset(g, 0, sizeof(*g));
	g->fd = fd;
	g->vnet = vnet;
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
	const uint8_t *ip = frame + ETH;
	uint64_t sum = ipv4 ? ttt_csum_add(0, ip + 12, 8) : ttt_csum_add(0, ip + 8, 32);

	sum = ttt_csum_add_be16(sum, 6);
	if (!ipv4)
		sum = ttt_csum_add_be16(sum, (uint16_t)(l4len >> 16));
	return ttt_csum_add_be16(sum, (uint16_t)l4len);
}

static bool parse_ip(const uint8_t *f, size_t len, struct seg *s)
{
	const uint8_t *ip = f + ETH;
	uint16_t type = ttt_get_be16(f + 12);

	if (type == 0x0800 && len >= ETH + 20 + 20 && ip[0] == 0x45 && ip[9] == 6 &&
	    ttt_get_be16(ip + 2) == len - ETH && (ttt_get_be16(ip + 6) & 0x3fff) == 0 &&
	    ttt_csum_finish(ttt_csum_add(0, ip, 20)) == 0) {
		s->ipv4 = true;
		s->l4 = ETH + 20;
		return true;
	}
	if (type == 0x86dd && len >= ETH + 40 + 20 && (ip[0] >> 4) == 6 && ip[6] == 6 &&
	    ttt_get_be16(ip + 4) == len - ETH - 40) {
		s->ipv4 = false;
		s->l4 = ETH + 40;
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

	if (len < ETH + 20 || !parse_ip(f, len, s))
		return false;
	tcp = f + s->l4;
	thlen = (size_t)(tcp[12] >> 4) * 4;
	if (thlen < 20 || s->l4 + thlen >= len)
		return false;
	s->flags = tcp[13];
	if ((s->flags & ~TCP_PSH) != TCP_ACK)
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
	    total - (g->ipv4 ? 0 : 40) > 65535 || memcmp(a, f, ETH) != 0)
		return false;
	if (g->ipv4 && (memcmp(aip, ip, 2) != 0 || memcmp(aip + 6, ip + 6, 4) != 0 ||
			memcmp(aip + 12, ip + 12, 8) != 0 || ttt_get_be16(ip + 4) != g->next_id))
		return false; /* version, TOS, DF, TTL, protocol, addresses; IDs in sequence */
	if (!g->ipv4 && (memcmp(aip, ip, 4) != 0 || memcmp(aip + 6, ip + 6, 34) != 0))
		return false; /* class, flow label, next header, hop limit, addresses */
	/* Ports and ACK, the flags but PSH, and the options (not window or checksum). */
	return memcmp(a + g->l4, f + g->l4, 4) == 0 && memcmp(a + g->l4 + 8, f + g->l4 + 8, 4) == 0 &&
	       ((a[g->l4 + 13] ^ f[g->l4 + 13]) & ~TCP_PSH) == 0 &&
	       memcmp(a + g->l4 + 20, f + g->l4 + 20, g->hlen - g->l4 - 20) == 0;
}

static int emit(struct ttt_gro *g, struct iovec *iov, int cnt, unsigned frames, size_t bytes)
{
	if (writev(g->fd, iov, cnt) < 0) {
		int e = errno;
		g->stats.errors += frames;
		if (e == EBADF || e == EBADFD || e == EFAULT) {
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
	static uint8_t zero[10];
	struct iovec iov[2] = { { zero, sizeof(zero) }, { frame, len } };

	return g->vnet ? emit(g, iov, 2, 1, len) : emit(g, iov + 1, 1, 1, len);
}

/* The pending segments as one GSO packet: the first frame's headers get the
 * joined lengths, and the TCP checksum field the pseudo-header sum that
 * NEEDS_CSUM asks for. */
static int write_joined(struct ttt_gro *g)
{
	uint8_t *f = g->first, *ip = f + ETH, *tcp = f + g->l4;
	size_t l4len = g->hlen - g->l4 + g->payload;
	uint16_t v;

	if (g->ipv4) {
		ttt_put_be16(ip + 2, (uint16_t)(g->hlen - ETH + g->payload));
		ttt_put_be16(ip + 10, 0);
		ttt_csum_store(ip + 10, ttt_csum_finish(ttt_csum_add(0, ip, 20)));
	} else {
		ttt_put_be16(ip + 4, (uint16_t)(g->hlen - ETH - 40 + g->payload));
	}
	if (g->psh)
		tcp[13] |= TCP_PSH;
	ttt_csum_store(tcp + 16, (uint16_t)~ttt_csum_finish(pseudo(f, g->ipv4, l4len)));
	g->vnet_hdr[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	g->vnet_hdr[1] = g->ipv4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	v = (uint16_t)g->hlen;
	memcpy(g->vnet_hdr + 2, &v, 2);
	v = (uint16_t)g->seg;
	memcpy(g->vnet_hdr + 4, &v, 2);
	v = (uint16_t)g->l4;
	memcpy(g->vnet_hdr + 6, &v, 2);
	v = 16;
	memcpy(g->vnet_hdr + 8, &v, 2);
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
	g->psh = (s->flags & TCP_PSH) != 0;
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
	g->psh = (s->flags & TCP_PSH) != 0;
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
