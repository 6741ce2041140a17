/* SPDX-License-Identifier: MIT */
/* send.c - tap to UDP
 *
 * Reads packets from the tap until it runs dry (or the batch is full),
 * turns each into wire frames (gso.c: TCP superframes are segmented,
 * partial checksums completed), seals every frame into its own datagram in
 * the batch, and sends the batch with one sendmmsg (txbatch.c: runs of
 * equal-size datagrams go as UDP GSO). The batch leaves as soon as the tap
 * is empty, so a lone frame is not held back.
 *
 * When the path refuses datagrams as large as ours (txbatch.h), TCP
 * superframes are cut into segments whose datagrams fit it, so that they
 * still go out as GSO without fragments; the limit is read again every
 * PROBE_INTERVAL_NS while it holds. With --keepalive, an idle direction
 * sends a keepalive datagram (proto.h) every so often. */
#include "send.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "gso.h"
#include "txbatch.h"
#include "ttt/net/io.h"
#include "ttt/net/kfeature.h"
#include "ttt/net/tap.h"
#include "ttt/net/udp.h"
#include "ttt/util/clock.h"
#include "ttt/util/log.h"
#include "ttt/util/ratelimit.h"

/* Room for anything a tap can hand over, so that nothing is truncated. */
#define READ_CAP (TTT_VNET_HDR_LEN + 65536)
#define BATCH_BYTES (256 * 1024)
#define PROBE_INTERVAL_NS (30 * TTT_NSEC_PER_SEC)

struct sender {
	struct ttt_path *path;
	uint8_t *rd;
	struct ttt_txbatch tx;
	struct ttt_peer_view peer;
	struct ttt_ratelimit log_rl;
	size_t frame_max;
	size_t frame_fit;     /* frames this long fit the path in one datagram */
	uint64_t probe_at;    /* monotonic: when to read a smaller path MTU again */
	uint64_t last_sent;   /* monotonic: the last send (kept with --keepalive only) */
	uint32_t peer_seq;    /* the peer whose path frame_fit describes */
	uint64_t last_ts;
	uint8_t keepalive[TTT_HDR_LEN + TTT_KEEPALIVE_LEN];
};

/* Wall-clock stamps, strictly increasing even within one superframe. */
static uint64_t stamp(struct sender *s)
{
	uint64_t now = ttt_realtime_ns();

	s->last_ts = now > s->last_ts ? now : s->last_ts + 1;
	return s->last_ts;
}

/* The batch's GSO limit changed (path_mtu: what the route says, 0 when
 * nothing): frames are cut to fit from now on. Logged once per change. */
static void path_limit(struct sender *s, unsigned path_mtu)
{
	char name[TTT_ADDRSTRLEN];
	size_t lim = s->tx.gso_max;

	s->frame_fit = lim == TTT_TX_GSO_ANY || lim == 0 || lim - TTT_HDR_LEN >= s->frame_max
			       ? s->frame_max
			       : (lim > TTT_HDR_LEN ? lim - TTT_HDR_LEN : 0);
	s->probe_at = ttt_monotonic_ns() + PROBE_INTERVAL_NS;
	ttt_sockaddr_str(&s->peer.addr, name);
	if (lim == 0)
		ttt_info("the path to %s refuses UDP segmentation offload; sending datagrams one by "
			 "one until %llu s from now", name,
			 (unsigned long long)(PROBE_INTERVAL_NS / TTT_NSEC_PER_SEC));
	else if (s->frame_fit < s->frame_max)
		ttt_info("the path to %s takes datagrams of at most %zu bytes (path MTU %u): TCP "
			 "segments are cut to fit, larger frames go out fragmented", name, lim, path_mtu);
	else
		ttt_info("the path to %s takes full-size datagrams (path MTU %u)", name, path_mtu);
}

/* While the path is limited, reads its MTU again now and then: the kernel
 * forgets what ICMP taught it after a while, and routes change. */
