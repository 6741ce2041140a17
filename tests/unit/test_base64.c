/* SPDX-License-Identifier: MIT */
/* test_base64.c - standard base64 with Go StdEncoding's decoding rules */
#include "helpers.h"

#include "crypto/base64.h"

static ssize_t dec(const char *in, uint8_t *out, size_t cap, size_t *bad)
{
	return ttt_base64_decode(in, strlen(in), out, cap, bad);
}

static void rfc4648_vectors(void **state)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
				       "Zm9vYmFy" };
	char enc[16];
	uint8_t out[16];

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		size_t n = strlen(plain[i]);
		ttt_base64_encode((const uint8_t *)plain[i], n, enc);
		assert_string_equal(enc, coded[i]);
		assert_int_equal(ttt_base64_encoded_len(n), strlen(coded[i]));
		assert_int_equal(dec(coded[i], out, sizeof(out), NULL), (ssize_t)n);
		assert_memory_equal(out, plain[i], n);
	}
}

static void all_byte_values(void **state)
{
	uint8_t in[256], out[256 + 3];
	char enc[400];

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	for (size_t n = 0; n <= 256; n += 17) {
		ttt_base64_encode(in, n, enc);
		assert_int_equal(dec(enc, out, sizeof(out), NULL), (ssize_t)n);
		assert_memory_equal(out, in, n);
	}
}

static void newlines_ignored(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_int_equal(dec("Zm9v\nYmFy\r\n", out, sizeof(out), NULL), 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(dec("Z\rm\n9v", out, sizeof(out), NULL), 3);
	assert_int_equal(dec("Zg=\n=", out, sizeof(out), NULL), 1);
}

static void padding_required(void **state)
{
	uint8_t out[16];
	size_t bad = 99;

	(void)state;
	assert_int_equal(dec("Zg", out, sizeof(out), &bad), -1);
	assert_int_equal(bad, 2);
	assert_int_equal(dec("Zg=", out, sizeof(out), &bad), -1);
	assert_int_equal(dec("Z===", out, sizeof(out), &bad), -1);
	assert_int_equal(bad, 1);
	assert_int_equal(dec("====", out, sizeof(out), &bad), -1);
	assert_int_equal(bad, 0);
	assert_int_equal(dec("Zg==Zg==", out, sizeof(out), &bad), -1);
	assert_int_equal(bad, 4);
	assert_int_equal(dec("Zm8=x", out, sizeof(out), &bad), -1);
}

static void garbage_refused(void **state)
{
	uint8_t out[16];
	size_t bad = 0;

	(void)state;
	assert_int_equal(dec("Zm9v YmFy", out, sizeof(out), &bad), -1);
	assert_int_equal(bad, 4);
	assert_int_equal(dec("Zm9v-mFy", out, sizeof(out), &bad), -1); /* URL alphabet */
	assert_int_equal(dec("Zm9\x80", out, sizeof(out), &bad), -1);
	assert_int_equal(bad, 3);
}

/* Go's StdEncoding (not Strict) ignores the unused low bits. */
static void trailing_bits_not_checked(void **state)
{
	uint8_t out[4];

	(void)state;
	assert_int_equal(dec("Zh==", out, sizeof(out), NULL), 1);
	assert_int_equal(out[0], 'f');
	assert_int_equal(dec("Zm9=", out, sizeof(out), NULL), 2);
}

static void output_capacity_respected(void **state)
{
	uint8_t out[2];

	(void)state;
	assert_int_equal(dec("Zm9v", out, sizeof(out), NULL), -1);
	assert_int_equal(dec("Zm8=", out, sizeof(out), NULL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4648_vectors),  cmocka_unit_test(all_byte_values),
		cmocka_unit_test(newlines_ignored), cmocka_unit_test(padding_required),
		cmocka_unit_test(garbage_refused),  cmocka_unit_test(trailing_bits_not_checked),
		cmocka_unit_test(output_capacity_respected),
	};

	return cmocka_run_group_tests_name("base64", tests, NULL, NULL);
}
