/* SPDX-License-Identifier: MIT */
/* receive.c - UDP to tap */
#include "receive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gro.h"
#include "replay.h"
#include "ttt/net/io.h"
#include "ttt/net/udp.h"
#include "ttt/util/clock.h"
#include "ttt/util/log.h"
#include "ttt/util/ratelimit.h"

/* Messages per recvmmsg(); each may be a UDP_GRO bundle of datagrams. */
#define RX_MSGS 8
#define RX_BUF 65536 /* any UDP payload, and any GRO bundle */

struct ttt_rx {
	struct ttt_path *path;
	struct ttt_replay *replay;
	struct ttt_sockaddr peer; /* this thread's copy; the writer of path->peer */
	bool have_peer;
	size_t max_dgram;
	uint8_t *bufs;
	struct mmsghdr msgs[RX_MSGS];
	struct iovec iov[RX_MSGS];
	struct ttt_sockaddr src[RX_MSGS];
	union {
		char buf[TTT_UDP_CTL_LEN];
		struct cmsghdr align;
	} ctl[RX_MSGS];
	struct ttt_gro gro; /* frames on their way into the tap */
	struct ttt_ratelimit drop_rl, peer_rl, error_rl;
};

struct ttt_rx *ttt_rx_new(struct ttt_path *path, unsigned replay_capacity)
{
	struct ttt_rx *rx = calloc(1, sizeof(*rx));
	struct ttt_peer_view view = { .seq = 0 };

	if (!rx)
		return NULL;
	rx->path = path;
	/* Whatever our MTU, take every datagram a v1.4 peer (MTU 1418) sends. */
	rx->max_dgram = ttt_dgram_max(path->mtu) > TTT_V14_DGRAM_MAX ? ttt_dgram_max(path->mtu)
								      : TTT_V14_DGRAM_MAX;
	rx->replay = ttt_replay_new(replay_capacity);
	rx->bufs = malloc((size_t)RX_MSGS * RX_BUF);
	if (!rx->replay || !rx->bufs) {
		ttt_rx_free(rx);
		return NULL;
	}
	ttt_gro_init(&rx->gro, path->tap_fd, path->offload);
	rx->have_peer = ttt_peer_get(&path->peer, &view);
	rx->peer = view.addr;
	rx->drop_rl = (struct ttt_ratelimit)TTT_RATELIMIT_INIT(10 * TTT_NSEC_PER_SEC, 5);
	rx->peer_rl = (struct ttt_ratelimit)TTT_RATELIMIT_INIT(10 * TTT_NSEC_PER_SEC, 5);
	rx->error_rl = (struct ttt_ratelimit)TTT_RATELIMIT_INIT(10 * TTT_NSEC_PER_SEC, 5);
	return rx;
}

void ttt_rx_free(struct ttt_rx *rx)
{
	if (!rx)
		return;
	ttt_replay_free(rx->replay);
	free(rx->bufs);
	free(rx);
}

enum ttt_verdict ttt_rx_classify(struct ttt_rx *rx, const uint8_t *dgram, size_t len,
				 const struct ttt_sockaddr *src, uint64_t now_ns)
{
	const struct ttt_path *p = rx->path;
	enum ttt_verdict v = ttt_frame_check_len(len, rx->max_dgram);

	if (v != TTT_PASS)
		return v;
	if (p->fixed_peer && !ttt_sockaddr_equal(src, &rx->peer))
		return TTT_DROP_WRONG_SOURCE;
	v = ttt_frame_open(p->hmac, dgram, len, rx->max_dgram, now_ns, p->window_ns);
	if (v != TTT_PASS)
		return v;
	if (ttt_sealed_has(p->sealed, dgram))
		return TTT_DROP_REFLECTED;
	if (!ttt_replay_accept(rx->replay, ttt_frame_ts(dgram), dgram))
		return TTT_DROP_REPLAY;
	return TTT_PASS;
}

struct ttt_replay *ttt_rx_replay(struct ttt_rx *rx)
{
	return rx->replay;
}

bool ttt_rx_follow(struct ttt_rx *rx, const struct ttt_sockaddr *src)
{
	char name[TTT_ADDRSTRLEN];

	if (rx->path->fixed_peer || (rx->have_peer && ttt_sockaddr_equal(src, &rx->peer)))
		return false;
	rx->peer = *src;
	rx->have_peer = true;
	ttt_peer_set(&rx->path->peer, src);
	ttt_count(&rx->path->counters.rx[TTT_RX_PEER_CHANGES], 1);
	ttt_log_limited(&rx->peer_rl, TTT_LOG_INFO, "peer is now %s", ttt_sockaddr_str(src, name));
	return true;
}
static void log_drop(struct ttt_rx *rx, enum ttt_verdict v, const struct ttt_sockaddr *src,
		     size_t len)
{
	char name[TTT_ADDRSTRLEN];
	uint64_t suppressed;

	if (ttt_log_allowed(&rx->drop_rl, TTT_LOG_INFO, &suppressed))
		ttt_log_counted(TTT_LOG_INFO, suppressed, "dropped a %zu-byte datagram from %s: %s",
				len, ttt_sockaddr_str(src, name), ttt_verdict_name(v));
}

