/* SPDX-License-Identifier: MIT */
/* hmac_bench.c - HMAC-SHA256 speed as the data path uses it (one MAC per
 * datagram over timestamp || frame): in batches of BATCH datagrams laid
 * back to back (ttt_frame_seal_batch, as the send direction seals the
 * segments of a TCP superframe), one at a time (ttt_frame_seal, a lone
 * frame), and one at a time on libsodium.
 * Prints "hmac <impl> <frame bytes> <frames/s> <GB/s> <us per frame>". */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "ttt/util/clock.h"
#include "datapath/frame.h"
#include "ttt/crypto/hmac.h"

#define BATCH 32
#define SECONDS_NS (700 * 1000 * 1000ULL)

static void report(const char *impl, size_t frame_len, uint64_t n, uint64_t ns)
{
	double secs = (double)ns / 1e9, bytes = (double)n * (double)(TTT_TS_LEN + frame_len);

	printf("hmac %s %zu %.0f %.3f %.3f\n", impl, frame_len, (double)n / secs, bytes / secs / 1e9,
	       secs * 1e6 / (double)n);
}

static void run(const struct ttt_hmac *hmac, size_t frame_len)
{
	static uint8_t buf[TTT_HDR_LEN + 65536];
	uint64_t start = ttt_monotonic_ns(), now, n = 0;

	memset(buf, 0x5a, sizeof(buf));
	do {
		for (int i = 0; i < 1000; i++)
			ttt_frame_seal(hmac, buf, frame_len, n + (uint64_t)i);
		n += 1000;
		now = ttt_monotonic_ns();
	} while (now - start < SECONDS_NS);
	report(ttt_hmac_backend(hmac), frame_len, n, now - start);
}

/* BATCH datagrams of frame_len bytes back to back, stamped and sealed together. */
static void run_batch(const struct ttt_hmac *hmac, size_t frame_len)
{
	static uint8_t buf[BATCH * (TTT_HDR_LEN + 1500)];
	uint8_t *dgram[BATCH];
	size_t flen[BATCH];
	uint64_t start = ttt_monotonic_ns(), now, n = 0;
	char impl[160];

	memset(buf, 0x5a, sizeof(buf));
	for (size_t i = 0; i < BATCH; i++) {
		dgram[i] = buf + i * (TTT_HDR_LEN + frame_len);
		flen[i] = frame_len;
	}
	do {
		for (int r = 0; r < 100; r++) {
			for (size_t i = 0; i < BATCH; i++)
				ttt_frame_stamp(dgram[i], n + i);
			ttt_frame_seal_batch(hmac, BATCH, dgram, flen);
			n += BATCH;
		}
		now = ttt_monotonic_ns();
	} while (now - start < SECONDS_NS);
	snprintf(impl, sizeof(impl), "in batches of %d, %s", BATCH, ttt_hmac_batch_backend(hmac));
	report(impl, frame_len, n, now - start);
}

int main(void)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	struct ttt_hmac *macs[2] = { ttt_hmac_new(key, sizeof(key)),
				    ttt_hmac_new_portable(key, sizeof(key)) };

	if (!macs[0] || !macs[1])
		return 1;
	run_batch(macs[0], 64);
	run_batch(macs[0], 1418);
	for (int i = 0; i < 2; i++) {
		if (i == 1 && strcmp(ttt_hmac_backend(macs[0]), ttt_hmac_backend(macs[1])) == 0)
			break; /* no SHA-NI here: the two are the same */
		run(macs[i], 64);
		run(macs[i], 1418);
	}
	ttt_hmac_free(macs[0]);
	ttt_hmac_free(macs[1]);
	return 0;
}
