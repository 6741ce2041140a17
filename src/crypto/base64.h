/* SPDX-License-Identifier: MIT */
/* base64.h - standard base64 (RFC 4648 section 4), decoded the way Go's
 * base64.StdEncoding decodes, because that is how tinytaptunnel v1.4 reads
 * its key file. */
#ifndef TTT_BASE64_H
#define TTT_BASE64_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Characters ttt_base64_encode writes for n input bytes (no terminator). */
static inline size_t ttt_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Upper bound on the bytes ttt_base64_decode writes for n input characters. */
static inline size_t ttt_base64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

/* Writes ttt_base64_encoded_len(n) characters and a NUL to out. */
void ttt_base64_encode(const uint8_t *in, size_t n, char *out);

/* Decodes n characters. As Go's StdEncoding: '=' padding is required, CR and
 * LF are ignored wherever they stand, any other character outside the
 * alphabet is an error, and the unused low bits of the last quantum are not
 * checked. Returns the number of bytes written (at most outcap), or -1 with
 * *bad_offset set to the offset of the offending character (n when the input
 * ends early). */
ssize_t ttt_base64_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
			  size_t *bad_offset);

#endif