static void maybe_reprobe(struct sender *s)
{
	unsigned mtu;

	if (s->tx.gso_max == TTT_TX_GSO_ANY || ttt_monotonic_ns() < s->probe_at)
		return;
	if (ttt_txbatch_reprobe(&s->tx, &s->peer.addr, &mtu))
		path_limit(s, mtu);
	else
		s->probe_at = ttt_monotonic_ns() + PROBE_INTERVAL_NS;
}

/* Sends the batch; -1 when the socket is gone. */
static int flush(struct sender *s)
{
	_Atomic uint64_t *tx = s->path->counters.tx;
	struct ttt_tx_result res;

	if (ttt_txbatch_empty(&s->tx))
		return 0;
	ttt_txbatch_send(&s->tx, s->path->sock_fd, &s->peer.addr, &res);
	ttt_count(&tx[TTT_TX_FRAMES], res.frames);
	ttt_count(&tx[TTT_TX_BYTES], res.bytes);
	if (s->path->keepalive_ns)
		s->last_sent = ttt_monotonic_ns();
	if (res.errors) {
		ttt_count(&tx[TTT_TX_SEND_ERROR], res.errors);
		ttt_log_limited(&s->log_rl, TTT_LOG_WARN, "the socket refused %llu datagrams to the peer",
				(unsigned long long)res.errors);
	}
	if (res.gso_refused)
		ttt_count(&tx[TTT_TX_GSO_REFUSED], res.gso_refused);
	if (res.limit_changed)
		path_limit(s, res.path_mtu);
	else if (s->tx.gso_max != TTT_TX_GSO_ANY)
		maybe_reprobe(s);
	if (res.fatal_errno) {
		ttt_error("UDP socket failed: %s", strerror(res.fatal_errno));
		return -1;
	}
	return 0;
}

/* Seals the wire frames of one tap packet into the batch. */
static int add_frames(struct sender *s, const struct ttt_vnet_hdr *h, const uint8_t *pkt,
		      size_t len)
{
	_Atomic uint64_t *tx = s->path->counters.tx;
	struct ttt_gso g;
	uint8_t *slot;

	if (ttt_gso_begin(&g, h, pkt, len) == 0) {
		ttt_count(&tx[TTT_TX_MALFORMED], 1);
		return 0;
	}
	if ((g.seg ? g.payload + g.seg : g.len) > s->frame_max) {
		ttt_count(&tx[TTT_TX_OVERSIZE], 1);
		return 0;
	}
	if (s->frame_fit < s->frame_max && ttt_gso_fit(&g, s->frame_fit))
		ttt_count(&tx[TTT_TX_RESEGMENTED], 1);
	for (;;) {
		size_t flen;
		slot = ttt_txbatch_slot(&s->tx, TTT_HDR_LEN + s->frame_max);
		if (!slot) {
			if (flush(s) < 0)
				return -1;
			slot = ttt_txbatch_slot(&s->tx, TTT_HDR_LEN + s->frame_max);
		}
		flen = ttt_gso_next(&g, slot + TTT_HDR_LEN);
		if (flen == 0)
			return 0;
		ttt_frame_seal(s->path->hmac, slot, flen, stamp(s));
		ttt_sealed_note(s->path->sealed, slot); /* to refuse it if it comes back */
		ttt_txbatch_commit(&s->tx, TTT_HDR_LEN + flen, flen);
	}
}

static void new_peer(struct sender *s)
{
	if (flush(s) < 0) /* what is batched goes to the new peer: drop nothing */
		return;
	s->peer_seq = s->peer.seq;
	ttt_txbatch_path_reset(&s->tx);
	s->frame_fit = s->frame_max;
}

/* With --keepalive: sends one when nothing went out for the interval.
 * Returns how long (ms) the direction may sleep before the next is due. */
