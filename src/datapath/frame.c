/* SPDX-License-Identifier: MIT */
/* frame.c - sealing and opening v1.4 datagrams */
#include "frame.h"

#include "ttt/util/bytes.h"

static const char *const verdict_names[TTT_VERDICT_COUNT] = {
	[TTT_PASS] = "pass",
	[TTT_DROP_SHORT] = "short",
	[TTT_DROP_OVERSIZE] = "oversize",
	[TTT_DROP_WRONG_SOURCE] = "wrong_source",
	[TTT_DROP_BAD_HMAC] = "bad_mac",
	[TTT_DROP_STALE] = "stale",
	[TTT_DROP_FUTURE] = "future",
	[TTT_DROP_RUNT] = "runt",
	[TTT_DROP_REPLAY] = "replay",
	[TTT_DROP_REFLECTED] = "reflected",
};

const char *ttt_verdict_name(enum ttt_verdict v)
{
	return (unsigned)v < TTT_VERDICT_COUNT ? verdict_names[v] : "unknown";
}

void ttt_frame_keepalive(uint8_t *frame)
{
	static const uint8_t dst[TTT_ETH_ALEN] = TTT_KEEPALIVE_DST;
	static const uint8_t src[TTT_ETH_ALEN] = TTT_KEEPALIVE_SRC;

	memcpy(frame, dst, TTT_ETH_ALEN);
	memcpy(frame + TTT_ETH_ALEN, src, TTT_ETH_ALEN);
	ttt_put_be16(frame + 2 * TTT_ETH_ALEN, TTT_ETH_P_EXPERIMENTAL);
}

uint64_t ttt_frame_ts(const uint8_t *dgram)
{
	return ttt_get_be64(dgram + TTT_HMAC_LEN);
}

void ttt_frame_seal(const struct ttt_hmac *hmac, uint8_t *dgram, size_t frame_len,
		    uint64_t ts_ns)
{
	ttt_put_be64(dgram + TTT_HMAC_LEN, ts_ns);
	ttt_hmac_compute(hmac, dgram + TTT_HMAC_LEN, TTT_TS_LEN + frame_len, dgram);
}

enum ttt_verdict ttt_frame_check_len(size_t len, size_t max_dgram)
{
	if (len < TTT_HDR_LEN + 1)
		return TTT_DROP_SHORT;
	if (len > max_dgram)
		return TTT_DROP_OVERSIZE;
	return TTT_PASS;
}

/* Unsigned distances, so no timestamp (0, 2^63, 2^64-1) can overflow them. */
static enum ttt_verdict check_time(uint64_t ts, uint64_t now, uint64_t window)
{
	if (ts <= now)
		return now - ts > window ? TTT_DROP_STALE : TTT_PASS;
	return ts - now > window ? TTT_DROP_FUTURE : TTT_PASS;
}

enum ttt_verdict ttt_frame_open(const struct ttt_hmac *hmac, const uint8_t *dgram, size_t len,
				size_t max_dgram, uint64_t now_ns, uint64_t window_ns)
{
	enum ttt_verdict v = ttt_frame_check_len(len, max_dgram);

	if (v != TTT_PASS)
		return v;
	if (!ttt_hmac_verify(hmac, dgram + TTT_HMAC_LEN, len - TTT_HMAC_LEN, dgram))
		return TTT_DROP_BAD_HMAC;
	v = check_time(ttt_frame_ts(dgram), now_ns, window_ns);
	if (v != TTT_PASS)
		return v;
	if (len - TTT_HDR_LEN < TTT_ETH_HLEN)
		return TTT_DROP_RUNT;
	return TTT_PASS;
}
