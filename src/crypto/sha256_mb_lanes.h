/* SPDX-License-Identifier: MIT */
/* sha256_mb_lanes.h - the SHA-256 block function on vectors of lanes
 *
 * Not an ordinary header: each SIMD kernel file (sha256_x32_avx512.c,
 * sha256_x16_avx512.c, sha256_x8_avx512vl.c, sha256_x8_avx2.c) includes it
 * once, after defining
 *   V                      the vector type, LANES 32-bit lanes wide
 *   TARGET                 the attribute enabling the instructions used
 *   ADD(a, b)              lane-wise 32-bit addition
 *   ROR(x, n), SHR(x, n)   rotate / shift right by a constant
 *   XOR3(a, b, c)          a ^ b ^ c
 *   CH(e, f, g)            (e & f) ^ (~e & g)
 *   MAJ(a, b, c)           (a & b) ^ (a & c) ^ (b & c)
 *   SET1(k)                k in every lane
 *   LOADU(p), STOREU(p, v) unaligned load and store of one V
 *   load_block(w, p, off)  a TARGET static inline function: w[i] = big-endian
 *                          word i of the block at p[l] + off, in lane l
 *   MB_GROUPS_UNROLLED     1 or 4: how many of the four groups of 16 rounds
 *                          are unrolled (4 is fastest for 8 lanes; 16 and 32
 *                          lanes run better on code a quarter the size,
 *                          which stays in the instruction cache)
 *   MB_FUNC                the name of the block function it defines:
 *                          static void MB_FUNC(uint32_t *st, const uint8_t *const p[], size_t nblocks)
 * The inner loops are unrolled so that the arrays below are registers. */

#define MB_PRAGMA(x) _Pragma(#x)
#define MB_UNROLL(n) MB_PRAGMA(GCC unroll n)

#define MB_BSIG0(x) XOR3(ROR(x, 2), ROR(x, 13), ROR(x, 22))
#define MB_BSIG1(x) XOR3(ROR(x, 6), ROR(x, 11), ROR(x, 25))
#define MB_SSIG0(x) XOR3(ROR(x, 7), ROR(x, 18), SHR(x, 3))
#define MB_SSIG1(x) XOR3(ROR(x, 17), ROR(x, 19), SHR(x, 10))

/* Round r + i on the state s[], whose working variable a..h (j = 0..7) is
 * in s[(j - i) & 7] (r is a multiple of 16): the new a overwrites the old
 * h, the new e the old d. */
#define MB_VAR(j) s[((j) - i) & 7]
#define MB_ROUND(w_i)                                                                           \
	do {                                                                                    \
		V t1_ = ADD(ADD(MB_VAR(7), MB_BSIG1(MB_VAR(4))),                                \
			    ADD(CH(MB_VAR(4), MB_VAR(5), MB_VAR(6)),                            \
				ADD(w_i, SET1(ttt_sha256_mb_k[r + i]))));                       \
		MB_VAR(3) = ADD(MB_VAR(3), t1_);                                                \
		MB_VAR(7) = ADD(t1_, ADD(MB_BSIG0(MB_VAR(0)), MAJ(MB_VAR(0), MB_VAR(1), MB_VAR(2)))); \
	} while (0)

/* One 64-byte block through every lane of s[]: four groups of 16 rounds. */
TARGET static inline void mb_compress(V s[8], V w[16])
{
	V in[8];

#pragma GCC unroll 8
	for (int i = 0; i < 8; i++)
		in[i] = s[i];
	MB_UNROLL(MB_GROUPS_UNROLLED)
	for (int r = 0; r < 64; r += 16) {
#pragma GCC unroll 16
		for (int i = 0; i < 16; i++) {
			if (r) /* the schedule, in place in a ring of 16 words */
				w[i] = ADD(ADD(w[i], MB_SSIG1(w[(i + 14) & 15])),
					   ADD(w[(i + 9) & 15], MB_SSIG0(w[(i + 1) & 15])));
			MB_ROUND(w[i]);
		}
	}
#pragma GCC unroll 8
	for (int i = 0; i < 8; i++)
		s[i] = ADD(s[i], in[i]);
}

TARGET static void MB_FUNC(uint32_t *st, const uint8_t *const p[], size_t nblocks)
{
	V s[8], w[16];

#pragma GCC unroll 8
	for (int i = 0; i < 8; i++)
		s[i] = LOADU(st + i * LANES);
	for (size_t b = 0; b < nblocks; b++) {
		load_block(w, p, b * 64);
		mb_compress(s, w);
	}
#pragma GCC unroll 8
	for (int i = 0; i < 8; i++)
		STOREU(st + i * LANES, s[i]);
}

#undef MB_BSIG0
#undef MB_BSIG1
#undef MB_SSIG0
#undef MB_SSIG1
#undef MB_VAR
#undef MB_ROUND
#undef MB_PRAGMA
#undef MB_UNROLL
