/* SPDX-License-Identifier: MIT */
/* sha256_x2_shani.c - SHA-256 on the SHA extensions, one stream or two
 * interleaved
 *
 * The arrangement of sha256.c (ABEF/CDGH state vectors, sha256rnds2 for two
 * rounds, sha256msg1/msg2 for four schedule words), written once for S
 * streams. With two, each step issues the instructions of both streams
 * side by side: one stream is bound by the latency of sha256rnds2, and the
 * other fills the gaps. The states come from and go to the transposed
 * layout of sha256_mb.h (word i of stream s at st[i * S + s]). */
#include "sha256_mb_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TARGET __attribute__((target("sha,sse4.1,ssse3")))
#define MAX_S 2

/* The next four schedule words from the previous sixteen (m[] holds them in
 * groups of four, oldest at index i & 3). */
TARGET static inline __m128i schedule(__m128i m[4], int i)
{
	__m128i t = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);

	t = _mm_add_epi32(t, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
	m[i & 3] = _mm_sha256msg2_epu32(t, m[(i + 3) & 3]);
	return m[i & 3];
}

/* Stream s of st into ABEF (*s0) and CDGH (*s1) form. */
TARGET static inline void load_state(const uint32_t *st, unsigned S, unsigned s, __m128i *s0,
				     __m128i *s1)
{
#define W(i) ((int)st[(i) * S + s])
	__m128i abcd = _mm_set_epi32(W(3), W(2), W(1), W(0));
	__m128i efgh = _mm_set_epi32(W(7), W(6), W(5), W(4));
#undef W
	__m128i cdab = _mm_shuffle_epi32(abcd, 0xb1);

	efgh = _mm_shuffle_epi32(efgh, 0x1b);     /* HGFE -> EFGH order in lanes */
	*s0 = _mm_alignr_epi8(cdab, efgh, 8);     /* ABEF */
	*s1 = _mm_blend_epi16(efgh, cdab, 0xf0);  /* CDGH */
}

/* The inverse of load_state. */
TARGET static inline void store_state(uint32_t *st, unsigned S, unsigned s, __m128i s0, __m128i s1)
{
	__m128i feba = _mm_shuffle_epi32(s0, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(s1, 0xb1);
	__m128i abcd = _mm_blend_epi16(feba, dchg, 0xf0);
	__m128i efgh = _mm_alignr_epi8(dchg, feba, 8);

	st[0 * S + s] = (uint32_t)_mm_extract_epi32(abcd, 0);
	st[1 * S + s] = (uint32_t)_mm_extract_epi32(abcd, 1);
	st[2 * S + s] = (uint32_t)_mm_extract_epi32(abcd, 2);
	st[3 * S + s] = (uint32_t)_mm_extract_epi32(abcd, 3);
	st[4 * S + s] = (uint32_t)_mm_extract_epi32(efgh, 0);
	st[5 * S + s] = (uint32_t)_mm_extract_epi32(efgh, 1);
	st[6 * S + s] = (uint32_t)_mm_extract_epi32(efgh, 2);
	st[7 * S + s] = (uint32_t)_mm_extract_epi32(efgh, 3);
}

/* S (1 or 2, a constant once inlined) streams of nblocks blocks each. */
TARGET static inline __attribute__((always_inline)) void
streams(uint32_t *st, const uint8_t *const p[], size_t nblocks, unsigned S)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i s0[MAX_S], s1[MAX_S], m[MAX_S][4];

	for (unsigned s = 0; s < S; s++)
		load_state(st, S, s, &s0[s], &s1[s]);
	for (size_t b = 0; b < nblocks; b++) {
		__m128i abef[MAX_S], cdgh[MAX_S];

		for (unsigned s = 0; s < S; s++) {
			abef[s] = s0[s];
			cdgh[s] = s1[s];
		}
#pragma GCC unroll 16
		for (int i = 0; i < 16; i++) {
			const __m128i k = _mm_loadu_si128((const __m128i *)&ttt_sha256_mb_k[4 * i]);
#pragma GCC unroll 2
			for (unsigned s = 0; s < S; s++) {
				__m128i w, wk;
				if (i < 4)
					w = m[s][i] = _mm_shuffle_epi8(
						_mm_loadu_si128((const __m128i *)(p[s] + 64 * b + 16 * i)),
						bswap);
				else
					w = schedule(m[s], i);
				wk = _mm_add_epi32(w, k);
				s1[s] = _mm_sha256rnds2_epu32(s1[s], s0[s], wk);
				s0[s] = _mm_sha256rnds2_epu32(s0[s], s1[s], _mm_shuffle_epi32(wk, 0x0e));
			}
		}
		for (unsigned s = 0; s < S; s++) {
			s0[s] = _mm_add_epi32(s0[s], abef[s]);
			s1[s] = _mm_add_epi32(s1[s], cdgh[s]);
		}
	}
	for (unsigned s = 0; s < S; s++)
		store_state(st, S, s, s0[s], s1[s]);
}

TARGET static void x2_blocks(uint32_t *st, const uint8_t *const p[], size_t nblocks)
{
	streams(st, p, nblocks, 2);
}

TARGET static void x1_blocks(uint32_t *st, const uint8_t *const p[], size_t nblocks)
{
	streams(st, p, nblocks, 1);
}

static bool usable(void)
{
	return ttt_cpu_sha_ni();
}

const struct ttt_sha256_mb ttt_sha256_mb_x2_shani = {
	.name = "shani-x2", .lanes = 2, .blocks = x2_blocks, .usable = usable
};

const struct ttt_sha256_mb ttt_sha256_mb_x1_shani = {
	.name = "shani", .lanes = 1, .blocks = x1_blocks, .usable = usable
};

#endif
