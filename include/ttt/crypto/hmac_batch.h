/* SPDX-License-Identifier: MIT */
/* hmac_batch.h - HMAC-SHA256 of many messages at once on multi-lane SHA-256
 *
 * The messages' hashes run side by side in the lanes of a SIMD kernel
 * (sha256_mb.h): 32 or 16 at a time with AVX-512, 8 with AVX2, 2 with two
 * interleaved SHA-NI streams. Which kernel is found once, at the first
 * call: the fastest of those this CPU can run on a batch of 32 messages of
 * 1418 bytes, measured for about a millisecond. Whatever is left
 * over once fewer messages than lanes remain (the end of a batch, small
 * batches, one long message among short ones) moves on to narrower kernels
 * (two-stream then one-stream SHA-NI, where the CPU has it) when their
 * measured cost says it finishes sooner there. */
#ifndef TTT_HMAC_BATCH_H
#define TTT_HMAC_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define TTT_HMAC_BATCH_LEN 32

/* The SHA-256 states after one 64-byte block of key ^ ipad (inner) and of
 * key ^ opad (outer). Secret: wipe when done. */
struct ttt_hmac_keyed {
	uint32_t inner[8], outer[8];
};

/* Derives the states from a key of any length (longer than 64 bytes: its
 * SHA-256 is the key, as RFC 2104 says). */
void ttt_hmac_keyed_init(struct ttt_hmac_keyed *k, const uint8_t *key, size_t len);

/* out[i] = HMAC-SHA256(key, msg[i][0..len[i])) for every i < n: any n, any
 * lengths (msg[i] may be NULL when len[i] is 0). The out[i] must not overlap
 * any message. Safe from any number of threads at once; allocates nothing. */
void ttt_hmac_batch(const struct ttt_hmac_keyed *k, size_t n, const uint8_t *const msg[],
		    const size_t len[], uint8_t *const out[]);

/* The kernel that takes full batches: "avx512x32", "avx512x16",
 * "avx512vl-x8", "avx2x8", "shani-x2", "shani" or "portable". */
const char *ttt_hmac_batch_variant(void);

/* The kernels in use, widest first, joined by '+' (e.g.
 * "avx512x16+shani-x2+shani"). */
const char *ttt_hmac_batch_chain(void);

/* For tests and benchmarks, not while another thread is in ttt_hmac_batch:
 * pins a kernel ("shani-x2"), or a chain of them to hand the leftovers to
 * ("avx512x16+shani"), or "auto" for the measured choice again. Returns 0,
 * or -1 (errno ENOTSUP, nothing changed) when a name is unknown or this CPU
 * cannot run it, or the chain is too long. */
int ttt_hmac_batch_force(const char *variant);

#endif
