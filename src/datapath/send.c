/* SPDX-License-Identifier: MIT */
/* send.c - tap to UDP
 *
 * Reads packets from the tap until it runs dry (or the batch is full),
 * turns each into wire frames (gso.c: TCP superframes are segmented,
 * partial checksums completed), seals every frame into its own datagram in
 * the batch, and sends the batch with one sendmmsg (txbatch.c: runs of
 * equal-size datagrams go as UDP GSO). The batch leaves as soon as the tap
 * is empty, so a lone frame is not held back. */
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
#include "ttt/util/clock.h"
#include "ttt/util/log.h"
#include "ttt/util/ratelimit.h"

/* Room for anything a tap can hand over, so that nothing is truncated. */
#define READ_CAP (TTT_VNET_HDR_LEN + 65536)
#define BATCH_BYTES (256 * 1024)

struct sender {
	struct ttt_path *path;
	uint8_t *rd;
	struct ttt_txbatch tx;
	struct ttt_peer_view peer;
	struct ttt_ratelimit log_rl;
	size_t frame_max;
	uint64_t last_ts;
};

/* Wall-clock stamps, strictly increasing even within one superframe. */
static uint64_t stamp(struct sender *s)
{
	uint64_t now = ttt_realtime_ns();

	s->last_ts = now > s->last_ts ? now : s->last_ts + 1;
	return s->last_ts;
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
	if (res.errors) {
		ttt_count(&tx[TTT_TX_SEND_ERROR], res.errors);
		ttt_log_limited(&s->log_rl, TTT_LOG_WARN, "the socket refused %llu datagrams to the peer",
				(unsigned long long)res.errors);
	}
	if (res.gso_disabled)
		ttt_info("the path refuses UDP segmentation offload; sending datagrams one by one");
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
	if (skip)
		ttt_vnet_hdr_read(s->rd, &h);
	return add_frames(s, &h, s->rd + skip, (size_t)n - skip) < 0 ? -1 : 1;
}

int ttt_send_run(struct ttt_path *path)
{
	struct sender s = { .path = path, .log_rl = TTT_RATELIMIT_INIT(10 * TTT_NSEC_PER_SEC, 5) };
	int rc = 0;

	s.frame_max = ttt_frame_max(path->mtu);
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
			r = flush(&s) < 0 ? -1 : ttt_path_wait(path, path->tap_fd, TTT_IDLE_PROBE_MS);
		if (r <= 0) {
			rc = r;
			break;
		}
	}
	ttt_txbatch_free(&s.tx);
	free(s.rd);
	return rc;
}
