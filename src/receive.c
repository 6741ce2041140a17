/* receive.c - UDP to tap */
#include "ttt/receive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttt/clock.h"
#include "ttt/log.h"
#include "ttt/ratelimit.h"
#include "ttt/replay.h"

struct ttt_rx {
	struct ttt_path *path;
	struct ttt_replay *replay;
	struct ttt_sockaddr peer; /* this thread's copy; the writer of path->peer */
	bool have_peer;
	size_t max_dgram;
	uint8_t *buf;
	struct ttt_ratelimit drop_rl, peer_rl, error_rl;
};

struct ttt_rx *ttt_rx_new(struct ttt_path *path, unsigned replay_capacity)
{
	struct ttt_rx *rx = calloc(1, sizeof(*rx));
	struct ttt_peer_view view = { .seq = 0 };

	if (!rx)
		return NULL;
	rx->path = path;
	rx->max_dgram = ttt_dgram_max(path->mtu);
	rx->replay = ttt_replay_new(replay_capacity);
	rx->buf = malloc(rx->max_dgram + 1);
	if (!rx->replay || !rx->buf) {
		ttt_rx_free(rx);
		return NULL;
	}
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
	free(rx->buf);
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
	v = ttt_frame_open(p->mac, dgram, len, rx->max_dgram, now_ns, p->window_ns);
	if (v != TTT_PASS)
		return v;
	if (!ttt_replay_accept(rx->replay, ttt_frame_ts(dgram), dgram))
		return TTT_DROP_REPLAY;
	return TTT_PASS;
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

/* Writes a passing frame to the tap. Returns -1 when the tap is gone. */
static int deliver(struct ttt_rx *rx, size_t len)
{
	_Atomic uint64_t *c = rx->path->counters.rx;
	size_t flen = len - TTT_HDR_LEN;

	if (write(rx->path->tap_fd, rx->buf + TTT_HDR_LEN, flen) < 0) {
		int e = errno;
		ttt_count(&c[TTT_RX_TAP_ERROR], 1);
		if (ttt_fd_error_is_fatal(e)) {
			ttt_error("tap device failed: %s", strerror(e));
			return -1;
		}
		ttt_log_limited(&rx->error_rl, TTT_LOG_WARN, "cannot write to the tap: %s", strerror(e));
		return 0;
	}
	ttt_count(&c[TTT_RX_FRAMES], 1);
	ttt_count(&c[TTT_RX_BYTES], flen);
	return 0;
}

/* One datagram: 1 = handled, 0 = nothing to receive, -1 = fatal. */
static int pump_one(struct ttt_rx *rx)
{
	struct ttt_path *p = rx->path;
	struct ttt_sockaddr src;
	socklen_t slen = sizeof(src.u);
	enum ttt_verdict v;
	ssize_t n;

	n = recvfrom(p->sock_fd, rx->buf, rx->max_dgram + 1, MSG_DONTWAIT | MSG_TRUNC, &src.u.sa,
		     &slen);
	if (n < 0) {
		int e = errno;
		if (e == EAGAIN || e == EINTR)
			return e == EINTR;
		ttt_count(&p->counters.rx[TTT_RX_RECV_ERROR], 1);
		if (ttt_fd_error_is_fatal(e)) {
			ttt_error("UDP socket failed: %s", strerror(e));
			return -1;
		}
		ttt_log_limited(&rx->error_rl, TTT_LOG_WARN, "cannot receive: %s", strerror(e));
		return 1;
	}
	src.len = slen;
	v = ttt_rx_classify(rx, rx->buf, (size_t)n, &src, ttt_realtime_ns());
	if (v != TTT_PASS) {
		ttt_count(&p->counters.rx[v], 1);
		log_drop(rx, v, &src, (size_t)n);
		return 1;
	}
	ttt_rx_follow(rx, &src);
	return deliver(rx, (size_t)n) < 0 ? -1 : 1;
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
