/* mac_openssl.c - HMAC-SHA256 with OpenSSL's SHA-256 (SHA-NI where the CPU
 * has it: about 4x libsodium 1.0.18 here, see `make bench`).
 *
 * HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The states after
 * absorbing the padded key blocks are computed once; each MAC starts from
 * struct copies of them, so nothing is allocated per frame and the shared
 * states are only read, by any number of threads. The low-level SHA256_*
 * functions are deprecated in OpenSSL 3 in favour of EVP, whose context
 * copies allocate; they remain supported throughout 3.x. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "ttt/mac.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <string.h>

#define BLOCK 64

struct ttt_mac {
	SHA256_CTX inner; /* after (K ^ ipad) */
	SHA256_CTX outer; /* after (K ^ opad) */
};

const char *ttt_mac_backend(void)
{
	return OPENSSL_VERSION_TEXT " SHA-256";
}

static void keyed(SHA256_CTX *st, const uint8_t block[BLOCK], uint8_t pad)
{
	uint8_t x[BLOCK];

	for (int i = 0; i < BLOCK; i++)
		x[i] = block[i] ^ pad;
	SHA256_Init(st);
	SHA256_Update(st, x, BLOCK);
	sodium_memzero(x, sizeof(x));
}

struct ttt_mac *ttt_mac_new(const uint8_t *key, size_t len)
{
	uint8_t block[BLOCK] = { 0 };
	struct ttt_mac *mac;

	if (sodium_init() < 0)
		return NULL;
	mac = sodium_malloc(sizeof(*mac));
	if (!mac)
		return NULL;
	if (len > BLOCK)
		SHA256(key, len, block); /* long keys are hashed first (RFC 2104) */
	else
		memcpy(block, key, len);
	keyed(&mac->inner, block, 0x36);
	keyed(&mac->outer, block, 0x5c);
	sodium_memzero(block, sizeof(block));
	if (sodium_mprotect_readonly(mac) != 0) {
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
	SHA256_CTX st = mac->inner;
	uint8_t inner[SHA256_DIGEST_LENGTH];

	SHA256_Update(&st, msg, len);
	SHA256_Final(inner, &st);
	st = mac->outer;
	SHA256_Update(&st, inner, sizeof(inner));
	SHA256_Final(out, &st);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(inner, sizeof(inner));
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
