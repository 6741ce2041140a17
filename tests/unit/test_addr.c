/* SPDX-License-Identifier: MIT */
/* test_addr.c - endpoint strings: every accepted form and every refusal */
#include "helpers.h"

#include <arpa/inet.h>

#include "ttt/net/addr.h"

struct good {
	const char *text, *host;
	unsigned port;
	bool bracketed, wildcard;
};

static void accepted_forms(void **state)
{
	static const struct good cases[] = {
		{ ":9123", "", 9123, false, true },
		{ "0.0.0.0:9123", "0.0.0.0", 9123, false, true },
		{ "198.18.0.1:9123", "198.18.0.1", 9123, false, false },
		{ "[2001:db8::1]:9123", "2001:db8::1", 9123, true, false },
		{ "[::]:9123", "::", 9123, true, true },
		{ "[fe80::1%eth0]:1", "fe80::1%eth0", 1, true, false },
		{ "peer.example:65535", "peer.example", 65535, false, false },
		{ "localhost:09123", "localhost", 9123, false, false },
	};
	struct ttt_endpoint ep;
	struct ttt_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ttt_endpoint_parse(cases[i].text, &ep, &err) < 0)
			fail_msg("%s: %s", cases[i].text, err.msg);
		assert_string_equal(ep.host, cases[i].host);
		assert_int_equal(ep.port, cases[i].port);
		assert_int_equal(ep.bracketed, cases[i].bracketed);
		assert_int_equal(ttt_endpoint_is_wildcard(&ep), cases[i].wildcard);
	}
}

struct bad {
	const char *text, *want;
};

static void refused_forms(void **state)
{
	static const struct bad cases[] = {
		{ "", "empty" },
		{ "198.18.0.1", "missing port" },
		{ "198.18.0.1:", "missing port" },
		{ ":0", "port 0" },
		{ ":65536", "out of range" },
		{ ":99999999999999999999", "out of range" },
		{ ":-1", "not a number" },
		{ ":+80", "not a number" },
		{ ":9123x", "not a number" },
		{ "2001:db8::1:9123", "brackets" },
		{ "[2001:db8::1:9123", "missing ']'" },
		{ "[2001:db8::1]", "missing port" },
		{ "[2001:db8::1]9123", "unexpected" },
		{ "[nonsense]:9123", "not an IPv6 address" },
		{ "[]:9123", "not an IPv6 address" },
		{ "[198.18.0.1]:9123", "not an IPv6 address" },
		{ "bad host:9123", "not a valid host name" },
		{ "a/b:9123", "not a valid host name" },
	};
	struct ttt_endpoint ep;
	struct ttt_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (ttt_endpoint_parse(cases[i].text, &ep, &err) == 0)
			fail_msg("'%s' was accepted", cases[i].text);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("'%s': message '%s' lacks '%s'", cases[i].text, err.msg,
				 cases[i].want);
	}
}

static void resolve_and_print(const char *local_text, const char *peer_text, const char *want_local,
			      const char *want_peer, bool dual)
{
	struct ttt_endpoint l, p;
	struct ttt_sockaddr la, pa;
	struct ttt_err err;
	char buf[TTT_ADDRSTRLEN];

	assert_int_equal(ttt_endpoint_parse(local_text, &l, &err), 0);
	assert_int_equal(ttt_endpoint_parse(peer_text, &p, &err), 0);
	if (ttt_endpoint_resolve_local(&l, &la, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(ttt_sockaddr_str(&la, buf), want_local);
	if (ttt_endpoint_resolve_peer(&p, &la, dual, &pa, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(ttt_sockaddr_str(&pa, buf), want_peer);
	if (dual && strchr(peer_text, '[') == NULL)
		assert_int_equal(pa.u.sa.sa_family, AF_INET6); /* IPv4-mapped */
}

static void resolution(void **state)
{
	(void)state;
	resolve_and_print("198.18.0.1:9123", "198.18.0.2:9124", "198.18.0.1:9123",
			  "198.18.0.2:9124", false);
	resolve_and_print(":9123", "198.18.0.2:9123", "[::]:9123", "198.18.0.2:9123", true);
	resolve_and_print("[::]:9123", "[2001:db8::2]:9123", "[::]:9123", "[2001:db8::2]:9123",
			  true);
	resolve_and_print("[2001:db8::1]:1", "[2001:db8::2]:2", "[2001:db8::1]:1",
			  "[2001:db8::2]:2", false);
	resolve_and_print("0.0.0.0:9", "localhost:9", "0.0.0.0:9", "127.0.0.1:9", false);
}

static void family_mismatch_refused(void **state)
{
	struct ttt_endpoint l, p;
	struct ttt_sockaddr la, pa;
	struct ttt_err err;

	(void)state;
	assert_int_equal(ttt_endpoint_parse("198.18.0.1:1", &l, &err), 0);
	assert_int_equal(ttt_endpoint_resolve_local(&l, &la, &err), 0);
	assert_int_equal(ttt_endpoint_parse("[2001:db8::2]:1", &p, &err), 0);
	assert_int_equal(ttt_endpoint_resolve_peer(&p, &la, false, &pa, &err), -1);
	assert_non_null(strstr(err.msg, "no IPv4 address"));
	assert_int_equal(ttt_endpoint_parse(":1", &p, &err), 0);
	assert_int_equal(ttt_endpoint_resolve_peer(&p, &la, false, &pa, &err), -1);
	assert_non_null(strstr(err.msg, "needs a host"));
	assert_int_equal(ttt_endpoint_parse("198.18.0.300:1", &p, &err), 0);
	assert_int_equal(ttt_endpoint_resolve_peer(&p, &la, false, &pa, &err), -1);
	assert_non_null(strstr(err.msg, "not an IPv4 address"));
}

static void equality(void **state)
{
	struct ttt_sockaddr a, b;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(9) };

	(void)state;
	inet_pton(AF_INET, "198.18.0.1", &in.sin_addr);
	ttt_sockaddr_set(&a, (struct sockaddr *)&in, sizeof(in));
	b = a;
	assert_true(ttt_sockaddr_equal(&a, &b));
	b.u.in.sin_port = htons(10);
	assert_false(ttt_sockaddr_equal(&a, &b));
	b = a;
	ttt_sockaddr_map_v6(&b);
	assert_false(ttt_sockaddr_equal(&a, &b)); /* compare in one family only */
	ttt_sockaddr_map_v6(&a);
	assert_true(ttt_sockaddr_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted_forms),
		cmocka_unit_test(refused_forms),
		cmocka_unit_test(resolution),
		cmocka_unit_test(family_mismatch_refused),
		cmocka_unit_test(equality),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
