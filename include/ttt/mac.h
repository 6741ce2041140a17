/* mac.h - HMAC-SHA256 under the preshared key
 *
 * The key is absorbed once into a pre-keyed state held in guarded memory;
 * each MAC starts from a copy of it. Verification compares in constant time. */
#ifndef TTT_MAC_H
#define TTT_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTT_MAC_LEN 32

struct ttt_mac;

/* Which implementation computes MACs (for benchmarks and logs). */
const char *ttt_mac_backend(void);

/* Returns NULL when secure memory cannot be had. Any key length works. */
struct ttt_mac *ttt_mac_new(const uint8_t *key, size_t len);

/* Wipes and frees (NULL is fine). */
void ttt_mac_free(struct ttt_mac *mac);

void ttt_mac_compute(const struct ttt_mac *mac, const uint8_t *msg, size_t len,
		     uint8_t out[TTT_MAC_LEN]);

/* Constant-time comparison of the MAC of msg with expect. */
bool ttt_mac_verify(const struct ttt_mac *mac, const uint8_t *msg, size_t len,
		    const uint8_t expect[TTT_MAC_LEN]);

#endif
