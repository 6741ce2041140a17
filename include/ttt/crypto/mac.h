/* mac.h - HMAC-SHA256 under the preshared key
 *
 * The key is absorbed once into pre-keyed states held in guarded memory;
 * each MAC starts from copies of them. Verification compares in constant
 * time. */
#ifndef TTT_MAC_H
#define TTT_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ttt/proto.h"

#define TTT_MAC_LEN TTT_HMAC_LEN

struct ttt_mac;

/* Returns NULL when secure memory cannot be had. Any key length works. The
 * hash runs on SHA-NI where the CPU has it, else on libsodium. */
struct ttt_mac *ttt_mac_new(const uint8_t *key, size_t len);

/* The same on libsodium whatever the CPU (to compare, in tests and benchmarks). */
struct ttt_mac *ttt_mac_new_portable(const uint8_t *key, size_t len);

/* Which implementation this MAC runs on: "SHA-NI" or "libsodium x.y.z". */
const char *ttt_mac_backend(const struct ttt_mac *mac);

/* Wipes and frees (NULL is fine). */
void ttt_mac_free(struct ttt_mac *mac);

void ttt_mac_compute(const struct ttt_mac *mac, const uint8_t *msg, size_t len,
		     uint8_t out[TTT_MAC_LEN]);

/* Constant-time comparison of the MAC of msg with expect. */
bool ttt_mac_verify(const struct ttt_mac *mac, const uint8_t *msg, size_t len,
		    const uint8_t expect[TTT_MAC_LEN]);

#endif
