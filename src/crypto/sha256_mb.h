/* SPDX-License-Identifier: MIT */
/* sha256_mb.h - multi-lane SHA-256 compression (many independent messages at once)
 *
 * Each kernel runs L independent SHA-256 states ("lanes") in step: one call
 * feeds every lane the same number of 64-byte blocks, each lane from its own
 * pointer. No padding here: the HMAC batch driver (hmac_batch.c) does it.
 *
 * Kernels, widest first: AVX-512 32 lanes (two sets of 16 in zmm, side by
 * side), AVX-512 16 lanes in zmm, AVX-512VL 8 lanes in ymm
 * (rotates and ternary logic), AVX2 8 lanes, two interleaved SHA-NI
 * streams, one SHA-NI stream, and portable C (always there). Which ones this
 * CPU can run is found with CPUID and XGETBV; the x86 kernels are compiled
 * with per-function target attributes, so the build needs no -m flags, and
 * on other architectures only the portable one exists. */
#ifndef TTT_SHA256_MB_H
#define TTT_SHA256_MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTT_SHA256_MB_MAX_LANES 32

/* The states are transposed: word i of lane l is st[i * lanes + l]. */
struct ttt_sha256_mb {
	const char *name; /* "avx512x32", "avx512x16", "avx512vl-x8", "avx2x8", "shani-x2",
			     "shani", "portable" */
	unsigned lanes;
	/* Runs nblocks consecutive 64-byte blocks from each p[l] through lane l. */
	void (*blocks)(uint32_t *st, const uint8_t *const p[], size_t nblocks);
	/* Whether this CPU (and its OS, for the vector registers) can run it;
	 * ttt_sha256_mb_find also honours TTT_SHA256_MB_DISABLE. */
	bool (*usable)(void);
};

/* Every kernel this build has, usable here or not, widest first (then in the
 * order above); *count receives how many. */
const struct ttt_sha256_mb *const *ttt_sha256_mb_all(size_t *count);

/* The kernel called name if this CPU can run it and the environment
 * variable TTT_SHA256_MB_DISABLE (names separated by commas, e.g.
 * "avx512x16,avx512vl-x8") does not name it; else NULL. */
const struct ttt_sha256_mb *ttt_sha256_mb_find(const char *name);

/* SHA-256's initial state (FIPS 180-4). */
extern const uint32_t ttt_sha256_mb_iv[8];

#endif
