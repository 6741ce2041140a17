/* SPDX-License-Identifier: MIT */
/* sha256_x8_load.h - the block loader of the two 8-lane kernels (AVX2 and
 * AVX-512VL): included by each after it defines V (__m256i) and TARGET.
 * Each lane's block is two ymm (words 0..7, 8..15), byte-swapped with
 * vpshufb, and each half transposed 8x8 so that vector i holds word i of
 * every lane. */

/* w[0..7] = words 0..7 (in lane l) of the eight rows r[l]. */
TARGET static inline void transpose_8x8(V w[8], const V r[8])
{
	V b[8];

	/* Rows 4g..4g+3: after the 32- and 64-bit interleaves, b[4g + m]
	 * holds, in its 128-bit half c, word 4c + m of lanes 4g..4g+3. */
#pragma GCC unroll 2
	for (int g = 0; g < 2; g++) {
		V a0 = _mm256_unpacklo_epi32(r[4 * g], r[4 * g + 1]);
		V a1 = _mm256_unpackhi_epi32(r[4 * g], r[4 * g + 1]);
		V a2 = _mm256_unpacklo_epi32(r[4 * g + 2], r[4 * g + 3]);
		V a3 = _mm256_unpackhi_epi32(r[4 * g + 2], r[4 * g + 3]);
		b[4 * g] = _mm256_unpacklo_epi64(a0, a2);
		b[4 * g + 1] = _mm256_unpackhi_epi64(a0, a2);
		b[4 * g + 2] = _mm256_unpacklo_epi64(a1, a3);
		b[4 * g + 3] = _mm256_unpackhi_epi64(a1, a3);
	}
	/* Word 4c + m: lanes 0..3 from b[m], lanes 4..7 from b[4 + m]. */
#pragma GCC unroll 4
	for (int m = 0; m < 4; m++) {
		w[m] = _mm256_permute2x128_si256(b[m], b[4 + m], 0x20);
		w[4 + m] = _mm256_permute2x128_si256(b[m], b[4 + m], 0x31);
	}
}

/* w[i] = big-endian word i of the block at p[l] + off, in lane l. */
TARGET static inline void load_block(V w[16], const uint8_t *const p[], size_t off)
{
	const V bswap = _mm256_broadcastsi128_si256(
		_mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL));
	V lo[8], hi[8];

#pragma GCC unroll 8
	for (int l = 0; l < 8; l++) {
		lo[l] = _mm256_shuffle_epi8(_mm256_loadu_si256((const V *)(p[l] + off)), bswap);
		hi[l] = _mm256_shuffle_epi8(_mm256_loadu_si256((const V *)(p[l] + off + 32)), bswap);
	}
	transpose_8x8(w, lo);
	transpose_8x8(w + 8, hi);
}
