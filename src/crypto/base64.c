/* SPDX-License-Identifier: MIT */
/* base64.c - standard base64 with Go StdEncoding's decoding rules */
#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void ttt_base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int is_newline(char c)
{
	return c == '\r' || c == '\n';
}

static size_t skip_newlines(const char *in, size_t n, size_t i)
{
	while (i < n && is_newline(in[i]))
		i++;
	return i;
}

/* After a '=' at quantum position j (2 or 3): checks the rest of the padding
 * and that nothing but newlines follows. Returns 0 or -1 with *bad set. */
static int finish_padding(const char *in, size_t n, size_t i, size_t j, size_t *bad)
{
	if (j == 2) {
		i = skip_newlines(in, n, i);
		if (i == n || in[i] != '=') {
			*bad = i;
			return -1;
		}
		i++;
	}
	i = skip_newlines(in, n, i);
	if (i < n) {
		*bad = i;
		return -1;
	}
	return 0;
}

/* Reads one quantum of up to four sextets starting at *pos. Returns the number
 * of sextets (0 at the clean end of input, 2..4), or -1 with *bad set. */
static int read_quantum(const char *in, size_t n, size_t *pos, uint8_t q[4], size_t *bad)
{
	size_t i = *pos, j = 0;

	while (j < 4) {
		int v;

		i = skip_newlines(in, n, i);
		if (i == n) {
			if (j == 0)
				break;
			*bad = n;
			return -1;
		}
		v = sextet((unsigned char)in[i]);
		if (v >= 0) {
			q[j++] = (uint8_t)v;
			i++;
			continue;
		}
		if (in[i] != '=' || j < 2) {
			*bad = i;
			return -1;
		}
		if (finish_padding(in, n, i + 1, j, bad) < 0)
			return -1;
		i = n;
		break;
	}
	*pos = i;
	return (int)j;
}

ssize_t ttt_base64_decode(const char *in, size_t n, uint8_t *out, size_t outcap,
			  size_t *bad_offset)
{
	size_t pos = 0, o = 0, dummy;
	size_t *bad = bad_offset ? bad_offset : &dummy;

	for (;;) {
		uint8_t q[4] = { 0, 0, 0, 0 };
		int got = read_quantum(in, n, &pos, q, bad);
		uint32_t v;
		int k;

		if (got < 0)
			return -1;
		if (got == 0)
			break;
		v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12 | (uint32_t)q[2] << 6 | q[3];
		for (k = 0; k < got - 1; k++) {
			if (o == outcap) {
				*bad = pos;
				return -1;
			}
			out[o++] = (uint8_t)(v >> (16 - 8 * k));
		}
		if (got < 4)
			break;
	}
	return (ssize_t)o;
}
