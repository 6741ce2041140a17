/* SPDX-License-Identifier: MIT */
/* linkkey.c - HKDF-SHA256 and the keys of links */
#include "ttt/crypto/linkkey.h"

#include <sodium.h>
#include <string.h>

/* HMAC-SHA256 over the concatenation of up to three pieces. */
static void hmac3(const uint8_t *key, size_t key_len, const uint8_t *a, size_t alen,
		  const uint8_t *b, size_t blen, const uint8_t *c, size_t clen,
		  uint8_t out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, a, alen);
	crypto_auth_hmacsha256_update(&st, b, blen);
	crypto_auth_hmacsha256_update(&st, c, clen);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int ttt_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	enum { H = crypto_auth_hmacsha256_BYTES };
	uint8_t prk[H], t[H];
	size_t tlen = 0, done = 0;

	if (out_len > 255 * H || sodium_init() < 0)
		return -1;
	hmac3(salt, salt_len, ikm, ikm_len, NULL, 0, NULL, 0, prk); /* extract */
	for (uint8_t i = 1; done < out_len; i++) {                  /* expand */
		size_t n = out_len - done < H ? out_len - done : H;
		hmac3(prk, H, t, tlen, info, info_len, &i, 1, t);
		memcpy(out + done, t, n);
		done += n;
		tlen = H;
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return 0;
}

bool ttt_link_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > TTT_LINK_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] >= 0x7f)
			return false;
	return true;
}

int ttt_link_key_derive(const struct ttt_key *net, const char *id, struct ttt_key **out,
			struct ttt_err *err)
{
	static const char salt[] = TTT_LINK_KEY_SALT;
	struct ttt_key *key;

	if (!ttt_link_id_valid(id))
		return ttt_err_set(err, "link identity '%.64s' is not 1-%d printable characters "
					"without spaces", id, TTT_LINK_ID_MAX);
	key = ttt_key_new(TTT_LINK_KEY_LEN);
	if (!key)
		return ttt_err_set(err, "out of secure memory");
	if (ttt_hkdf_sha256((const uint8_t *)salt, sizeof(salt) - 1, net->bytes, net->len,
			    (const uint8_t *)id, strlen(id), key->bytes, key->len) < 0) {
		ttt_key_free(key);
		return ttt_err_set(err, "cannot derive the link key");
	}
	*out = key;
	return 0;
}

int ttt_keyfile_derive(const char *net_path, const char *id, const char *out_path,
		       struct ttt_err *err)
{
	struct ttt_key *net = NULL, *link = NULL;
	int rc;

	if (ttt_keyfile_load(net_path, &net, NULL, err) < 0)
		return -1;
	rc = ttt_link_key_derive(net, id, &link, err);
	ttt_key_free(net);
	if (rc < 0)
		return -1;
	rc = ttt_keyfile_write(out_path, link, err);
	ttt_key_free(link);
	return rc;
}
