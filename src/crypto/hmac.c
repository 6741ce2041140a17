/* SPDX-License-Identifier: MIT */
/* hmac.c - HMAC-SHA256 under the preshared key
 *
 * On CPUs with SHA-NI a lone message runs on the one-stream SHA-NI kernel
 * of sha256_mb.h (about 4.5x libsodium 1.0.18, which has no such path
 * here); elsewhere on libsodium. Either way the states after absorbing the
 * padded key blocks (K ^ ipad, K ^ opad) are computed once
 * (ttt_hmac_keyed_init, hmac_batch.h), kept in guarded read-only memory,
 * and each MAC starts from copies of them: nothing is allocated per frame
 * and the shared states are only read, by any number of threads.
 *
 * Batches of messages go to hmac_batch.c's multi-buffer kernels (the same
 * keyed states), unless this MAC is the portable one or the CPU has
 * nothing better than the portable kernel there: then they go one at a
 * time, as lone messages always do. */
#include "ttt/crypto/hmac.h"

#include <sodium.h>
#include <string.h>

#include "sha256_mb.h"
#include "ttt/crypto/hmac_batch.h"
#include "ttt/util/bytes.h"

#define BLOCK TTT_SHA256_BLOCK
#define VERIFY_CHUNK 64 /* MACs compared per batch call (room on the stack) */

struct ttt_hmac {
	const struct ttt_sha256_mb *one;    /* one-stream SHA-NI, or NULL: libsodium */
	bool multi;                         /* batches may use hmac_batch.c */
	struct ttt_hmac_keyed batch;        /* after one key block each (not for libsodium) */
	crypto_auth_hmacsha256_state keyed; /* libsodium */
};

const char *ttt_hmac_backend(const struct ttt_hmac *hmac)
{
	return hmac->one ? "SHA-NI" : "libsodium " SODIUM_VERSION_STRING;
}

/* SHA-256 of (a 64-byte prefix already in `start`) || msg, on kernel e. */
static void hw_digest(const struct ttt_sha256_mb *e, const uint32_t start[8], const uint8_t *msg,
		      size_t len, uint8_t out[TTT_HMAC_LEN])
{
	uint8_t tail[2 * BLOCK] = { 0 };
	size_t full = len / BLOCK, rem = len % BLOCK, blocks = rem + 9 > BLOCK ? 2 : 1;
	uint64_t bits = (uint64_t)(BLOCK + len) * 8;
	const uint8_t *p[1] = { msg };
	uint32_t h[8];

	memcpy(h, start, sizeof(h));
	if (full)
		e->blocks(h, p, full);
	memcpy(tail, msg + full * BLOCK, rem);
	tail[rem] = 0x80;
	for (int i = 0; i < 8; i++)
		tail[blocks * BLOCK - 1 - (size_t)i] = (uint8_t)(bits >> (8 * i));
	p[0] = tail;
	e->blocks(h, p, blocks);
	for (int i = 0; i < 8; i++)
		ttt_put_be32(out + 4 * i, h[i]);
	sodium_memzero(h, sizeof(h));
	sodium_memzero(tail, sizeof(tail));
}

static struct ttt_hmac *hmac_new(const uint8_t *key, size_t len, bool allow_hw)
{
	struct ttt_hmac *hmac;

	if (sodium_init() < 0 || !(hmac = sodium_malloc(sizeof(*hmac))))
		return NULL;
	memset(hmac, 0, sizeof(*hmac));
	hmac->one = allow_hw ? ttt_sha256_mb_find("shani") : NULL;
	hmac->multi = allow_hw;
	if (allow_hw)
		ttt_hmac_keyed_init(&hmac->batch, key, len);
	if (crypto_auth_hmacsha256_init(&hmac->keyed, key, len) != 0 ||
	    sodium_mprotect_readonly(hmac) != 0) {
		sodium_free(hmac);
		return NULL;
	}
	return hmac;
}

struct ttt_hmac *ttt_hmac_new(const uint8_t *key, size_t len)
{
	return hmac_new(key, len, true);
}

struct ttt_hmac *ttt_hmac_new_portable(const uint8_t *key, size_t len)
{
	return hmac_new(key, len, false);
}

void ttt_hmac_free(struct ttt_hmac *hmac)
{
	if (hmac)
		sodium_free(hmac); /* makes it writable again, wipes, frees */
}

void ttt_hmac_compute(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
		     uint8_t out[TTT_HMAC_LEN])
{
	crypto_auth_hmacsha256_state st;
	uint8_t inner[TTT_HMAC_LEN];

	if (hmac->one) {
		hw_digest(hmac->one, hmac->batch.inner, msg, len, inner);
		hw_digest(hmac->one, hmac->batch.outer, inner, sizeof(inner), out);
		sodium_memzero(inner, sizeof(inner));
		return;
	}
	st = hmac->keyed;
	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

bool ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
		    const uint8_t expect[TTT_HMAC_LEN])
{
	uint8_t got[TTT_HMAC_LEN];
	bool ok;

	ttt_hmac_compute(hmac, msg, len, got);
	ok = crypto_verify_32(got, expect) == 0;
	sodium_memzero(got, sizeof(got));
	return ok;
}

/* Whether a batch of n messages goes to the multi-buffer kernels. */
static bool batched(const struct ttt_hmac *hmac, size_t n)
{
	return n > 1 && hmac->multi && strcmp(ttt_hmac_batch_variant(), "portable") != 0;
}

const char *ttt_hmac_batch_backend(const struct ttt_hmac *hmac)
{
	return batched(hmac, 2) ? ttt_hmac_batch_chain() : ttt_hmac_backend(hmac);
}

void ttt_hmac_compute_batch(const struct ttt_hmac *hmac, size_t n, const uint8_t *const msg[],
			    const size_t len[], uint8_t *const out[])
{
	if (batched(hmac, n)) {
		ttt_hmac_batch(&hmac->batch, n, msg, len, out);
		return;
	}
	for (size_t i = 0; i < n; i++)
		ttt_hmac_compute(hmac, msg[i], len[i], out[i]);
}

void ttt_hmac_verify_batch(const struct ttt_hmac *hmac, size_t n, const uint8_t *const msg[],
			   const size_t len[], const uint8_t *const expect[], bool ok[])
{
	uint8_t got[VERIFY_CHUNK][TTT_HMAC_LEN];
	uint8_t *out[VERIFY_CHUNK];

	for (size_t i = 0; i < VERIFY_CHUNK; i++)
		out[i] = got[i];
	for (size_t off = 0; off < n; off += VERIFY_CHUNK) {
		size_t m = n - off < VERIFY_CHUNK ? n - off : VERIFY_CHUNK;
		ttt_hmac_compute_batch(hmac, m, msg + off, len + off, out);
		for (size_t i = 0; i < m; i++)
			ok[off + i] = crypto_verify_32(got[i], expect[off + i]) == 0;
	}
	sodium_memzero(got, (n < VERIFY_CHUNK ? n : VERIFY_CHUNK) * TTT_HMAC_LEN);
}
