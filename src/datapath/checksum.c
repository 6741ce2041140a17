/* SPDX-License-Identifier: MIT */
/* checksum.c - ones' complement sums, eight bytes at a time */
#include "checksum.h"

uint64_t ttt_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0;

	/* Add 32-bit words into a 64-bit accumulator: no carry can be lost. */
	while (len >= 8) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { *p, 0 };
		uint16_t w;
		memcpy(&w, last, 2);
		acc += w;
	}
	/* Fold the 32-bit words' sum down so it can be added to sum safely. */
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return sum + acc;
}

uint16_t ttt_csum_finish(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint64_t ttt_csum_pseudo(const uint8_t *ip, bool ipv4, uint8_t proto, size_t l4len)
{
	/* Source and destination addresses: 8 bytes at 12 (IPv4), 32 at 8 (IPv6). */
	uint64_t sum = ipv4 ? ttt_csum_add(0, ip + 12, 8) : ttt_csum_add(0, ip + 8, 32);

	sum = ttt_csum_add_be16(sum, proto);
	if (!ipv4)
		sum = ttt_csum_add_be16(sum, (uint16_t)(l4len >> 16));
	return ttt_csum_add_be16(sum, (uint16_t)l4len);
}
