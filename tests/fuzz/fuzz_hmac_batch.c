/* SPDX-License-Identifier: MIT */
/* fuzz_hmac_batch.c - libFuzzer harness: the batch HMAC (ttt_hmac_batch) on
 * every multi-lane SHA-256 kernel this CPU can run, each pinned alone, on
 * the automatic choice, and on a chain of all of them (jobs moving from
 * kernel to kernel), each MAC checked against libsodium's HMAC-SHA256
 * (abort on a mismatch).
 *
 * Input: [0] key length K, then K key bytes; then records, one message
 * each, up to MAX_MSGS: [0..1] length L (little-endian), then up to L bytes
 * of the message (zeros where the input ends; a message may be longer than
 * the input). At most MAX_TOTAL message bytes in all. Every message lives in
 * a buffer of exactly its length, every MAC in one of 32 bytes, so ASan sees
 * any overrun. */
#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ttt/crypto/hmac_batch.h"
#include "crypto/sha256_mb.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MSGS 70 /* more than one chunk of 64 */
#define MAX_TOTAL (16 * 1024) /* fast runs; test_sha256_mb covers up to 70001 */
#define MAX_CONFIGS 10

static const char *configs[MAX_CONFIGS];
static size_t nconfigs;
static char all_chain[160];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	for (size_t i = 0; i < count && nconfigs < MAX_CONFIGS - 2; i++)
		if (ttt_sha256_mb_find(all[i]->name)) {
			configs[nconfigs++] = all[i]->name;
			if (all_chain[0])
				strcat(all_chain, "+");
			strcat(all_chain, all[i]->name);
		}
	configs[nconfigs++] = "auto";
	configs[nconfigs++] = all_chain;
	return 0;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

/* libsodium's HMAC-SHA256 of m under key. */
static void reference(uint8_t out[32], const uint8_t *key, size_t klen, const uint8_t *m, size_t len)
{
	crypto_auth_hmacsha256_state st;

	if (crypto_auth_hmacsha256_init(&st, key, klen) != 0 ||
	    crypto_auth_hmacsha256_update(&st, m, len) != 0 ||
	    crypto_auth_hmacsha256_final(&st, out) != 0)
		abort();
}

/* Copies up to want bytes of the input at *pos into dst (zeros after its end). */
static void take(uint8_t *dst, size_t want, const uint8_t *data, size_t size, size_t *pos)
{
	size_t have = *pos < size ? size - *pos : 0, n = want < have ? want : have;

	if (n)
		memcpy(dst, data + *pos, n);
	memset(dst + n, 0, want - n);
	*pos += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t want[MAX_MSGS][32];
	uint8_t key[255], *msg[MAX_MSGS], *out[MAX_MSGS];
	size_t len[MAX_MSGS], n = 0, pos = 1, klen = size ? data[0] : 0, total = 0;
	struct ttt_hmac_keyed k;

	take(key, klen, data, size, &pos);
	while (n < MAX_MSGS && pos + 2 <= size) {
		size_t l = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
		pos += 2;
		if (total + l > MAX_TOTAL)
			break;
		total += l;
		len[n] = l;
		msg[n] = xmalloc(l);
		take(msg[n], l, data, size, &pos);
		out[n++] = xmalloc(32);
	}
	ttt_hmac_keyed_init(&k, key, klen);
	for (size_t i = 0; i < n; i++)
		reference(want[i], key, klen, msg[i], len[i]);
	for (size_t c = 0; c < nconfigs; c++) {
		if (ttt_hmac_batch_force(configs[c]) != 0)
			abort();
		for (size_t i = 0; i < n; i++)
			memset(out[i], 0, 32);
		ttt_hmac_batch(&k, n, (const uint8_t *const *)msg, len, out);
		for (size_t i = 0; i < n; i++)
			if (memcmp(want[i], out[i], 32) != 0)
				abort();
	}
	for (size_t i = 0; i < n; i++) {
		free(msg[i]);
		free(out[i]);
	}
	sodium_memzero(&k, sizeof(k));
	return 0;
}
