/* SPDX-License-Identifier: MIT */
/* fuzz_frame.c - libFuzzer harness: datagram decapsulation (ttt_frame_open)
 * and the whole receive classification (ttt_rx_classify: length, source,
 * MAC, time window, runt, replay filter) over a sequence of datagrams.
 *
 * The key is the one of the captured v1.4 vectors, so a captured datagram
 * in a seed is authentic. A datagram can also be sealed by the harness
 * before it is classified, so the checks after the MAC are reached, and
 * noted as one the worker sent itself, so that it comes back reflected.
 * The replay filter has capacity 8, so it sees many insertions and
 * evictions (oldest timestamp first, in any arrival order); its verdicts and
 * its floor are compared with a reference model (abort on mismatch).
 * The MAC of every datagram is also computed on libsodium
 * (ttt_hmac_new_portable) and must equal the one from the SHA-NI code.
 *
 * Input: a 9-byte header, then records until the input ends.
 *   header  [0] config: bits 0-1 MTU (1418, 68, 1500, 65453), bit 2 explicit
 *               peer (else discovery), bits 3-4 window (3 s, 0, 1 ns,
 *               2^64-1), bit 5 "now" is bytes 1-8 verbatim (else the
 *               capture time + bytes 1-4 as a signed count of microseconds)
 *           [1..8] now (see above), little-endian
 *   record  [0] flags: bit 0 seal the datagram (needs >= 40 bytes),
 *               bits 1-2 source (0 the peer 198.18.0.2:9123, 1 198.18.0.1:9123,
 *               2 198.18.0.2:9124, 3 [2001:db8::2]:9123), bit 3 send the
 *               previous datagram again (no length, no data follow),
 *               bit 4 when sealing, stamp now + d * max(window/4096, 1) ns
 *               instead of the datagram's own timestamp bytes, bit 5 the
 *               clock first moves by c * 10 ms, bit 6 the length is one
 *               byte (else two), bit 7 the worker sent this datagram
 *               itself (its MAC is noted as sealed: it must come back as
 *               reflected)
 *           then c (signed byte, bit 5), d (signed, 2 bytes, bit 4), the
 *           length, and that many bytes of datagram (zeros when the input
 *           ends early). Numbers are little-endian. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/frame.h"
#include "ttt/util/log.h"
#include "ttt/crypto/hmac.h"
#include "datapath/path.h"
#include "datapath/peer.h"
#include "datapath/receive.h"
#include "datapath/replay.h"
#include "datapath/sealed.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 256
#define REPLAY_CAPACITY 8

/* tests/vectors/preshared.key */
static const uint8_t KEY[32] = { 0x01, 0x4f, 0x09, 0x4a, 0x60, 0x2b, 0x96, 0xa7,
				 0x00, 0x53, 0xb2, 0xea, 0x33, 0xd8, 0xfe, 0x43,
				 0x75, 0xd5, 0x15, 0x0c, 0x97, 0x16, 0xa2, 0x5b,
				 0xd9, 0xfe, 0xb8, 0xe2, 0x3b, 0x4c, 0xd7, 0xc9 };
static const uint64_t CAPTURE_NS = 1795550851000000000ULL; /* just before the vectors */
static const unsigned MTUS[4] = { 1418, 68, 1500, 65453 };
static const uint64_t WINDOWS[4] = { 3000000000ULL, 0, 1, UINT64_MAX };

static struct ttt_hmac *hmac, *portable;
static struct ttt_sockaddr sources[4];

/* The replay filter as its header describes it: the tags (first 16 bytes of
 * the MAC) of at most REPLAY_CAPACITY accepted datagrams; when one more is
 * accepted, one with the lowest timestamp (the new one included) is
 * forgotten and its timestamp raises the floor. */
struct model {
	uint64_t ts[REPLAY_CAPACITY];
	uint8_t tag[REPLAY_CAPACITY][16];
	unsigned count;
	uint64_t floor;
};

static bool model_accept(struct model *m, uint64_t ts, const uint8_t *mac_bytes)
{
	unsigned lo = 0;

	if (ts <= m->floor)
		return false;
	for (unsigned i = 0; i < m->count; i++)
		if (memcmp(m->tag[i], mac_bytes, 16) == 0)
			return false;
	if (m->count < REPLAY_CAPACITY) {
		m->ts[m->count] = ts;
		memcpy(m->tag[m->count++], mac_bytes, 16);
		return true;
	}
	for (unsigned i = 1; i < m->count; i++)
		if (m->ts[i] < m->ts[lo])
			lo = i;
	if (ts <= m->ts[lo]) {
		m->floor = ts;
		return true;
	}
	m->floor = m->ts[lo];
	m->ts[lo] = ts;
	memcpy(m->tag[lo], mac_bytes, 16);
	return true;
}

