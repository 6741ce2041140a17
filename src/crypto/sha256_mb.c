/* SPDX-License-Identifier: MIT */
/* sha256_mb.c - the list of multi-lane SHA-256 kernels, the CPU feature
 * tests they need, and the portable one-lane kernel that runs anywhere. */
#include "sha256_mb_impl.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

const uint32_t ttt_sha256_mb_iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

const uint32_t ttt_sha256_mb_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

/* ---- CPU features ---- */

#if defined(__x86_64__)

/* XCR0: which register states the OS saves (bit 1 SSE, 2 AVX, 5-7 AVX-512). */
__attribute__((target("xsave"))) static uint64_t xcr0(void)
{
	return _xgetbv(0);
}

struct features {
	unsigned ecx1, ebx7;
	uint64_t xcr0;
};

static struct features features(void)
{
	struct features f = { 0, 0, 0 };
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return f;
	f.ecx1 = c;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		f.ebx7 = b;
	if (f.ecx1 & bit_OSXSAVE)
		f.xcr0 = xcr0();
	return f;
}

bool ttt_cpu_sha_ni(void)
{
	struct features f = features();

	return (f.ecx1 & bit_SSSE3) && (f.ecx1 & bit_SSE4_1) && (f.ebx7 & bit_SHA);
}

bool ttt_cpu_avx2(void)
{
	struct features f = features();

	return (f.ecx1 & bit_AVX) && (f.xcr0 & 0x6) == 0x6 && (f.ebx7 & bit_AVX2);
}

bool ttt_cpu_avx512(void)
{
	struct features f = features();

	return ttt_cpu_avx2() && (f.xcr0 & 0xe6) == 0xe6 && (f.ebx7 & bit_AVX512F) &&
	       (f.ebx7 & bit_AVX512BW);
}

bool ttt_cpu_avx512vl(void)
{
	return ttt_cpu_avx512() && (features().ebx7 & bit_AVX512VL);
}

#else /* not x86_64: only the portable kernel */

bool ttt_cpu_sha_ni(void)
{
	return false;
}

bool ttt_cpu_avx2(void)
{
	return false;
}

bool ttt_cpu_avx512(void)
{
	return false;
}

bool ttt_cpu_avx512vl(void)
{
	return false;
}

#endif

/* ---- the portable kernel: one lane, plain C ---- */

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			hh = h[7];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) +
			      ttt_sha256_mb_k[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
	sodium_memzero(w, sizeof(w)); /* the outer hash's block is key-derived */
}

static void portable_blocks(uint32_t *st, const uint8_t *const p[], size_t nblocks)
{
	for (size_t b = 0; b < nblocks; b++)
		compress(st, p[0] + 64 * b);
}

static bool always(void)
{
	return true;
}

const struct ttt_sha256_mb ttt_sha256_mb_portable = {
	.name = "portable", .lanes = 1, .blocks = portable_blocks, .usable = always
};

/* ---- the list ---- */

static const struct ttt_sha256_mb *const kernels[] = {
#if defined(__x86_64__)
	&ttt_sha256_mb_x32_avx512, &ttt_sha256_mb_x16_avx512, &ttt_sha256_mb_x8_avx512vl,
	&ttt_sha256_mb_x8_avx2,    &ttt_sha256_mb_x2_shani,   &ttt_sha256_mb_x1_shani,
#endif
	&ttt_sha256_mb_portable,
};

const struct ttt_sha256_mb *const *ttt_sha256_mb_all(size_t *count)
{
	*count = sizeof(kernels) / sizeof(kernels[0]);
	return kernels;
}

/* Whether TTT_SHA256_MB_DISABLE (names separated by commas) names name. */
static bool disabled(const char *name)
{
	const char *list = getenv("TTT_SHA256_MB_DISABLE");
	size_t len = strlen(name);

	while (list && *list) {
		size_t n = strcspn(list, ",");
		if (n == len && strncmp(list, name, n) == 0)
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

const struct ttt_sha256_mb *ttt_sha256_mb_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
		if (strcmp(kernels[i]->name, name) == 0)
			return kernels[i]->usable() && !disabled(name) ? kernels[i] : NULL;
	return NULL;
}
