/* SPDX-License-Identifier: MIT */
/* sha256_mb_impl.h - what the multi-lane SHA-256 kernels share inside the
 * library (not installed): the round constants, the CPU feature tests, and
 * the kernels themselves, which sha256_mb.c lists. */
#ifndef TTT_SHA256_MB_IMPL_H
#define TTT_SHA256_MB_IMPL_H

#include <stdbool.h>

#include "sha256_mb.h"

extern const uint32_t ttt_sha256_mb_k[64];

/* CPUID and XGETBV (for the OS's saving of the vector registers). */
bool ttt_cpu_sha_ni(void);   /* SHA, SSSE3, SSE4.1 */
bool ttt_cpu_avx2(void);     /* AVX2 with YMM state enabled */
bool ttt_cpu_avx512(void);   /* AVX-512 F and BW with ZMM state enabled */
bool ttt_cpu_avx512vl(void); /* the same and VL */

extern const struct ttt_sha256_mb ttt_sha256_mb_portable;
#if defined(__x86_64__)
extern const struct ttt_sha256_mb ttt_sha256_mb_x32_avx512;
extern const struct ttt_sha256_mb ttt_sha256_mb_x16_avx512;
extern const struct ttt_sha256_mb ttt_sha256_mb_x8_avx512vl;
extern const struct ttt_sha256_mb ttt_sha256_mb_x8_avx2;
extern const struct ttt_sha256_mb ttt_sha256_mb_x2_shani;
extern const struct ttt_sha256_mb ttt_sha256_mb_x1_shani;
#endif

#endif
