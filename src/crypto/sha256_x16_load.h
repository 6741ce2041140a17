/* SPDX-License-Identifier: MIT */
/* sha256_x16_load.h - the block loader of the AVX-512 kernels (16 and 32
 * lanes): included by each after it defines TARGET. Each lane's block is
 * one zmm, byte-swapped with vpshufb (BW), and the 16 of them transposed
 * 16x16 so that vector i holds word i of every lane. */

/* Transposes the 4x4 matrix of 128-bit blocks formed by a, b, c, d. */
TARGET static inline void transpose_128(__m512i *a, __m512i *b, __m512i *c, __m512i *d)
{
	__m512i u0 = _mm512_shuffle_i32x4(*a, *b, 0x44), u1 = _mm512_shuffle_i32x4(*a, *b, 0xee);
	__m512i u2 = _mm512_shuffle_i32x4(*c, *d, 0x44), u3 = _mm512_shuffle_i32x4(*c, *d, 0xee);

	*a = _mm512_shuffle_i32x4(u0, u2, 0x88);
	*b = _mm512_shuffle_i32x4(u0, u2, 0xdd);
	*c = _mm512_shuffle_i32x4(u1, u3, 0x88);
	*d = _mm512_shuffle_i32x4(u1, u3, 0xdd);
}

/* w[i] = big-endian word i of the block at p[l] + off, in lane l. */
TARGET static inline void load_x16(__m512i w[16], const uint8_t *const p[], size_t off)
{
	const __m512i bswap = _mm512_broadcast_i32x4(
		_mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL));
	__m512i r[16], b[16];

	/* Rows 4g..4g+3: after the 32- and 64-bit interleaves, b[4g + m]
	 * holds, in its 128-bit block c, word 4c + m of lanes 4g..4g+3. */
#pragma GCC unroll 4
	for (int g = 0; g < 4; g++) {
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++)
			r[4 * g + j] = _mm512_shuffle_epi8(
				_mm512_loadu_si512((const void *)(p[4 * g + j] + off)), bswap);
		__m512i a0 = _mm512_unpacklo_epi32(r[4 * g], r[4 * g + 1]);
		__m512i a1 = _mm512_unpackhi_epi32(r[4 * g], r[4 * g + 1]);
		__m512i a2 = _mm512_unpacklo_epi32(r[4 * g + 2], r[4 * g + 3]);
		__m512i a3 = _mm512_unpackhi_epi32(r[4 * g + 2], r[4 * g + 3]);
		b[4 * g] = _mm512_unpacklo_epi64(a0, a2);
		b[4 * g + 1] = _mm512_unpackhi_epi64(a0, a2);
		b[4 * g + 2] = _mm512_unpacklo_epi64(a1, a3);
		b[4 * g + 3] = _mm512_unpackhi_epi64(a1, a3);
	}
	/* Word 4c + m of lanes 4g..4g+3 goes to block g of w[4c + m]. */
#pragma GCC unroll 4
	for (int m = 0; m < 4; m++) {
		transpose_128(&b[m], &b[4 + m], &b[8 + m], &b[12 + m]);
#pragma GCC unroll 4
		for (int c = 0; c < 4; c++)
			w[4 * c + m] = b[4 * c + m];
	}
}