static void v4(struct ttt_sockaddr *a, const char *ip, uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, ip, &in.sin_addr) != 1)
		abort();
	ttt_sockaddr_set(a, (struct sockaddr *)&in, sizeof(in));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(9123) };

	(void)argc;
	(void)argv;
	ttt_log_init("fuzz_frame", TTT_LOG_ERROR); /* no line per peer change */
	hmac = ttt_hmac_new(KEY, sizeof(KEY));
	portable = ttt_hmac_new_portable(KEY, sizeof(KEY));
	if (!hmac || !portable)
		abort();
	v4(&sources[0], "198.18.0.2", 9123);
	v4(&sources[1], "198.18.0.1", 9123);
	v4(&sources[2], "198.18.0.2", 9124);
	if (inet_pton(AF_INET6, "2001:db8::2", &in6.sin6_addr) != 1)
		abort();
	ttt_sockaddr_set(&sources[3], (struct sockaddr *)&in6, sizeof(in6));
	return 0;
}

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct reader *r, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b = 0;
		if (r->left) {
			b = *r->p++;
			r->left--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

/* n bytes into out, zeros past the end of the input. */
static void take_bytes(struct reader *r, uint8_t *out, size_t n)
{
	size_t have = n < r->left ? n : r->left;

	memcpy(out, r->p, have);
	memset(out + have, 0, n - have);
	r->p += have;
	r->left -= have;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct ttt_path path;
	struct ttt_sealed *sealed;
	struct ttt_rx *rx;
	struct model model;
	uint8_t cfg;
	uint64_t now, window, unit;
	size_t max_dgram;
	uint8_t *prev = NULL;
	size_t prev_len = 0;

	if (size < 9)
		return 0;
	cfg = (uint8_t)take(&r, 1);
	now = take(&r, 8);
	if (!(cfg & 0x20))
		now = CAPTURE_NS + (uint64_t)((int64_t)(int32_t)(uint32_t)now * 1000);
	memset(&path, 0, sizeof(path));
	memset(&model, 0, sizeof(model));
	path.tap_fd = -1;
	path.sock_fd = -1;
	path.stop_fd = -1;
	path.mtu = MTUS[cfg & 3];
	path.window_ns = window = WINDOWS[(cfg >> 3) & 3];
	path.fixed_peer = (cfg & 4) != 0;
	path.hmac = hmac;
	sealed = ttt_sealed_new();
	if (!sealed)
		abort();
	path.sealed = sealed;
	ttt_peer_init(&path.peer, path.fixed_peer ? &sources[0] : NULL);
	rx = ttt_rx_new(&path, REPLAY_CAPACITY);
	if (!rx)
		abort();
	max_dgram = ttt_dgram_max(path.mtu); /* a receiver takes whatever v1.4 sends, too */
	if (max_dgram < TTT_V14_DGRAM_MAX)
		max_dgram = TTT_V14_DGRAM_MAX;
	unit = window / 4096 ? window / 4096 : 1;

	for (int rec = 0; rec < MAX_RECORDS && r.left; rec++) {
		uint8_t f = (uint8_t)take(&r, 1);
		const struct ttt_sockaddr *src = &sources[(f >> 1) & 3];
		uint64_t ts = 0;
		bool relative = (f & 0x10) != 0;
		enum ttt_verdict open_v, v;
		uint8_t *dg;
		size_t len;

		if (f & 0x20)
			now += (uint64_t)((int64_t)(int8_t)take(&r, 1) * 10000000);
		if (relative)
			ts = now + (uint64_t)(int64_t)(int16_t)take(&r, 2) * unit;
		if ((f & 0x08) && prev) {
			len = prev_len;
			dg = malloc(len ? len : 1);
			if (!dg)
				abort();
			memcpy(dg, prev, len);
		} else {
			len = (size_t)take(&r, (f & 0x40) ? 1 : 2);
			dg = malloc(len ? len : 1); /* exactly len: ASan sees any overrun */
			if (!dg)
				abort();
			take_bytes(&r, dg, len);
			if ((f & 0x01) && len >= TTT_HDR_LEN)
				ttt_frame_seal(hmac, dg, len - TTT_HDR_LEN,
					       relative ? ts : ttt_frame_ts(dg));
		}

		if ((f & 0x80) && len >= TTT_HMAC_LEN)
			ttt_sealed_note(sealed, dg); /* the worker sent it: now it comes back */
		if (len >= TTT_HMAC_LEN) { /* both implementations agree */
			uint8_t a[TTT_HMAC_LEN], b[TTT_HMAC_LEN];

			ttt_hmac_compute(hmac, dg + TTT_HMAC_LEN, len - TTT_HMAC_LEN, a);
			ttt_hmac_compute(portable, dg + TTT_HMAC_LEN, len - TTT_HMAC_LEN, b);
			if (memcmp(a, b, sizeof(a)) != 0)
				abort();
		}
		open_v = ttt_frame_open(hmac, dg, len, max_dgram, now, window);
		v = ttt_rx_classify(rx, dg, len, src, now);
		(void)ttt_verdict_name(v);
		if (v == TTT_DROP_WRONG_SOURCE) {
			if (!path.fixed_peer || ttt_sockaddr_equal(src, &sources[0]) ||
			    open_v == TTT_DROP_SHORT || open_v == TTT_DROP_OVERSIZE)
				abort();
		} else if (path.fixed_peer && !ttt_sockaddr_equal(src, &sources[0]) &&
			   open_v != TTT_DROP_SHORT && open_v != TTT_DROP_OVERSIZE) {
			abort(); /* a datagram from elsewhere got past the source check */
		} else if (open_v != TTT_PASS) {
			if (v != open_v)
				abort(); /* classify and open disagree */
		} else if (ttt_sealed_has(sealed, dg)) {
			if (v != TTT_DROP_REFLECTED)
				abort(); /* what the worker sealed comes back reflected */
		} else {
			/* Authentic, in the window, long enough: the replay filter
			 * decides, and must agree with the model. */
			bool fresh = model_accept(&model, ttt_frame_ts(dg), dg);
			if (v != (fresh ? TTT_PASS : TTT_DROP_REPLAY))
				abort();
			if (ttt_replay_floor(ttt_rx_replay(rx)) != model.floor)
				abort();
		}
		if (v == TTT_PASS) {
			if (len - TTT_HDR_LEN < TTT_ETH_HLEN || len > max_dgram)
				abort();
			ttt_rx_follow(rx, src);
		}
		free(prev);
		prev = dg;
		prev_len = len;
	}
	free(prev);
	ttt_rx_free(rx);
	free(sealed);
	return 0;
}
