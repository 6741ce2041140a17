/* SPDX-License-Identifier: MIT */
/* sha256_x32_avx512.c - SHA-256 on 32 lanes: two independent sets of 16
 * lanes in zmm registers (AVX-512 F, BW), every operation done on both
 * side by side
 *
 * One set of 16 lanes leaves the vector units idle part of the time (each
 * round waits on the previous one); the second set fills them: measured on
 * an AMD EPYC (Zen 5), about 1.4x the block rate of sha256_x16_avx512.c
 * (5.9 against 4.2 GB/s), for batches of at least 32 messages. The
 * operations are those of sha256_x16_avx512.c; V is a pair of zmm. */
#include "sha256_mb_impl.h"

#if defined(__x86_64__)
#include <immintrin.h>

typedef struct {
	__m512i lo, hi; /* lanes 0..15 and 16..31 */
} V;

#define LANES 32
#define TARGET __attribute__((target("avx512f,avx512bw")))
#define PAIR(f, x, y) ((V){ f((x).lo, (y).lo), f((x).hi, (y).hi) })
#define ADD(a, b) PAIR(_mm512_add_epi32, a, b)
#define ROR(x, n) ((V){ _mm512_ror_epi32((x).lo, n), _mm512_ror_epi32((x).hi, n) })
#define SHR(x, n) ((V){ _mm512_srli_epi32((x).lo, n), _mm512_srli_epi32((x).hi, n) })
#define TERN(a, b, c, imm)                                                 \
	((V){ _mm512_ternarylogic_epi32((a).lo, (b).lo, (c).lo, imm),      \
	      _mm512_ternarylogic_epi32((a).hi, (b).hi, (c).hi, imm) })
#define XOR3(a, b, c) TERN(a, b, c, 0x96)
#define CH(e, f, g) TERN(e, f, g, 0xca)
#define MAJ(a, b, c) TERN(a, b, c, 0xe8)
#define SET1(k) ((V){ _mm512_set1_epi32((int)(k)), _mm512_set1_epi32((int)(k)) })
#define LOADU(p) \
	((V){ _mm512_loadu_si512((const void *)(p)), _mm512_loadu_si512((const void *)((p) + 16)) })
#define STOREU(p, v)                                          \
	do {                                                  \
		_mm512_storeu_si512((void *)(p), (v).lo);     \
		_mm512_storeu_si512((void *)((p) + 16), (v).hi); \
	} while (0)
#define MB_FUNC x32_blocks
#define MB_GROUPS_UNROLLED 1

#include "sha256_x16_load.h"

/* w[i] = big-endian word i of the block at p[l] + off, in lane l. */
TARGET static inline void load_block(V w[16], const uint8_t *const p[], size_t off)
{
	__m512i lo[16], hi[16];

	load_x16(lo, p, off);
	load_x16(hi, p + 16, off);
#pragma GCC unroll 16
	for (int i = 0; i < 16; i++)
		w[i] = (V){ lo[i], hi[i] };
}

#include "sha256_mb_lanes.h"

static bool usable(void)
{
	return ttt_cpu_avx512();
}

const struct ttt_sha256_mb ttt_sha256_mb_x32_avx512 = {
	.name = "avx512x32", .lanes = 32, .blocks = x32_blocks, .usable = usable
};

#endif