static int keepalive(struct sender *s, int idle_ms)
{
	struct ttt_path *p = s->path;
	uint64_t now, due;
	uint8_t *d = s->keepalive;

	if (!p->keepalive_ns || !ttt_peer_get(&p->peer, &s->peer))
		return idle_ms;
	now = ttt_monotonic_ns();
	due = s->last_sent ? s->last_sent + p->keepalive_ns : now;
	if (now < due) {
		uint64_t ms = (due - now) / 1000000 + 1;
		return ms < (uint64_t)idle_ms ? (int)ms : idle_ms;
	}
	ttt_frame_keepalive(d + TTT_HDR_LEN);
	ttt_frame_seal(p->hmac, d, TTT_KEEPALIVE_LEN, stamp(s));
	ttt_sealed_note(p->sealed, d); /* a keepalive sent back is refused too */
	if (ttt_udp_send_one(p->sock_fd, d, sizeof(s->keepalive), &s->peer.addr) < 0)
		ttt_count(&p->counters.tx[TTT_TX_SEND_ERROR], 1);
	else
		ttt_count(&p->counters.tx[TTT_TX_KEEPALIVE], 1);
	s->last_sent = now;
	return p->keepalive_ns / 1000000 < (uint64_t)idle_ms ? (int)(p->keepalive_ns / 1000000)
							     : idle_ms;
}

/* One read from the tap: 1 = handled, 0 = nothing to read, -1 = fatal. */
static int pump_one(struct sender *s)
{
	static const struct ttt_vnet_hdr plain = { 0, 0, 0, 0, 0, 0 };
	struct ttt_path *p = s->path;
	size_t skip = p->offload ? TTT_VNET_HDR_LEN : 0;
	struct ttt_vnet_hdr h = plain;
	ssize_t n = ttt_tap_read(p->tap_fd, s->rd, READ_CAP);

	if (n < 0) {
		int e = errno;
		enum ttt_io_error k = ttt_io_classify(e);
		if (k == TTT_IO_AGAIN || k == TTT_IO_INTR)
			return k == TTT_IO_INTR;
		ttt_count(&p->counters.tx[TTT_TX_TAP_ERROR], 1);
		if (k == TTT_IO_FATAL) {
			ttt_error("tap device failed: %s", strerror(e));
			return -1;
		}
		ttt_log_limited(&s->log_rl, TTT_LOG_WARN, "cannot read from the tap: %s", strerror(e));
		return 1;
	}
	if ((size_t)n <= skip)
		return 1;
	if (!ttt_peer_get(&p->peer, &s->peer)) {
		ttt_count(&p->counters.tx[TTT_TX_NO_PEER], 1);
		return 1;
	}
	if (s->peer.seq != s->peer_seq) /* a new peer: its path is unknown */
		new_peer(s);
	if (skip)
		ttt_vnet_hdr_read(s->rd, &h);
	return add_frames(s, &h, s->rd + skip, (size_t)n - skip) < 0 ? -1 : 1;
}

int ttt_send_run(struct ttt_path *path)
{
	struct sender s = { .path = path, .log_rl = TTT_RATELIMIT_INIT(10 * TTT_NSEC_PER_SEC, 5) };
	int rc = 0;

	s.frame_max = ttt_frame_max(path->mtu);
	s.frame_fit = s.frame_max;
	s.rd = malloc(READ_CAP);
	if (!s.rd || !ttt_txbatch_init(&s.tx, BATCH_BYTES)) {
		ttt_error("out of memory for the send buffers");
		free(s.rd);
		return -1;
	}
	s.tx.gso = ttt_kernel_udp_offloads(path->sock_fd); /* kfeature.c: Linux < 4.18 */
	while (!ttt_path_stopping(path)) {
		int r = pump_one(&s);
		if (r == 0) /* the tap is empty: send what we have, then sleep */
			r = flush(&s) < 0 ? -1
					  : ttt_path_wait(path, path->tap_fd,
							  keepalive(&s, TTT_IDLE_PROBE_MS));
		if (r <= 0) {
			rc = r;
			break;
		}
	}
	ttt_txbatch_free(&s.tx);
	free(s.rd);
	return rc;
}
