/* SPDX-License-Identifier: MIT */
/* fuzz_keyfile.c - libFuzzer harness: key file contents (ttt_key_parse) and
 * the base64 decoder under it (ttt_base64_decode).
 *
 * The input is the key file's contents. Checked on the way (abort on a
 * mismatch):
 *   - a parsed key, encoded again (ttt_base64_encode) and parsed, is the
 *     same key;
 *   - the decoder never writes more than its output capacity (buffers are
 *     exactly that large, so ASan sees an overrun), fails with an offset
 *     inside the input, and with one byte less room than it needs fails
 *     instead of truncating;
 *   - the encoder's output of the raw input decodes back to the input;
 *   - a MAC keyed with a parsed key (any length: longer than a block, it is
 *     hashed first) is the same on the SHA-NI code and on libsodium. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "crypto/base64.h"
#include "ttt/util/err.h"
#include "ttt/crypto/keyfile.h"
#include "ttt/crypto/hmac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

/* Both MAC implementations, keyed with key, agree on msg. */
static void check_mac(const struct ttt_key *key, const uint8_t *msg, size_t n)
{
	struct ttt_hmac *hw = ttt_hmac_new(key->bytes, key->len);
	struct ttt_hmac *sw = ttt_hmac_new_portable(key->bytes, key->len);
	uint8_t a[TTT_HMAC_LEN], b[TTT_HMAC_LEN];

	if (!hw || !sw)
		abort();
	ttt_hmac_compute(hw, msg, n, a);
	ttt_hmac_compute(sw, msg, n, b);
	if (memcmp(a, b, sizeof(a)) != 0 || !ttt_hmac_verify(hw, msg, n, b) ||
	    !ttt_hmac_verify(sw, msg, n, a))
		abort();
	ttt_hmac_free(hw);
	ttt_hmac_free(sw);
}

/* The key in text form must come back as the same key. */
static void check_round_trip(const struct ttt_key *key)
{
	size_t elen = ttt_base64_encoded_len(key->len);
	char *enc = xmalloc(elen + 1);
	struct ttt_key *again = NULL;
	struct ttt_err err;

	ttt_base64_encode(key->bytes, key->len, enc);
	if (strlen(enc) != elen)
		abort();
	if (ttt_key_parse(enc, elen, &again, &err) != 0)
		abort();
	if (again->len != key->len || memcmp(again->bytes, key->bytes, key->len) != 0)
		abort();
	ttt_key_free(again);
	free(enc);
}

static void check_decoder(const char *text, size_t n)
{
	size_t max = ttt_base64_decoded_max(n), bad = (size_t)-1;
	uint8_t *full = xmalloc(max);
	ssize_t got = ttt_base64_decode(text, n, full, max, &bad);

	if (got < 0) {
		if (got != -1 || bad > n)
			abort();
	} else {
		uint8_t *exact, *tight;
		ssize_t again;

		if ((size_t)got > max)
			abort();
		/* Exactly the room needed: the same bytes. */
		exact = xmalloc((size_t)got);
		again = ttt_base64_decode(text, n, exact, (size_t)got, NULL);
		if (again != got || memcmp(exact, full, (size_t)got) != 0)
			abort();
		free(exact);
		/* One byte less: an error, never a shorter key. */
		if (got > 0) {
			tight = xmalloc((size_t)got - 1);
			bad = (size_t)-1;
			if (ttt_base64_decode(text, n, tight, (size_t)got - 1, &bad) != -1 || bad > n)
				abort();
			free(tight);
		}
	}
	free(full);
}

/* Any bytes, encoded, decode back to themselves. */
static void check_encoder(const uint8_t *data, size_t size)
{
	size_t elen = ttt_base64_encoded_len(size);
	char *enc = xmalloc(elen + 1);
	uint8_t *dec = xmalloc(size);
	ssize_t got;

	ttt_base64_encode(data, size, enc);
	got = ttt_base64_decode(enc, elen, dec, size, NULL);
	if (got != (ssize_t)size || memcmp(dec, data, size) != 0)
		abort();
	free(dec);
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data; /* not NUL-terminated, as read from the file */
	struct ttt_key *key = NULL;
	struct ttt_err err;

	if (size > TTT_KEYFILE_MAX) /* the loader refuses larger files */
		return 0;
	err.msg[0] = '\0';
	if (ttt_key_parse(text, size, &key, &err) == 0) {
		if (!key || key->len == 0)
			abort();
		check_round_trip(key);
		check_mac(key, data, size);
		ttt_key_free(key);
	} else if (err.msg[0] == '\0' || strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg)) {
		abort(); /* a refusal says why */
	}
	check_decoder(text, size);
	check_encoder(data, size);
	return 0;
}
