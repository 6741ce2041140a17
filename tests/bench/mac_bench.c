/* mac_bench.c - HMAC-SHA256 speed of the library's MAC, as the data path
 * uses it (one MAC per datagram over timestamp || frame). Prints bytes/s and
 * frames/s for 64-byte and 1418-byte frames. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "ttt/clock.h"
#include "ttt/frame.h"
#include "ttt/mac.h"

static void run(const struct ttt_mac *mac, size_t frame_len)
{
	static uint8_t buf[TTT_HDR_LEN + 65536];
	uint64_t start = ttt_monotonic_ns(), now, n = 0;

	memset(buf, 0x5a, sizeof(buf));
	do {
		for (int i = 0; i < 1000; i++)
			ttt_frame_seal(mac, buf, frame_len, n + (uint64_t)i);
		n += 1000;
		now = ttt_monotonic_ns();
	} while (now - start < 700 * 1000 * 1000ULL);
	double secs = (double)(now - start) / 1e9;
	double bytes = (double)n * (double)(TTT_TS_LEN + frame_len);
	printf("mac %zu %.0f %.3f %.3f\n", frame_len, (double)n / secs, bytes / secs / 1e9,
	       secs * 1e6 / (double)n);
}

int main(void)
{
	static const uint8_t key[32] = { 1, 2, 3 };
	struct ttt_mac *mac = ttt_mac_new(key, sizeof(key));

	if (!mac)
		return 1;
	printf("# mac <frame bytes> <frames/s> <GB/s over ts||frame> <us per frame> (%s)\n",
	       ttt_mac_backend());
	run(mac, 64);
	run(mac, 1418);
	ttt_mac_free(mac);
	return 0;
}
