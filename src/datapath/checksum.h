/* SPDX-License-Identifier: MIT */
/* checksum.h - the Internet checksum (RFC 1071)
 *
 * Sums are kept in host byte order over 16-bit words loaded from memory;
 * the ones' complement sum does not care about byte order as long as the
 * result is stored back the same way, which ttt_csum_store does. */
#ifndef TTT_CHECKSUM_H
#define TTT_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Adds len bytes at data to the running sum. */
uint64_t ttt_csum_add(uint64_t sum, const void *data, size_t len);

/* Folds a running sum to 16 bits and complements it: the checksum field. */
uint16_t ttt_csum_finish(uint64_t sum);

/* A 16-bit value given in network order, as memory holds it. */
static inline uint64_t ttt_csum_add_be16(uint64_t sum, uint16_t host_value)
{
	uint8_t b[2] = { (uint8_t)(host_value >> 8), (uint8_t)host_value };
	uint16_t w;

	memcpy(&w, b, 2);
	return sum + w;
}

/* The pseudo-header sum for an L4 segment of l4len bytes of protocol proto
 * behind the IPv4 (ipv4) or IPv6 header at ip. */
uint64_t ttt_csum_pseudo(const uint8_t *ip, bool ipv4, uint8_t proto, size_t l4len);

/* Writes a checksum computed by ttt_csum_finish at p. */
static inline void ttt_csum_store(uint8_t *p, uint16_t csum)
{
	memcpy(p, &csum, 2);
}

#endif
