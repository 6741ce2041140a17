/* SPDX-License-Identifier: MIT */
/* sha256.h - SHA-256 compression with the x86 SHA extensions (SHA-NI)
 *
 * Only the block function; HMAC (hmac.c) does the padding. On CPUs without
 * SHA-NI, and on other architectures, ttt_sha256_hw is false and hmac.c uses
 * libsodium instead. Checked against libsodium in tests/unit/test_hmac.c. */
#ifndef TTT_SHA256_H
#define TTT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTT_SHA256_BLOCK 64

/* Whether this CPU has SHA-NI (and the SSSE3/SSE4.1 it needs). */
bool ttt_sha256_hw(void);

/* Runs nblocks 64-byte blocks at p through the state h (host-order words).
 * Only call when ttt_sha256_hw() is true. */
void ttt_sha256_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);

#endif
