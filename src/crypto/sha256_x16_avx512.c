/* SPDX-License-Identifier: MIT */
/* sha256_x16_avx512.c - SHA-256 on 16 lanes in zmm registers (AVX-512 F, BW)
 *
 * Rotates are vprord, the three-input functions one vpternlogd each. The
 * block words come in as one zmm per lane (a whole block), byte-swapped
 * with vpshufb (BW), then transposed 16x16 so that vector i holds word i of
 * every lane (sha256_x16_load.h). */
#include "sha256_mb_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define V __m512i
#define LANES 16
#define TARGET __attribute__((target("avx512f,avx512bw")))
#define ADD(a, b) _mm512_add_epi32(a, b)
#define ROR(x, n) _mm512_ror_epi32(x, n)
#define SHR(x, n) _mm512_srli_epi32(x, n)
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)
#define MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8)
#define SET1(k) _mm512_set1_epi32((int)(k))
#define LOADU(p) _mm512_loadu_si512((const void *)(p))
#define STOREU(p, v) _mm512_storeu_si512((void *)(p), v)
#define MB_FUNC x16_blocks
#define MB_GROUPS_UNROLLED 1

#include "sha256_x16_load.h"

/* w[i] = big-endian word i of the block at p[l] + off, in lane l. */
TARGET static inline void load_block(V w[16], const uint8_t *const p[], size_t off)
{
	load_x16(w, p, off);
}

#include "sha256_mb_lanes.h"

static bool usable(void)
{
	return ttt_cpu_avx512();
}

const struct ttt_sha256_mb ttt_sha256_mb_x16_avx512 = {
	.name = "avx512x16", .lanes = 16, .blocks = x16_blocks, .usable = usable
};

#endif
