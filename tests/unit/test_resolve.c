/* SPDX-License-Identifier: MIT */
/* test_resolve.c - the static build's resolver: hosts files and DNS answers */
#include "helpers.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <unistd.h>

#include "net/resolve.h"

static char hosts_path[] = "/tmp/ttt-hosts.XXXXXX";

static int write_hosts(void **state)
{
	static const char text[] =
		"# a comment 198.18.9.9 peer\n"
		"127.0.0.1\tlocalhost\n"
		"198.18.0.2 node-b.test node-b   # node b\n"
		"garbage node-b\n"
		"2001:db8::2 node-b.test\n"
		"198.18.0.3 other.test NODE-B.TEST\n"
		"   \n"
		"198.18.0.4\n"
		"\r\n";
	int fd = mkstemp(hosts_path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	assert_int_equal(close(fd), 0);
	return 0;
}

static int remove_hosts(void **state)
{
	(void)state;
	unlink(hosts_path);
	return 0;
}

static const char *text_of(const struct ttt_addrlist *l, size_t i, char buf[INET6_ADDRSTRLEN])
{
	assert_true(i < l->n);
	return inet_ntop(l->family[i], l->addr[i], buf, INET6_ADDRSTRLEN);
}

static void hosts_every_match_in_order(void **state)
{
	struct ttt_addrlist l = { .n = 0 };
	char b[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(ttt_hosts_lookup(hosts_path, "node-b.test", AF_UNSPEC, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(text_of(&l, 0, b), "198.18.0.2");
	assert_string_equal(text_of(&l, 1, b), "2001:db8::2");
	assert_string_equal(text_of(&l, 2, b), "198.18.0.3"); /* names are case-insensitive */
}

static void hosts_family_and_aliases(void **state)
{
	struct ttt_addrlist l = { .n = 0 };
	char b[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(ttt_hosts_lookup(hosts_path, "node-b.test", AF_INET6, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(text_of(&l, 0, b), "2001:db8::2");
	l.n = 0;
	assert_int_equal(ttt_hosts_lookup(hosts_path, "node-b", AF_INET, &l), 0);
	assert_int_equal(l.n, 1); /* not the "garbage" line */
	assert_string_equal(text_of(&l, 0, b), "198.18.0.2");
	l.n = 0;
	assert_int_equal(ttt_hosts_lookup(hosts_path, "peer", AF_UNSPEC, &l), 0);
	assert_int_equal(l.n, 0); /* only in a comment */
	assert_int_equal(ttt_hosts_lookup(hosts_path, "node", AF_UNSPEC, &l), 0);
	assert_int_equal(l.n, 0); /* whole names only */
	assert_int_equal(ttt_hosts_lookup("/nonexistent/hosts", "node-b", AF_UNSPEC, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(ttt_hosts_lookup("/", "node-b", AF_UNSPEC, &l), -1); /* unreadable */
}

static void resolve_from_hosts_file(void **state)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP };
	struct addrinfo *res;
	struct ttt_err err;
	int n = 0;

	(void)state;
	assert_int_equal(ttt_resolve_name_in(hosts_path, "NODE-B.test", &hints, &res, &err), 0);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next, n++)
		assert_int_equal(ai->ai_socktype, SOCK_DGRAM);
	assert_int_equal(res->ai_family, AF_INET);
	assert_int_equal(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr,
			 inet_addr("198.18.0.2"));
	assert_int_equal(n, 3);
	freeaddrinfo(res);
	hints.ai_family = AF_INET6;
	assert_int_equal(ttt_resolve_name_in(hosts_path, "node-b", &hints, &res, &err), -1);
	assert_non_null(strstr(err.msg, "cannot resolve 'node-b': not in /tmp/ttt-hosts."));
}

/* A response to "a.test" (type t) with the answers given as raw records. */
static size_t response(uint8_t *m, int t, unsigned ancount, const uint8_t *an, size_t anlen)
{
	static const uint8_t q[] = { 1, 'a', 4, 't', 'e', 's', 't', 0 };
	uint8_t h[12] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, (uint8_t)ancount, 0, 0, 0, 0 };
	size_t n = 0;

	memcpy(m, h, sizeof(h));
	n += sizeof(h);
	memcpy(m + n, q, sizeof(q));
	n += sizeof(q);
	m[n++] = 0;
	m[n++] = (uint8_t)t;
	m[n++] = 0;
	m[n++] = 1;
	memcpy(m + n, an, anlen);
	return n + anlen;
}

static void dns_answers_follow_records(void **state)
{
	/* a CNAME to b.test (compressed), then b.test's A, then an A of class CH */
	static const uint8_t an[] = {
		0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'b', 0xc0, 14,
		0xc0, 28, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 7,
		0xc0, 28, 0, 1, 0, 3, 0, 0, 0, 60, 0, 4, 198, 18, 0, 8,
	};
	struct ttt_addrlist l = { .n = 0 };
	char b[INET6_ADDRSTRLEN];
	uint8_t m[512];
	size_t len = response(m, ns_t_a, 3, an, sizeof(an));

	(void)state;
	assert_int_equal(ttt_dns_answers(m, len, ns_t_a, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(text_of(&l, 0, b), "198.18.0.7");
	l.n = 0;
	assert_int_equal(ttt_dns_answers(m, len, ns_t_aaaa, &l), 0);
	assert_int_equal(l.n, 0); /* A records are not AAAA answers */
}

static void dns_aaaa_and_malformed(void **state)
{
	static const uint8_t an[] = {
		0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
	};
	struct ttt_addrlist l = { .n = 0 };
	char b[INET6_ADDRSTRLEN];
	uint8_t m[512];
	size_t len = response(m, ns_t_aaaa, 1, an, sizeof(an));

	(void)state;
	assert_int_equal(ttt_dns_answers(m, len, ns_t_aaaa, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(text_of(&l, 0, b), "2001:db8::9");
	for (size_t cut = 0; cut < len; cut++) { /* every truncation is refused */
		l.n = 0;
		assert_int_equal(ttt_dns_answers(m, cut, ns_t_aaaa, &l), -1);
		assert_int_equal(l.n, 0);
	}
	m[7] = 2; /* claims two answers, has one */
	assert_int_equal(ttt_dns_answers(m, len, ns_t_aaaa, &l), -1);
	assert_int_equal(ttt_dns_answers(m, len, ns_t_cname, &l), -1); /* only A and AAAA */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hosts_every_match_in_order),
		cmocka_unit_test(hosts_family_and_aliases),
		cmocka_unit_test(resolve_from_hosts_file),
		cmocka_unit_test(dns_answers_follow_records),
		cmocka_unit_test(dns_aaaa_and_malformed),
	};

	return cmocka_run_group_tests(tests, write_hosts, remove_hosts);
}
