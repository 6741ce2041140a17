/* SPDX-License-Identifier: MIT */
/* frame.h - the tinytaptunnel v1.4 datagram
 *
 *     | HMAC-SHA256 (32) | UNIX time ns, big-endian u64 (8) | frame (1..MTU+14) |
 *
 * The MAC covers timestamp || frame. These functions are pure: the caller
 * supplies the time, so captured datagrams can be verified later. */
#ifndef TTT_FRAME_H
#define TTT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ttt/crypto/hmac.h"
#include "ttt/proto.h"

/* Why a received datagram was dropped; TTT_PASS when it was not. */
enum ttt_verdict {
	TTT_PASS = 0,
	TTT_DROP_SHORT,        /* fewer than 41 bytes */
	TTT_DROP_OVERSIZE,     /* more than 40 + MTU + 14 bytes */
	TTT_DROP_WRONG_SOURCE, /* not from the configured peer */
	TTT_DROP_BAD_HMAC,
	TTT_DROP_STALE,  /* timestamp older than the window */
	TTT_DROP_FUTURE, /* timestamp further ahead than the window */
	TTT_DROP_RUNT,   /* authentic, but shorter than an Ethernet header */
	TTT_DROP_REPLAY, /* an exact copy of an accepted datagram */
	TTT_DROP_REFLECTED, /* authentic, but sealed by this worker (sent back to it) */
	TTT_VERDICT_COUNT
};

/* Short lower-case name of a verdict, e.g. "bad_mac". */
const char *ttt_verdict_name(enum ttt_verdict v);

static inline size_t ttt_frame_max(unsigned mtu)
{
	return (size_t)mtu + TTT_ETH_HLEN;
}

static inline size_t ttt_dgram_max(unsigned mtu)
{
	return TTT_HDR_LEN + ttt_frame_max(mtu);
}

/* The frame at dgram + TTT_HDR_LEN (frame_len bytes) gets its timestamp and
 * MAC written in front of it. The datagram is TTT_HDR_LEN + frame_len long. */
void ttt_frame_seal(const struct ttt_hmac *hmac, uint8_t *dgram, size_t frame_len,
		    uint64_t ts_ns);

/* Length check alone (cheap, done before anything else). */
enum ttt_verdict ttt_frame_check_len(size_t len, size_t max_dgram);

/* Full check: length, MAC, timestamp against now +- window, runt. On
 * TTT_PASS the frame is dgram + TTT_HDR_LEN, len - TTT_HDR_LEN bytes long. */
enum ttt_verdict ttt_frame_open(const struct ttt_hmac *hmac, const uint8_t *dgram, size_t len,
				size_t max_dgram, uint64_t now_ns, uint64_t window_ns);

/* Whether an authentic frame is a keepalive (see TTT_KEEPALIVE_DST): its
 * destination is the pause group address and its type the experimental one.
 * Nothing else legitimately goes there: such a frame is never forwarded. */
static inline bool ttt_frame_is_keepalive(const uint8_t *frame, size_t len)
{
	static const uint8_t dst[TTT_ETH_ALEN] = TTT_KEEPALIVE_DST;

	return len >= TTT_ETH_HLEN && frame[0] == dst[0] && memcmp(frame, dst, TTT_ETH_ALEN) == 0 &&
	       frame[12] == (TTT_ETH_P_EXPERIMENTAL >> 8) &&
	       frame[13] == (TTT_ETH_P_EXPERIMENTAL & 0xff);
}

/* Writes the keepalive frame (TTT_KEEPALIVE_LEN bytes) at frame. */
void ttt_frame_keepalive(uint8_t *frame);

/* The timestamp of a datagram of at least TTT_HDR_LEN bytes. */
uint64_t ttt_frame_ts(const uint8_t *dgram);

#endif
