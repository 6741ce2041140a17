/* SPDX-License-Identifier: MIT */
/* hmac.h - HMAC-SHA256 under the preshared key
 *
 * The key is absorbed once into pre-keyed states held in guarded memory;
 * each MAC starts from copies of them. Verification compares in constant
 * time. */
#ifndef TTT_HMAC_H
#define TTT_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ttt/proto.h" /* TTT_HMAC_LEN */

struct ttt_hmac;

/* Returns NULL when secure memory cannot be had. Any key length works. The
 * hash runs on SHA-NI where the CPU has it, else on libsodium. */
struct ttt_hmac *ttt_hmac_new(const uint8_t *key, size_t len);

/* The same on libsodium whatever the CPU (to compare, in tests and benchmarks). */
struct ttt_hmac *ttt_hmac_new_portable(const uint8_t *key, size_t len);

/* Which implementation this MAC runs on: "SHA-NI" or "libsodium x.y.z". */
const char *ttt_hmac_backend(const struct ttt_hmac *hmac);

/* Wipes and frees (NULL is fine). */
void ttt_hmac_free(struct ttt_hmac *hmac);

void ttt_hmac_compute(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
		     uint8_t out[TTT_HMAC_LEN]);

/* Constant-time comparison of the MAC of msg with expect. */
bool ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
		    const uint8_t expect[TTT_HMAC_LEN]);

/* out[i] = the MAC of msg[i] (len[i] bytes) for every i < n, the same as
 * ttt_hmac_compute one after another: on the multi-buffer kernels when n > 1
 * and this CPU has one, else one message at a time. No out[i] may overlap
 * a message. Allocates nothing. */
void ttt_hmac_compute_batch(const struct ttt_hmac *hmac, size_t n, const uint8_t *const msg[],
			    const size_t len[], uint8_t *const out[]);

/* ok[i] = whether the MAC of msg[i] equals expect[i] (each compared in
 * constant time), for every i < n; as ttt_hmac_verify one after another. */
void ttt_hmac_verify_batch(const struct ttt_hmac *hmac, size_t n, const uint8_t *const msg[],
			   const size_t len[], const uint8_t *const expect[], bool ok[]);

/* What batches of frames run on: the multi-buffer kernels, widest first
 * (e.g. "avx512x32+shani-x2+shani", see hmac_batch.h), or ttt_hmac_backend's
 * answer when they go one at a time (this MAC is the portable one, or the
 * CPU has only the portable kernel). Measures the kernels the first time
 * (about 1.5 ms). */
const char *ttt_hmac_batch_backend(const struct ttt_hmac *hmac);

#endif
