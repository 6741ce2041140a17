/* SPDX-License-Identifier: MIT */
/* test_sha256_mb.c - the multi-lane SHA-256 kernels and the batch HMAC
 * against libsodium, on every kernel this CPU can run (each pinned alone),
 * on the automatic choice, and on a chain of all of them (so that jobs move
 * from kernel to kernel mid-message): every message length 0..300, long
 * ones up to 70000, random mixed-length batches of 1..70 messages, batches
 * of equal lengths, keys of 0..200 bytes. Every message is in a buffer of
 * exactly its length and every MAC in one of 32 bytes (the sanitizer build
 * sees any overrun). */
#include "helpers.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>

#include "ttt/crypto/hmac_batch.h"
#include "crypto/sha256_mb.h"

#define MAX_CONFIGS 10

static const char *configs[MAX_CONFIGS];
static size_t nconfigs;
static char all_chain[128];

static const size_t key_lens[] = { 0, 1, 16, 32, 63, 64, 65, 100, 200 };
#define NKEYS (sizeof(key_lens) / sizeof(key_lens[0]))

/* A batch: messages in their own buffers, the MACs libsodium computes, and
 * room for the MACs under test. */
struct batch {
	size_t n;
	uint8_t **msg, **out, (*want)[32];
	size_t *len;
};

static struct batch *batch_new(size_t n, const size_t *lens)
{
	struct batch *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->n = n;
	b->msg = calloc(n, sizeof(*b->msg));
	b->out = calloc(n, sizeof(*b->out));
	b->want = calloc(n, sizeof(*b->want));
	b->len = calloc(n, sizeof(*b->len));
	assert_true(b->msg && b->out && b->want && b->len);
	for (size_t i = 0; i < n; i++) {
		b->len[i] = lens[i];
		if (lens[i]) { /* a message of length 0 is NULL */
			b->msg[i] = malloc(lens[i]);
			assert_non_null(b->msg[i]);
			randombytes_buf(b->msg[i], lens[i]);
		}
		b->out[i] = malloc(32);
		assert_non_null(b->out[i]);
	}
	return b;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->msg[i]);
		free(b->out[i]);
	}
	free(b->msg);
	free(b->out);
	free(b->want);
	free(b->len);
	free(b);
}

static void reference(uint8_t out[32], const uint8_t *key, size_t klen, const uint8_t *m, size_t len)
{
	crypto_auth_hmacsha256_state st;

	assert_int_equal(crypto_auth_hmacsha256_init(&st, key, klen), 0);
	assert_int_equal(crypto_auth_hmacsha256_update(&st, m, len), 0);
	assert_int_equal(crypto_auth_hmacsha256_final(&st, out), 0);
}

/* Runs b under every configuration and compares with libsodium's MACs under key. */
static void batch_check(struct batch *b, const uint8_t *key, size_t klen, const char *what)
{
	struct ttt_hmac_keyed k;

	ttt_hmac_keyed_init(&k, key, klen);
	for (size_t i = 0; i < b->n; i++)
		reference(b->want[i], key, klen, b->msg[i], b->len[i]);
	for (size_t c = 0; c < nconfigs; c++) {
		assert_int_equal(ttt_hmac_batch_force(configs[c]), 0);
		for (size_t i = 0; i < b->n; i++)
			memset(b->out[i], 0xee, 32);
		ttt_hmac_batch(&k, b->n, (const uint8_t *const *)b->msg, b->len, b->out);
		for (size_t i = 0; i < b->n; i++)
			if (memcmp(b->out[i], b->want[i], 32) != 0)
				fail_msg("%s: %s, key of %zu bytes, message %zu of %zu (%zu bytes): wrong MAC",
					 configs[c], what, klen, i, b->n, b->len[i]);
	}
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
}

/* The configurations: each usable kernel alone, the automatic choice, and
 * all usable kernels chained (jobs move down the chain as lanes empty). */
static int setup(void **state)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);

	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (ttt_sha256_mb_find(all[i]->name)) {
			configs[nconfigs++] = all[i]->name;
			if (all_chain[0])
				strcat(all_chain, "+");
			strcat(all_chain, all[i]->name);
		}
	configs[nconfigs++] = "auto";
	configs[nconfigs++] = all_chain;
	printf("# kernels here: %s; automatic choice: %s\n", all_chain, ttt_hmac_batch_chain());
	return 0;
}

