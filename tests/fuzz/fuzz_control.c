/* SPDX-License-Identifier: MIT */
/* fuzz_control.c - libFuzzer harness: the control socket's line protocol
 * (control.h), both ends: a worker parsing what a client sent
 * (ttt_control_parse_request) and `ttt` parsing what a worker answered
 * (ttt_control_parse_reply, ttt_control_get).
 *
 * The input is the bytes received. Checked (abort on a mismatch):
 *   - the request parser agrees with a reference: 1 for exactly
 *     "get=1\n\n", 0 for a proper prefix of it, -1 for anything else;
 *   - a parsed reply has at most TTT_CONTROL_KEYS_MAX lines, each a valid
 *     key and a printable value, the last errno=N; written again with
 *     ttt_control_put it is byte for byte the input, and parses to the same
 *     pairs; ttt_control_get finds the first of each key;
 *   - the parser never reads past the input (it is copied into a buffer of
 *     exactly size + 1 bytes, so ASan sees an overrun). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ttt/worker/control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const uint8_t *data, size_t size)
{
	static const char get[] = "get=1\n\n";
	size_t n = sizeof(get) - 1;
	int want = size == n && memcmp(data, get, n) == 0	? 1
		   : size < n && memcmp(data, get, size) == 0 ? 0
							       : -1;

	if (ttt_control_parse_request((const char *)data, size) != want)
		abort();
}

/* Writes r again, with the put function a worker uses. */
static size_t rewrite(const struct ttt_control_reply *r, char *buf, size_t cap)
{
	struct ttt_control_out o = { .buf = buf, .cap = cap, .len = 0 };

	for (size_t i = 0; i < r->n; i++)
		ttt_control_put(&o, r->kv[i].key, "%s", r->kv[i].value);
	if (o.overflow || o.len + 2 > cap)
		abort();
	buf[o.len++] = '\n';
	return o.len;
}

static void check_reply(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *again = malloc(size + 2);
	struct ttt_control_reply *r = malloc(sizeof(*r)), *r2 = malloc(sizeof(*r2));
	struct ttt_err err;
	size_t n;

	if (!buf || !again || !r || !r2)
		abort();
	memcpy(buf, data, size);
	if (ttt_control_parse_reply(buf, size, r, &err) == 0) {
		if (r->n == 0 || r->n > TTT_CONTROL_KEYS_MAX || r->errnum < 0 ||
		    strcmp(r->kv[r->n - 1].key, "errno") != 0)
			abort();
		n = rewrite(r, again, size + 2);
		if (n != size || memcmp(again, data, size) != 0)
			abort();
		if (ttt_control_parse_reply(again, n, r2, &err) != 0 || r2->n != r->n ||
		    r2->errnum != r->errnum)
			abort();
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->kv[i].key, r2->kv[i].key) || strcmp(r->kv[i].value, r2->kv[i].value) ||
			    ttt_control_get(r, r->kv[i].key) == NULL)
				abort();
	} else if (!err.msg[0]) {
		abort(); /* a refusal says why */
	}
	free(buf);
	free(again);
	free(r);
	free(r2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_request(data, size);
	if (size <= TTT_CONTROL_REPLY_MAX + 1)
		check_reply(data, size);
	return 0;
}
