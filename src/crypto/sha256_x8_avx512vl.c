/* SPDX-License-Identifier: MIT */
/* sha256_x8_avx512vl.c - SHA-256 on 8 lanes in ymm registers with
 * AVX-512VL: rotates are vprord, the three-input functions one vpternlogd
 * each, and the EVEX encoding has 32 registers; at 256 bits wide it avoids
 * the frequency drop some Intel CPUs have on zmm. */
#include "sha256_mb_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define V __m256i
#define LANES 8
#define TARGET __attribute__((target("avx2,avx512f,avx512vl")))
#define ADD(a, b) _mm256_add_epi32(a, b)
#define ROR(x, n) _mm256_ror_epi32(x, n)
#define SHR(x, n) _mm256_srli_epi32(x, n)
#define XOR3(a, b, c) _mm256_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm256_ternarylogic_epi32(e, f, g, 0xca)
#define MAJ(a, b, c) _mm256_ternarylogic_epi32(a, b, c, 0xe8)
#define SET1(k) _mm256_set1_epi32((int)(k))
#define LOADU(p) _mm256_loadu_si256((const V *)(p))
#define STOREU(p, v) _mm256_storeu_si256((V *)(p), v)
#define MB_FUNC x8_vl_blocks
#define MB_GROUPS_UNROLLED 4

#include "sha256_x8_load.h"
#include "sha256_mb_lanes.h"

static bool usable(void)
{
	return ttt_cpu_avx512vl();
}

const struct ttt_sha256_mb ttt_sha256_mb_x8_avx512vl = {
	.name = "avx512vl-x8", .lanes = 8, .blocks = x8_vl_blocks, .usable = usable
};

#endif