/* Each kernel's block function against the portable one, lane by lane:
 * random states, 1..3 blocks at unaligned addresses, every lane its own. */
static void kernels_match_portable(void **state)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	const struct ttt_sha256_mb *ref = ttt_sha256_mb_find("portable");
	static uint8_t data[TTT_SHA256_MB_MAX_LANES][3 * 64 + 1];

	(void)state;
	assert_non_null(ref);
	for (size_t i = 0; i < count; i++) {
		const struct ttt_sha256_mb *e = ttt_sha256_mb_find(all[i]->name);
		if (!e)
			continue;
		for (size_t nb = 1; nb <= 3; nb++) {
			uint32_t st[8 * TTT_SHA256_MB_MAX_LANES], want[8];
			const uint8_t *p[TTT_SHA256_MB_MAX_LANES];
			randombytes_buf(data, sizeof(data));
			randombytes_buf(st, sizeof(st));
			for (unsigned l = 0; l < e->lanes; l++)
				p[l] = data[l] + 1;
			uint32_t before[8 * TTT_SHA256_MB_MAX_LANES];
			memcpy(before, st, sizeof(st));
			e->blocks(st, p, nb);
			for (unsigned l = 0; l < e->lanes; l++) {
				const uint8_t *pl[1] = { p[l] };
				for (int w = 0; w < 8; w++)
					want[w] = before[w * e->lanes + l];
				ref->blocks(want, pl, nb);
				for (int w = 0; w < 8; w++)
					if (want[w] != st[w * e->lanes + l])
						fail_msg("%s: lane %u, %zu blocks: word %d differs", e->name, l,
							 nb, w);
			}
		}
	}
}

/* Every length 0..300 (every padding case), in one batch and one at a time. */
static void every_short_length(void **state)
{
	size_t lens[301];
	uint8_t key[200];

	(void)state;
	for (size_t i = 0; i < 301; i++)
		lens[i] = i;
	for (size_t k = 0; k < NKEYS; k++) {
		struct batch *b = batch_new(301, lens);
		randombytes_buf(key, sizeof(key));
		batch_check(b, key, key_lens[k], "lengths 0..300 in one batch");
		batch_free(b);
	}
	for (size_t i = 0; i < 301; i++) {
		struct batch *b = batch_new(1, &lens[i]);
		randombytes_buf(key, sizeof(key));
		batch_check(b, key, 32, "alone");
		batch_free(b);
	}
}

/* Lengths up to 65535 in steps, and beyond; together and alone. */
static void long_lengths(void **state)
{
	size_t lens[80], n = 0;
	uint8_t key[100];

	(void)state;
	for (size_t len = 301; len < 65536; len += 1021)
		lens[n++] = len;
	lens[n++] = 65535;
	lens[n++] = 65536;
	lens[n++] = 70001;
	randombytes_buf(key, sizeof(key));
	struct batch *b = batch_new(n, lens);
	batch_check(b, key, sizeof(key), "long lengths in one batch");
	batch_free(b);
	for (size_t i = n - 4; i < n; i++) {
		b = batch_new(1, &lens[i]);
		batch_check(b, key, 20, "long, alone");
		batch_free(b);
	}
}

/* A length: mostly frame-sized, sometimes tiny or large. */
static size_t random_len(void)
{
	uint32_t r = randombytes_uniform(100);

	if (r < 10)
		return randombytes_uniform(70);
	if (r < 95)
		return 64 + randombytes_uniform(1500 - 64 + 1);
	return randombytes_uniform(20000);
}

/* Random mixed lengths, batches of 1..70 messages, several keys. */
static void random_batches(void **state)
{
	size_t lens[70];
	uint8_t key[200];

	(void)state;
	for (size_t n = 1; n <= 70; n++) {
		for (size_t i = 0; i < n; i++)
			lens[i] = random_len();
		randombytes_buf(key, sizeof(key));
		struct batch *b = batch_new(n, lens);
		batch_check(b, key, key_lens[n % NKEYS], "random lengths");
		batch_free(b);
	}
}

