/* SPDX-License-Identifier: MIT */
/* test_hmac.c - HMAC-SHA256: RFC 4231 vectors, and the SHA-NI path against
 * libsodium on many random keys and messages of every length around the
 * block and padding boundaries. */
#include "helpers.h"

#include <sodium.h>

#include "ttt/crypto/hmac.h"
#include "crypto/sha256.h"

static void check_vector(const char *key_hex, const char *msg, size_t msg_len, const char *want)
{
	size_t klen, wlen;
	uint8_t *key = hex_decode(key_hex, &klen), *expect = hex_decode(want, &wlen), out[32];
	struct ttt_hmac *macs[2] = { ttt_hmac_new(key, klen), ttt_hmac_new_portable(key, klen) };

	for (int i = 0; i < 2; i++) {
		assert_non_null(macs[i]);
		ttt_hmac_compute(macs[i], (const uint8_t *)msg, msg_len, out);
		assert_memory_equal(out, expect, 32);
		assert_true(ttt_hmac_verify(macs[i], (const uint8_t *)msg, msg_len, expect));
		ttt_hmac_free(macs[i]);
	}
	free(key);
	free(expect);
}

static void rfc4231(void **state)
{
	static char key131[131 * 2 + 1];

	(void)state;
	check_vector("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", 8,
		     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_vector("4a656665", "what do ya want for nothing?", 28,
		     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	for (int i = 0; i < 131; i++)
		memcpy(key131 + 2 * i, "aa", 2);
	check_vector(key131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* Both implementations agree for keys of 1..200 bytes and messages of
 * 0..300 bytes (every padding case) and a few large ones. */
static void hw_matches_libsodium(void **state)
{
	static uint8_t key[200], msg[70000];
	uint8_t a[32], b[32];

	(void)state;
	if (!ttt_sha256_hw()) { /* without SHA-NI, the MAC must be libsodium's */
		struct ttt_hmac *m = ttt_hmac_new(key, 16);
		assert_non_null(strstr(ttt_hmac_backend(m), "libsodium"));
		ttt_hmac_free(m);
		return;
	}
	randombytes_buf(msg, sizeof(msg));
	for (size_t klen = 1; klen <= 200; klen += 7) {
		struct ttt_hmac *hw, *sw;
		randombytes_buf(key, klen);
		hw = ttt_hmac_new(key, klen);
		sw = ttt_hmac_new_portable(key, klen);
		assert_string_equal(ttt_hmac_backend(hw), "SHA-NI");
		for (size_t len = 0; len <= 300; len++) {
			ttt_hmac_compute(hw, msg + klen, len, a);
			ttt_hmac_compute(sw, msg + klen, len, b);
			if (memcmp(a, b, 32) != 0)
				fail_msg("key %zu bytes, message %zu bytes: the two MACs differ", klen, len);
		}
		for (size_t len = 1000; len < sizeof(msg) - 200; len += 9973) {
			ttt_hmac_compute(hw, msg, len, a);
			ttt_hmac_compute(sw, msg, len, b);
			assert_memory_equal(a, b, 32);
		}
		ttt_hmac_free(hw);
		ttt_hmac_free(sw);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4231),
		cmocka_unit_test(hw_matches_libsodium),
	};

	return cmocka_run_group_tests_name("hmac", tests, NULL, NULL);
}
