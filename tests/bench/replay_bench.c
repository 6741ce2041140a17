/* SPDX-License-Identifier: MIT */
/* replay_bench.c - the replay filter's cost per accepted datagram (8192
 * entries, always full, as on a busy link), for MACs as they come (random)
 * and for MACs an attacker picked to share their low 32 bits (the bits the
 * filter's index once used), with the longest probe that leaves.
 * Prints "replay <case> <ns per datagram> <longest probe in cells>". */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "datapath/replay.h"
#include "ttt/util/clock.h"

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int run(const char *name, int steered)
{
	enum { N = 2000000 };
	struct ttt_replay *r = ttt_replay_new(TTT_REPLAY_DEFAULT_CAPACITY);
	uint8_t mac[TTT_HMAC_LEN];
	uint64_t start;

	if (!r)
		return 1;
	start = ttt_monotonic_ns();
	for (uint64_t i = 1; i <= N; i++) {
		uint64_t w[4] = { steered ? 0x5a5a5a5aULL | (i << 32) : splitmix(i), splitmix(~i), i, ~i };
		memcpy(mac, w, sizeof(mac));
		(void)ttt_replay_accept(r, i, mac);
	}
	printf("replay %s %.1f %u\n", name, (double)(ttt_monotonic_ns() - start) / N,
	       ttt_replay_longest_probe(r));
	ttt_replay_free(r);
	return 0;
}

int main(void)
{
	return run("random-macs", 0) | run("steered-macs", 1);
}
