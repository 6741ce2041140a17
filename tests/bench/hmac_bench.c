/* SPDX-License-Identifier: MIT */
/* hhmac_bench.c - HMAC-SHA256 speed as the data path uses it (one MAC per
 * datagram over timestamp || frame), for the MAC in use and for libsodium.
 * Prints "hmac <impl> <frame bytes> <frames/s> <GB/s> <us per frame>". */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "ttt/util/clock.h"
#include "datapath/frame.h"
#include "ttt/crypto/hmac.h"

static void run(const struct ttt_hmac *hmac, size_t frame_len)
{
	static uint8_t buf[TTT_HDR_LEN + 65536];
	uint64_t start = ttt_monotonic_ns(), now, n = 0;
	double secs, bytes;

	memset(buf, 0x5a, sizeof(buf));
	do {
		for (int i = 0; i < 1000; i++)
			ttt_frame_seal(hmac, buf, frame_len, n + (uint64_t)i);
		n += 1000;
		now = ttt_monotonic_ns();
	} while (now - start < 700 * 1000 * 1000ULL);
	secs = (double)(now - start) / 1e9;
	bytes = (double)n * (double)(TTT_TS_LEN + frame_len);
	printf("hmac %s %zu %.0f %.3f %.3f\n", ttt_hmac_backend(hmac), frame_len, (double)n / secs,
	       bytes / secs / 1e9, secs * 1e6 / (double)n);
}

int main(void)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	struct ttt_hmac *macs[2] = { ttt_hmac_new(key, sizeof(key)),
				    ttt_hmac_new_portable(key, sizeof(key)) };

	for (int i = 0; i < 2; i++) {
		if (!macs[i])
			return 1;
		if (i == 1 && strcmp(ttt_hmac_backend(macs[0]), ttt_hmac_backend(macs[1])) == 0)
			break; /* no SHA-NI here: the two are the same */
		run(macs[i], 64);
		run(macs[i], 1418);
	}
	ttt_hmac_free(macs[0]);
	ttt_hmac_free(macs[1]);
	return 0;
}
