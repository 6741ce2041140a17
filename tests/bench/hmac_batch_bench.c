/* SPDX-License-Identifier: MIT */
/* hmac_batch_bench.c - speed of the batch HMAC (ttt_hmac_batch) on each
 * kernel this CPU can run, pinned alone, and on the automatic choice
 * ("auto", which hands leftovers to narrower kernels): batches of 1, 2, 8,
 * 16, 32 and 64 messages of 64, 512 and 1418 bytes, and of random lengths
 * 64..1500 (as they come, and sorted longest first). Each message is in its
 * own buffer. Each figure is the median of REPS runs of MS milliseconds; the
 * variants take turns, run after run.
 *
 *   hmac_batch_bench [MS [REPS]]      (defaults 20 and 5)
 *
 * Prints one line per figure:
 *   <variant> <shape> <batch> <GB/s> <Mframes/s>
 * with a '*' after the variant the automatic choice uses for full batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ttt/crypto/hmac_batch.h"
#include "crypto/sha256_mb.h"

#define MAX_BATCH 64
#define MAX_LEN 1500
#define MAX_REPS 15
#define MAX_NAMES 10

static uint8_t frames[MAX_BATCH][MAX_LEN];
static uint8_t macs[MAX_BATCH][32];

static double now_s(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
		abort();
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Lengths for a batch of n: all len, or (len 0) random 64..1500, sorted or not. */
static void make_lens(size_t *lens, size_t n, size_t len, int sorted)
{
	for (size_t i = 0; i < n; i++)
		lens[i] = len ? len : 64 + (size_t)(rand() % (MAX_LEN - 64 + 1));
	if (sorted)
		qsort(lens, n, sizeof(*lens), cmp_desc);
}

/* Runs batches of lens[0..n) for ms milliseconds; *gbps and *mfps receive
 * the rates. */
static void run_once(const struct ttt_hmac_keyed *k, size_t n, const size_t *lens, double ms,
		     double *gbps, double *mfps)
{
	const uint8_t *msg[MAX_BATCH];
	uint8_t *out[MAX_BATCH];
	size_t bytes = 0, frames_done = 0;
	double start = now_s(), t;

	for (size_t i = 0; i < n; i++) {
		msg[i] = frames[i];
		out[i] = macs[i];
	}
	for (size_t i = 0; i < n; i++)
		bytes += lens[i];
	do {
		for (int r = 0; r < 16; r++)
			ttt_hmac_batch(k, n, msg, lens, out);
		frames_done += 16 * n;
		t = now_s() - start;
	} while (t < ms / 1000);
	*gbps = (double)bytes * (double)(frames_done / n) / t / 1e9;
	*mfps = (double)frames_done / t / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* fig[v] = median GB/s and Mframes/s of variant names[v] on one shape: the
 * variants take turns, run after run, so that other load on the machine
 * falls on all of them alike. Returns -1 if a variant cannot be pinned. */
static int measure(const struct ttt_hmac_keyed *k, const char *const names[], size_t nnames,
		   size_t n, size_t len, int sorted, double ms, int reps, double fig[][2])
{
	static double g[MAX_NAMES][MAX_REPS], f[MAX_NAMES][MAX_REPS];
	size_t lens[MAX_BATCH];

	srand(1);
	for (int r = 0; r < reps; r++) {
		make_lens(lens, n, len, sorted); /* the same for every variant */
		for (size_t v = 0; v < nnames; v++) {
			if (ttt_hmac_batch_force(names[v]) != 0) {
				fprintf(stderr, "cannot pin %s\n", names[v]);
				return -1;
			}
			run_once(k, n, lens, ms, &g[v][r], &f[v][r]);
		}
	}
	for (size_t v = 0; v < nnames; v++) {
		qsort(g[v], (size_t)reps, sizeof(g[v][0]), cmp_double);
		qsort(f[v], (size_t)reps, sizeof(f[v][0]), cmp_double);
		fig[v][0] = g[v][reps / 2];
		fig[v][1] = f[v][reps / 2];
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t batches[] = { 1, 2, 8, 16, 32, 64 };
	static const struct {
		const char *name;
		size_t len;
		int sorted;
	} shapes[] = { { "64", 64, 0 },          { "512", 512, 0 },
		       { "1418", 1418, 0 },      { "random64-1500", 0, 0 },
		       { "sorted64-1500", 0, 1 } };
	double ms = argc > 1 ? atof(argv[1]) : 20, fig[MAX_NAMES][2];
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	const char *names[MAX_NAMES], *chosen;
	size_t count, nnames = 0;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	struct ttt_hmac_keyed k;

	if (ms <= 0 || reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "usage: %s [MS [REPS (1..%d)]]\n", argv[0], MAX_REPS);
		return 2;
	}
	memset(frames, 0x5a, sizeof(frames));
	ttt_hmac_keyed_init(&k, (const uint8_t *)"benchmark key", 13);
	for (size_t i = 0; i < count && nnames < MAX_NAMES - 1; i++)
		if (ttt_sha256_mb_find(all[i]->name))
			names[nnames++] = all[i]->name;
	names[nnames++] = "auto";
	chosen = ttt_hmac_batch_variant();
	printf("# automatic choice: %s (chain %s); median of %d runs of %.0f ms\n", chosen,
	       ttt_hmac_batch_chain(), reps, ms);
	printf("# %-14s %-14s %5s %8s %10s\n", "variant", "shape", "batch", "GB/s", "Mframes/s");
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++)
			if (measure(&k, names, nnames, batches[b], shapes[s].len, shapes[s].sorted, ms,
				    reps, fig) != 0)
				return 1;
			else
				for (size_t v = 0; v < nnames; v++)
					printf("%-13s%s %-14s %5zu %8.3f %10.3f\n", names[v],
					       strcmp(names[v], chosen) == 0 ? "*" : " ",
					       shapes[s].name, batches[b], fig[v][0], fig[v][1]);
	return ttt_hmac_batch_force("auto") == 0 ? 0 : 1;
}
