/* SPDX-License-Identifier: MIT */
/* test_linkkey.c - per-link keys: HKDF-SHA256 against RFC 5869, the link
 * key of the captured vectors' key against an independent computation
 * (Python's hmac), identities, and the key file written for a peer */
#include "helpers.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttt/crypto/linkkey.h"

static void check_hkdf(const char *ikm_hex, const char *salt_hex, const char *info_hex,
		       const char *okm_hex)
{
	size_t ikm_n, salt_n, info_n, okm_n;
	uint8_t *ikm = hex_decode(ikm_hex, &ikm_n), *salt = hex_decode(salt_hex, &salt_n);
	uint8_t *info = hex_decode(info_hex, &info_n), *want = hex_decode(okm_hex, &okm_n);
	uint8_t got[64];

	assert_true(okm_n <= sizeof(got));
	assert_int_equal(ttt_hkdf_sha256(salt, salt_n, ikm, ikm_n, info, info_n, got, okm_n), 0);
	assert_memory_equal(got, want, okm_n);
	free(ikm);
	free(salt);
	free(info);
	free(want);
}

static void rfc5869(void **state)
{
	(void)state;
	/* Test case 1 */
	check_hkdf("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
		   "f0f1f2f3f4f5f6f7f8f9",
		   "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		   "34007208d5b887185865");
	/* Test case 3: empty salt and info */
	check_hkdf("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
		   "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		   "9d201395faa4b61a96c8");
}

static void too_long_refused(void **state)
{
	uint8_t out[1];

	(void)state;
	assert_int_equal(ttt_hkdf_sha256(NULL, 0, (const uint8_t *)"k", 1, NULL, 0, out,
					 255 * 32 + 1),
			 -1);
}

static struct ttt_key *vector_key(void)
{
	struct ttt_key *key = NULL;
	struct ttt_err err;

	if (ttt_keyfile_load(vector_path("preshared.key"), &key, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return key;
}

/* Computed with Python's hmac module from tests/vectors/preshared.key. */
static void link_keys_of_the_vector_key(void **state)
{
	static const struct {
		const char *id, *hex;
	} cases[] = {
		{ "lab-link", "b93150b59e4449baa33e394d6fe8f97c6bd526c7f320aa928be5077f7e6d8364" },
		{ "default/lab-a", "7df33a1b805cf92a1cd9001d828d263c6bd3b837fbb5c023a220a1e6cc77607c" },
	};
	struct ttt_key *net = vector_key();
	struct ttt_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ttt_key *link = NULL;
		size_t n;
		uint8_t *want = hex_decode(cases[i].hex, &n);
		assert_int_equal(ttt_link_key_derive(net, cases[i].id, &link, &err), 0);
		assert_int_equal(link->len, 32);
		assert_memory_equal(link->bytes, want, 32);
		ttt_key_free(link);
		free(want);
	}
	ttt_key_free(net);
}

static void identities(void **state)
{
	char longest[TTT_LINK_ID_MAX + 2];
	struct ttt_key *net = vector_key(), *a = NULL, *b = NULL;
	struct ttt_err err;

	(void)state;
	memset(longest, 'x', sizeof(longest));
	longest[TTT_LINK_ID_MAX] = '\0';
	assert_true(ttt_link_id_valid(longest));
	assert_true(ttt_link_id_valid("default/lab-a:net1"));
	longest[TTT_LINK_ID_MAX] = 'x';
	longest[TTT_LINK_ID_MAX + 1] = '\0';
	assert_false(ttt_link_id_valid(longest));
	assert_false(ttt_link_id_valid(""));
	assert_false(ttt_link_id_valid("a b"));
	assert_false(ttt_link_id_valid("a\nb"));
	assert_false(ttt_link_id_valid("caf\xc3\xa9"));
	assert_int_equal(ttt_link_key_derive(net, "a b", &a, &err), -1);
	assert_non_null(strstr(err.msg, "link identity 'a b'"));
	/* Distinct identities, distinct keys; a prefix is not the same link. */
	assert_int_equal(ttt_link_key_derive(net, "lab", &a, &err), 0);
	assert_int_equal(ttt_link_key_derive(net, "lab-", &b, &err), 0);
	assert_memory_not_equal(a->bytes, b->bytes, 32);
	assert_memory_not_equal(a->bytes, net->bytes, 32);
	ttt_key_free(a);
	ttt_key_free(b);
	ttt_key_free(net);
}

static void key_file_for_a_peer(void **state)
{
	char dir[] = "/tmp/ttt-linkkey-XXXXXX", path[64];
	struct ttt_key *got = NULL;
	struct ttt_err err;
	struct stat st;
	char *text;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/peer.key", dir);
	assert_int_equal(ttt_keyfile_derive(vector_path("preshared.key"), "lab-link", path, &err), 0);
	text = slurp(path, &len);
	assert_string_equal(text, "uTFQtZ5ESbqjPjlNb+j5fGvVJsfzIKqSi+UHf35tg2Q="); /* base64, as v1.4 reads it */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ttt_keyfile_derive(vector_path("preshared.key"), "other", path, &err), -1);
	assert_int_equal(err.code, EEXIST); /* never overwritten */
	assert_int_equal(ttt_keyfile_load(path, &got, NULL, &err), 0);
	assert_int_equal(got->len, 32);
	ttt_key_free(got);
	free(text);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5869),
		cmocka_unit_test(too_long_refused),
		cmocka_unit_test(link_keys_of_the_vector_key),
		cmocka_unit_test(identities),
		cmocka_unit_test(key_file_for_a_peer),
	};

	return cmocka_run_group_tests_name("linkkey", tests, NULL, NULL);
}