/* Batches whose messages all have one length, around the lane counts. */
static void equal_lengths(void **state)
{
	static const size_t sizes[] = { 0, 1, 55, 56, 64, 119, 120, 1418, 1500, 9000 };
	static const size_t counts[] = { 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65, 200 };
	size_t lens[200];
	uint8_t key[64];

	(void)state;
	randombytes_buf(key, sizeof(key));
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			if (sizes[s] == 9000 && counts[c] > 33)
				continue; /* large enough already */
			for (size_t i = 0; i < counts[c]; i++)
				lens[i] = sizes[s];
			struct batch *b = batch_new(counts[c], lens);
			batch_check(b, key, sizeof(key), "equal lengths");
			batch_free(b);
		}
}

/* n = 0 touches nothing. */
static void empty_batch(void **state)
{
	struct ttt_hmac_keyed k;
	uint8_t mac[32] = { 0 }, *out[1] = { mac }, zero[32] = { 0 };
	const uint8_t *msg[1] = { zero };
	size_t len[1] = { 1 };

	(void)state;
	ttt_hmac_keyed_init(&k, (const uint8_t *)"k", 1);
	ttt_hmac_batch(&k, 0, msg, len, out);
	assert_memory_equal(mac, zero, 32);
}

/* Forcing: a kernel this CPU (or the environment) rules out, an unknown
 * name, a malformed or widening chain, all refused with nothing changed;
 * the names the interface reports. */
static void force_refuses(void **state)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	const char *auto_variant = ttt_hmac_batch_variant();

	(void)state;
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
	assert_non_null(ttt_sha256_mb_find(auto_variant));
	assert_int_equal(strncmp(ttt_hmac_batch_chain(), auto_variant, strlen(auto_variant)), 0);
	for (size_t i = 0; i < count; i++) {
		bool ok = all[i]->usable();
		errno = 0;
		assert_int_equal(ttt_hmac_batch_force(all[i]->name), ok ? 0 : -1);
		if (!ok)
			assert_int_equal(errno, ENOTSUP);
		else
			assert_string_equal(ttt_hmac_batch_variant(), all[i]->name);
		/* the same kernel ruled out by the environment */
		assert_int_equal(setenv("TTT_SHA256_MB_DISABLE", all[i]->name, 1), 0);
		assert_int_equal(ttt_hmac_batch_force(all[i]->name), -1);
		assert_int_equal(errno, ENOTSUP);
		assert_int_equal(unsetenv("TTT_SHA256_MB_DISABLE"), 0);
	}
	assert_int_equal(ttt_hmac_batch_force("portable"), 0);
	static const char *bad[] = { "", "+", "nonesuch", "shani,portable", "portable+nonesuch",
				     "portable+portable+portable+portable+portable+portable+portable+portable+portable",
				     "shani+avx512x16", "shani-x2+avx2x8", "portable+shani-x2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(ttt_hmac_batch_force(bad[i]), -1);
		assert_int_equal(errno, ENOTSUP);
		assert_string_equal(ttt_hmac_batch_variant(), "portable");
	}
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
	assert_string_equal(ttt_hmac_batch_variant(), auto_variant);
}

/* Several threads at once on one keyed state, each checking its MACs. */
static void *thread_main(void *arg)
{
	const struct ttt_hmac_keyed *k = arg;
	size_t lens[40];
	uint8_t want[32];
	bool ok = true;

	for (int round = 0; round < 30 && ok; round++) {
		for (size_t i = 0; i < 40; i++)
			lens[i] = random_len();
		struct batch *b = batch_new(40, lens);
		ttt_hmac_batch(k, b->n, (const uint8_t *const *)b->msg, b->len, b->out);
		for (size_t i = 0; i < b->n; i++) {
			reference(want, (const uint8_t *)"thread key", 10, b->msg[i], b->len[i]);
			ok = ok && memcmp(want, b->out[i], 32) == 0;
		}
		batch_free(b);
	}
	return ok ? arg : NULL;
}

static void threads(void **state)
{
	pthread_t t[4];
	struct ttt_hmac_keyed k;
	void *ret;

	(void)state;
	ttt_hmac_keyed_init(&k, (const uint8_t *)"thread key", 10);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &k), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_ptr_equal(ret, &k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernels_match_portable),
		cmocka_unit_test(every_short_length),
		cmocka_unit_test(long_lengths),
		cmocka_unit_test(random_batches),
		cmocka_unit_test(equal_lengths),
		cmocka_unit_test(empty_batch),
		cmocka_unit_test(force_refuses),
		cmocka_unit_test(threads),
	};

	return cmocka_run_group_tests_name("sha256_mb", tests, setup, NULL);
}
