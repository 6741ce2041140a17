/* SPDX-License-Identifier: MIT */
/* fuzz_dns.c - libFuzzer harness: DNS responses as the static build's
 * resolver reads them (ttt_dns_answers, src/resolve.c).
 *
 * The first byte picks the record type asked for (even: A, odd: AAAA), the
 * rest is the response. Checked (abort on a mismatch): the list never
 * overflows, every address kept has the family asked for, and a response
 * accepted whole is accepted again with its addresses appended after the
 * first run's (the parser keeps no state). */
#include <arpa/nameser.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ttt_addrlist l = { .n = 0 };
	int type, family, rc;
	size_t first;

	if (size < 1)
		return 0;
	type = data[0] & 1 ? ns_t_aaaa : ns_t_a;
	family = type == ns_t_a ? AF_INET : AF_INET6;
	rc = ttt_dns_answers(data + 1, size - 1, type, &l);
	if (rc != 0 && rc != -1)
		abort();
	if (l.n > TTT_RESOLVE_MAX)
		abort();
	for (size_t i = 0; i < l.n; i++)
		if (l.family[i] != family)
			abort();
	first = l.n;
	if (rc == 0 && first <= TTT_RESOLVE_MAX / 2) {
		if (ttt_dns_answers(data + 1, size - 1, type, &l) != 0 || l.n != 2 * first)
			abort();
		for (size_t i = 0; i < first; i++)
			if (memcmp(l.addr[i], l.addr[first + i], 16) != 0)
				abort();
	}
	return 0;
}
