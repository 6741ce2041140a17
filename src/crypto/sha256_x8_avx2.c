/* SPDX-License-Identifier: MIT */
/* sha256_x8_avx2.c - SHA-256 on 8 lanes in ymm registers with AVX2 only:
 * rotates are two shifts and an OR, the three-input functions two or three
 * logic operations. */
#include "sha256_mb_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define V __m256i
#define LANES 8
#define TARGET __attribute__((target("avx2")))
#define ADD(a, b) _mm256_add_epi32(a, b)
#define XOR(a, b) _mm256_xor_si256(a, b)
#define ROR(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))
#define SHR(x, n) _mm256_srli_epi32(x, n)
#define XOR3(a, b, c) XOR(XOR(a, b), c)
#define CH(e, f, g) XOR(_mm256_and_si256(XOR(f, g), e), g)
#define MAJ(a, b, c) _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)))
#define SET1(k) _mm256_set1_epi32((int)(k))
#define LOADU(p) _mm256_loadu_si256((const V *)(p))
#define STOREU(p, v) _mm256_storeu_si256((V *)(p), v)
#define MB_FUNC x8_avx2_blocks
#define MB_GROUPS_UNROLLED 4

#include "sha256_x8_load.h"
#include "sha256_mb_lanes.h"

static bool usable(void)
{
	return ttt_cpu_avx2();
}

const struct ttt_sha256_mb ttt_sha256_mb_x8_avx2 = {
	.name = "avx2x8", .lanes = 8, .blocks = x8_avx2_blocks, .usable = usable
};

#endif
