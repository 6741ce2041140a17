/* SPDX-License-Identifier: MIT */
/* test_hmac.c - HMAC-SHA256: RFC 4231 vectors, and the SHA-NI path against
 * libsodium on many random keys and messages of every length around the
 * block and padding boundaries; batches (ttt_hmac_compute_batch,
 * ttt_hmac_verify_batch) against libsodium on every multi-buffer kernel
 * this CPU has, and on none; and all of it again in a copy of this program
 * that sees no SHA-NI and no AVX (TTT_SHA256_MB_DISABLE naming every
 * kernel), as on a CPU without them. */
#include "helpers.h"

#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ttt/crypto/hmac.h"
#include "ttt/crypto/hmac_batch.h"
#include "crypto/sha256_mb.h"

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
	if (!ttt_sha256_mb_find("shani")) { /* without SHA-NI, the MAC must be libsodium's */
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

#define BATCH_MAX 150

/* Messages of batches: one buffer each, lengths chosen per batch. */
static uint8_t bufs[BATCH_MAX][1600];

/* A batch of n messages of lengths lens() against libsodium, MACs and
 * verification (one MAC in three corrupted), on hmac. */
static void check_batch(const struct ttt_hmac *hmac, const struct ttt_hmac *ref, size_t n,
			const size_t len[], const char *what)
{
	static uint8_t got[BATCH_MAX][32], want[BATCH_MAX][32];
	const uint8_t *msg[BATCH_MAX] = { NULL }, *expect[BATCH_MAX] = { NULL };
	uint8_t *out[BATCH_MAX] = { NULL };
	bool ok[BATCH_MAX];

	for (size_t i = 0; i < n; i++) {
		msg[i] = bufs[i];
		out[i] = got[i];
		expect[i] = want[i];
		ttt_hmac_compute(ref, msg[i], len[i], want[i]);
	}
	ttt_hmac_compute_batch(hmac, n, msg, len, out);
	for (size_t i = 0; i < n; i++)
		if (memcmp(got[i], want[i], 32) != 0)
			fail_msg("%s: batch of %zu, message %zu (%zu bytes): MAC differs", what, n, i,
				 len[i]);
	for (size_t i = 0; i < n; i += 3)
		want[i][i % 32] ^= 0x10;
	ttt_hmac_verify_batch(hmac, n, msg, len, expect, ok);
	for (size_t i = 0; i < n; i++)
		if (ok[i] != (i % 3 != 0))
			fail_msg("%s: batch of %zu, message %zu: verified %d", what, n, i, ok[i]);
}

/* Batches of 1..BATCH_MAX equal, random and mixed lengths. */
static void check_batches(const struct ttt_hmac *hmac, const struct ttt_hmac *ref,
			  const char *what)
{
	static const size_t sizes[] = { 1, 2, 3, 8, 31, 32, 33, 64, 65, 100, BATCH_MAX };
	size_t len[BATCH_MAX];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		for (size_t i = 0; i < n; i++)
			len[i] = 1426; /* timestamp + a full frame */
		check_batch(hmac, ref, n, len, what);
		for (size_t i = 0; i < n; i++)
			len[i] = randombytes_uniform(sizeof(bufs[0]) + 1);
		check_batch(hmac, ref, n, len, what);
		for (size_t i = 0; i < n; i++)
			len[i] = i % 5 == 4 ? 60 : 1426; /* segments and ACKs */
		check_batch(hmac, ref, n, len, what);
	}
}

/* Every kernel alone (and the automatic choice) gives libsodium's MACs
 * through the batch interface; the portable MAC never uses the kernels. */
static void batches_match_libsodium(void **state)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	uint8_t key[45];
	struct ttt_hmac *hmac, *ref;

	(void)state;
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
	randombytes_buf(key, sizeof(key));
	randombytes_buf(bufs, sizeof(bufs));
	hmac = ttt_hmac_new(key, sizeof(key));
	ref = ttt_hmac_new_portable(key, sizeof(key));
	assert_non_null(hmac);
	assert_non_null(ref);
	check_batches(hmac, ref, "auto");
	for (size_t i = 0; i < count; i++) {
		if (ttt_hmac_batch_force(all[i]->name) != 0)
			continue; /* this CPU cannot run it */
		check_batches(hmac, ref, all[i]->name);
		if (strcmp(all[i]->name, "portable") == 0) /* one at a time then */
			assert_string_equal(ttt_hmac_batch_backend(hmac), ttt_hmac_backend(hmac));
		else
			assert_string_equal(ttt_hmac_batch_backend(hmac), all[i]->name);
	}
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
	assert_string_equal(ttt_hmac_batch_backend(ref), ttt_hmac_backend(ref));
	check_batches(ref, ref, "libsodium");
	ttt_hmac_verify_batch(hmac, 0, NULL, NULL, NULL, NULL); /* nothing to do */
	ttt_hmac_free(hmac);
	ttt_hmac_free(ref);
}

/* In the copy without SIMD: what runs is libsodium for lone MACs and one
 * at a time for batches. */
static void fallback_is_libsodium(void **state)
{
	static const uint8_t key[32] = { 9 };
	struct ttt_hmac *hmac = ttt_hmac_new(key, sizeof(key));

	(void)state;
	assert_non_null(hmac);
	assert_null(ttt_sha256_mb_find("shani"));
	assert_string_equal(ttt_hmac_batch_variant(), "portable");
	assert_non_null(strstr(ttt_hmac_backend(hmac), "libsodium"));
	assert_string_equal(ttt_hmac_batch_backend(hmac), ttt_hmac_backend(hmac));
	ttt_hmac_free(hmac);
}

#define WITHOUT_SIMD "--without-simd"

/* Runs this program again with every kernel but the portable one disabled
 * (before anything measured them): its tests must all pass. Its output is
 * shown as comments. */
static void without_simd(void **state)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	char names[256] = "", line[512];
	int fds[2], status, planned = 0;
	pid_t pid;
	FILE *out;

	(void)state;
	for (size_t i = 0; i < count; i++)
		if (strcmp(all[i]->name, "portable") != 0) {
			strcat(names, *names ? "," : "");
			strcat(names, all[i]->name);
		}
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0 ||
		    setenv("CMOCKA_MESSAGE_OUTPUT", "TAP", 1) != 0 ||
		    setenv("TTT_SHA256_MB_DISABLE", names, 1) != 0)
			_exit(126);
		execl("/proc/self/exe", "test_hmac", WITHOUT_SIMD, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	assert_non_null(out);
	printf("# without SIMD (TTT_SHA256_MB_DISABLE=%s):\n", names);
	while (fgets(line, sizeof(line), out)) {
		printf("#   %s", line);
		planned |= strncmp(line, "1..4", 4) == 0;
	}
	fclose(out);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* cmocka: the number of failed tests */
	assert_true(planned);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4231),
		cmocka_unit_test(hw_matches_libsodium),
		cmocka_unit_test(batches_match_libsodium),
		cmocka_unit_test(without_simd),
	};
	const struct CMUnitTest fallback[] = {
		cmocka_unit_test(fallback_is_libsodium),
		cmocka_unit_test(rfc4231),
		cmocka_unit_test(hw_matches_libsodium),
		cmocka_unit_test(batches_match_libsodium),
	};

	if (argc > 1 && strcmp(argv[1], WITHOUT_SIMD) == 0)
		return cmocka_run_group_tests_name("hmac without SIMD", fallback, NULL, NULL);
	return cmocka_run_group_tests_name("hmac", tests, NULL, NULL);
}
