/* send.c - tap to UDP */
#include "ttt/send.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ttt/clock.h"
#include "ttt/frame.h"
#include "ttt/log.h"
#include "ttt/ratelimit.h"

/* Room for any frame a tap can hand over, so that none is truncated. */
#define SEND_FRAME_CAP 65536

struct sender {
	struct ttt_path *path;
	uint8_t *buf; /* TTT_HDR_LEN of headroom, then the frame */
	struct ttt_peer_view peer;
	struct ttt_ratelimit log_rl;
};

/* Seals and sends one frame of len bytes sitting at buf + TTT_HDR_LEN. */
static int send_frame(struct sender *s, size_t len)
{
	struct ttt_path *p = s->path;
	_Atomic uint64_t *tx = p->counters.tx;

	if (!ttt_peer_get(&p->peer, &s->peer)) {
		ttt_count(&tx[TTT_TX_NO_PEER], 1);
		return 0;
	}
	ttt_frame_seal(p->mac, s->buf, len, ttt_realtime_ns());
	if (sendto(p->sock_fd, s->buf, TTT_HDR_LEN + len, MSG_DONTWAIT, &s->peer.addr.u.sa,
		   s->peer.addr.len) < 0) {
		int e = errno;
		ttt_count(&tx[TTT_TX_SEND_ERROR], 1);
		if (ttt_fd_error_is_fatal(e)) {
			ttt_error("UDP socket failed: %s", strerror(e));
			return -1;
		}
		ttt_log_limited(&s->log_rl, TTT_LOG_WARN, "cannot send to the peer: %s", strerror(e));
		return 0;
	}
	ttt_count(&tx[TTT_TX_FRAMES], 1);
	ttt_count(&tx[TTT_TX_BYTES], len);
	return 0;
}

/* One read from the tap: 1 = handled, 0 = nothing to read, -1 = fatal. */
static int pump_one(struct sender *s)
{
	struct ttt_path *p = s->path;
	ssize_t n = read(p->tap_fd, s->buf + TTT_HDR_LEN, SEND_FRAME_CAP);

	if (n < 0) {
		int e = errno;
		if (e == EAGAIN || e == EINTR)
			return e == EINTR;
		ttt_count(&p->counters.tx[TTT_TX_TAP_ERROR], 1);
		if (ttt_fd_error_is_fatal(e)) {
			ttt_error("tap device failed: %s", strerror(e));
			return -1;
		}
		ttt_log_limited(&s->log_rl, TTT_LOG_WARN, "cannot read from the tap: %s", strerror(e));
		return 1;
	}
	if (n == 0)
		return 1;
	if ((size_t)n > ttt_frame_max(p->mtu)) {
		ttt_count(&p->counters.tx[TTT_TX_OVERSIZE], 1);
		return 1;
	}
	return send_frame(s, (size_t)n) < 0 ? -1 : 1;
}

int ttt_send_run(struct ttt_path *path)
{
	struct sender s = { .path = path, .log_rl = TTT_RATELIMIT_INIT(10 * TTT_NSEC_PER_SEC, 5) };
	int rc = 0;

	s.buf = malloc(TTT_HDR_LEN + SEND_FRAME_CAP);
	if (!s.buf) {
		ttt_error("out of memory for the send buffer");
		return -1;
	}
	while (!ttt_path_stopping(path)) {
		int r = pump_one(&s);
		if (r == 0)
			r = ttt_path_wait(path, path->tap_fd, TTT_IDLE_PROBE_MS);
		if (r <= 0) {
			rc = r;
			break;
		}
	}
	free(s.buf);
	return rc;
}
