/* SPDX-License-Identifier: MIT */
/* helpers.h - small things the unit tests share (header-only) */
#ifndef TTT_TEST_HELPERS_H
#define TTT_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

/* Decodes hex into a new buffer; *len receives the byte count. */
static inline uint8_t *hex_decode(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *out = malloc(n ? n : 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
	return out;
}

/* Reads a whole file into a NUL-terminated buffer. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (set TTT_VECTORS to the vectors directory)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Path of a file in the wire vectors directory (tests/vectors by default). */
static inline const char *vector_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("TTT_VECTORS");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/vectors", name);
	return path;
}

#endif
