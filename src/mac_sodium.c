/* mac_sodium.c - HMAC-SHA256 with libsodium (portable; no SHA-NI in 1.0.18).
 * Built instead of mac_openssl.c with make MAC=sodium; the benchmark uses it
 * for comparison. */
#include "ttt/mac.h"

#include <sodium.h>

struct ttt_mac {
	crypto_auth_hmacsha256_state keyed;
};

const char *ttt_mac_backend(void)
{
	return "libsodium " SODIUM_VERSION_STRING;
}

struct ttt_mac *ttt_mac_new(const uint8_t *key, size_t len)
{
	struct ttt_mac *mac;

	if (sodium_init() < 0)
		return NULL;
	mac = sodium_malloc(sizeof(*mac));
	if (!mac)
		return NULL;
	if (crypto_auth_hmacsha256_init(&mac->keyed, key, len) != 0 ||
	    sodium_mprotect_readonly(mac) != 0) {
		sodium_free(mac);
		return NULL;
	}
	return mac;
}

void ttt_mac_free(struct ttt_mac *mac)
{
	if (mac)
		sodium_free(mac); /* makes it writable again, wipes, frees */
}

void ttt_mac_compute(const struct ttt_mac *mac, const uint8_t *msg, size_t len,
		     uint8_t out[TTT_MAC_LEN])
{
	crypto_auth_hmacsha256_state st = mac->keyed;

	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

bool ttt_mac_verify(const struct ttt_mac *mac, const uint8_t *msg, size_t len,
		    const uint8_t expect[TTT_MAC_LEN])
{
	uint8_t got[TTT_MAC_LEN];
	bool ok;

	ttt_mac_compute(mac, msg, len, got);
	ok = crypto_verify_32(got, expect) == 0;
	sodium_memzero(got, sizeof(got));
	return ok;
}