/* Counts what the tap took since last time, and notes when (now) a batch
 * last held an authentic datagram; -1 when the tap is gone. */
static int account(struct ttt_rx *rx, uint64_t now)
{
	_Atomic uint64_t *c = rx->path->counters.rx;
	struct ttt_gro_stats *st = &rx->gro.stats;

	if (st->frames || st->errors)
		atomic_store_explicit(&rx->path->counters.last_rx_ns, now, memory_order_relaxed);
	ttt_count(&c[TTT_RX_FRAMES], st->frames);
	ttt_count(&c[TTT_RX_BYTES], st->bytes);
	if (st->errors) {
		ttt_count(&c[TTT_RX_TAP_ERROR], st->errors);
		ttt_log_limited(&rx->error_rl, TTT_LOG_WARN, "the tap refused %llu frames",
				(unsigned long long)st->errors);
	}
	if (st->fatal_errno) {
		ttt_error("tap device failed: %s", strerror(st->fatal_errno));
		return -1;
	}
	memset(st, 0, sizeof(*st));
	return 0;
}

/* One datagram: checked, then delivered. -1 when the tap is gone. */
static int handle(struct ttt_rx *rx, uint8_t *dgram, size_t len, const struct ttt_sockaddr *src,
		  uint64_t now)
{
	enum ttt_verdict v = ttt_rx_classify(rx, dgram, len, src, now);

	if (v != TTT_PASS) {
		ttt_count(&rx->path->counters.rx[v], 1);
		log_drop(rx, v, src, len);
		return 0;
	}
	ttt_rx_follow(rx, src);
	if (ttt_frame_is_keepalive(dgram + TTT_HDR_LEN, len - TTT_HDR_LEN)) {
		ttt_count(&rx->path->counters.rx[TTT_RX_KEEPALIVE], 1);
		return 0;
	}
	return ttt_gro_add(&rx->gro, dgram + TTT_HDR_LEN, len - TTT_HDR_LEN);
}

/* Splits message i into its datagrams and handles each. */
static int handle_message(struct ttt_rx *rx, unsigned i, uint64_t now)
{
	struct msghdr *m = &rx->msgs[i].msg_hdr;
	uint8_t *buf = rx->iov[i].iov_base;
	size_t len = rx->msgs[i].msg_len, seg = ttt_udp_gro_size(m);
	size_t off = 0;

	rx->src[i].len = m->msg_namelen;
	if (seg == 0 || seg > len)
		seg = len;
	do { /* at least once: an empty datagram is still a (short) datagram */
		size_t dlen = len - off < seg ? len - off : seg;
		if (handle(rx, buf + off, dlen, &rx->src[i], now) < 0)
			return -1;
		off += dlen;
	} while (off < len);
	return 0;
}

static void arm(struct ttt_rx *rx)
{
	for (unsigned i = 0; i < RX_MSGS; i++) {
		struct msghdr *m = &rx->msgs[i].msg_hdr;
		memset(m, 0, sizeof(*m));
		rx->iov[i].iov_base = rx->bufs + (size_t)i * RX_BUF;
		rx->iov[i].iov_len = RX_BUF;
		m->msg_iov = &rx->iov[i];
		m->msg_iovlen = 1;
		m->msg_name = &rx->src[i].u;
		m->msg_namelen = sizeof(rx->src[i].u);
		m->msg_control = rx->ctl[i].buf;
		m->msg_controllen = sizeof(rx->ctl[i].buf);
	}
}

/* One recvmmsg(): 1 = handled, 0 = nothing to receive, -1 = fatal. */
static int pump_one(struct ttt_rx *rx)
{
	struct ttt_path *p = rx->path;
	uint64_t now;
	int n;

	arm(rx);
	n = ttt_udp_recv(p->sock_fd, rx->msgs, RX_MSGS);
	if (n < 0) {
		int e = errno;
		enum ttt_io_error k = ttt_io_classify(e);
		if (k == TTT_IO_AGAIN || k == TTT_IO_INTR)
			return k == TTT_IO_INTR;
		ttt_count(&p->counters.rx[TTT_RX_RECV_ERROR], 1);
		if (k == TTT_IO_FATAL) {
			ttt_error("UDP socket failed: %s", strerror(e));
			return -1;
		}
		ttt_log_limited(&rx->error_rl, TTT_LOG_WARN, "cannot receive: %s", strerror(e));
		return 1;
	}
	now = ttt_realtime_ns();
	for (int i = 0; i < n; i++)
		if (handle_message(rx, (unsigned)i, now) < 0)
			break;
	(void)ttt_gro_flush(&rx->gro); /* before the next receive reuses the buffers */
	return account(rx, now) < 0 ? -1 : 1;
}

int ttt_receive_run(struct ttt_rx *rx)
{
	struct ttt_path *p = rx->path;

	while (!ttt_path_stopping(p)) {
		int r = pump_one(rx);
		if (r == 0)
			r = ttt_path_wait(p, p->sock_fd, -1);
		if (r <= 0)
			return r;
	}
	return 0;
}
