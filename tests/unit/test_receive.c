/* SPDX-License-Identifier: MIT */
/* test_receive.c - the receive direction's verdicts, in the order they are
 * taken, and discovery (roaming). ttt_hmac_verify is wrapped to count MACs. */
#include "helpers.h"

#include <arpa/inet.h>

#include "datapath/counters.h"
#include "datapath/receive.h"

bool __real_ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
			   const uint8_t expect[TTT_HMAC_LEN]);
bool __wrap_ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
			   const uint8_t expect[TTT_HMAC_LEN]);

static int mac_calls;

bool __wrap_ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
			   const uint8_t expect[TTT_HMAC_LEN])
{
	mac_calls++;
	return __real_ttt_hmac_verify(hmac, msg, len, expect);
}

static const uint64_t NOW = 1795550851000000000ULL;
static const uint8_t KEY[32] = { 7, 7, 7 };

struct fixture {
	struct ttt_path path;
	struct ttt_rx *rx;
	struct ttt_sockaddr peer, other;
	uint8_t d[200];
};

static void v4(struct ttt_sockaddr *a, const char *ip, uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET, ip, &in.sin_addr), 1);
	ttt_sockaddr_set(a, (struct sockaddr *)&in, sizeof(in));
}

static struct fixture *setup(bool fixed)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->path.mtu = 1418;
	f->path.window_ns = 3000000000ULL;
	f->path.fixed_peer = fixed;
	f->path.hmac = ttt_hmac_new(KEY, sizeof(KEY));
	v4(&f->peer, "198.18.0.2", 9123);
	v4(&f->other, "198.18.0.3", 9123);
	ttt_peer_init(&f->path.peer, fixed ? &f->peer : NULL);
	f->rx = ttt_rx_new(&f->path, 64);
	assert_non_null(f->rx);
	return f;
}

static void teardown(struct fixture *f)
{
	ttt_rx_free(f->rx);
	ttt_hmac_free((struct ttt_hmac *)f->path.hmac);
	free(f);
}

/* A sealed 60-byte frame whose first byte is `n`, stamped at ts. */
static size_t seal(struct fixture *f, uint8_t n, uint64_t ts)
{
	memset(f->d + TTT_HDR_LEN, n, 60);
	ttt_frame_seal(f->path.hmac, f->d, 60, ts);
	return TTT_HDR_LEN + 60;
}

static enum ttt_verdict classify(struct fixture *f, size_t len, const struct ttt_sockaddr *src)
{
	return ttt_rx_classify(f->rx, f->d, len, src, NOW);
}

static void wrong_source_before_mac(void **state)
{
	struct fixture *f = setup(true);
	size_t len = seal(f, 1, NOW);
	struct ttt_sockaddr port_only;

	(void)state;
	mac_calls = 0;
	assert_int_equal(classify(f, len, &f->other), TTT_DROP_WRONG_SOURCE);
	v4(&port_only, "198.18.0.2", 9124); /* the peer's IP, another port */
	assert_int_equal(classify(f, len, &port_only), TTT_DROP_WRONG_SOURCE);
	assert_int_equal(mac_calls, 0);
	assert_int_equal(classify(f, len, &f->peer), TTT_PASS);
	assert_int_equal(mac_calls, 1);
	teardown(f);
}

static void length_before_source(void **state)
{
	struct fixture *f = setup(true);

	(void)state;
	mac_calls = 0;
	assert_int_equal(classify(f, 40, &f->other), TTT_DROP_SHORT);
	assert_int_equal(ttt_rx_classify(f->rx, f->d, 1473, &f->peer, NOW), TTT_DROP_OVERSIZE);
	assert_int_equal(mac_calls, 0);
	teardown(f);
}

/* A receiver whose own MTU is small still takes every datagram a v1.4 peer
 * (MTU 1418) may send, up to 1472 bytes; a larger MTU raises the limit. */
static void small_mtu_takes_v14_datagrams(void **state)
{
	struct fixture *f = setup(true);
	static uint8_t big[2000];

	(void)state;
	ttt_rx_free(f->rx);
	f->path.mtu = 1280;
	f->rx = ttt_rx_new(&f->path, 64);
	assert_non_null(f->rx);
	memset(big + TTT_HDR_LEN, 0x5a, 1500);
	ttt_frame_seal(f->path.hmac, big, 1432, NOW);
	assert_int_equal(ttt_rx_classify(f->rx, big, 1472, &f->peer, NOW), TTT_PASS);
	ttt_frame_seal(f->path.hmac, big, 1433, NOW);
	assert_int_equal(ttt_rx_classify(f->rx, big, 1473, &f->peer, NOW), TTT_DROP_OVERSIZE);
	ttt_rx_free(f->rx);
	f->path.mtu = 1500;
	f->rx = ttt_rx_new(&f->path, 64);
	assert_non_null(f->rx);
	ttt_frame_seal(f->path.hmac, big, 1514, NOW);
	assert_int_equal(ttt_rx_classify(f->rx, big, 1554, &f->peer, NOW), TTT_PASS);
	assert_int_equal(ttt_rx_classify(f->rx, big, 1555, &f->peer, NOW), TTT_DROP_OVERSIZE);
	teardown(f);
}

static void each_reason(void **state)
{
	struct fixture *f = setup(true);
	size_t len;

	(void)state;
	len = seal(f, 1, NOW);
	f->d[50] ^= 1;
	assert_int_equal(classify(f, len, &f->peer), TTT_DROP_BAD_HMAC);
	len = seal(f, 2, NOW - 3000000001ULL);
	assert_int_equal(classify(f, len, &f->peer), TTT_DROP_STALE);
	len = seal(f, 3, NOW + 3000000001ULL);
	assert_int_equal(classify(f, len, &f->peer), TTT_DROP_FUTURE);
	memset(f->d + TTT_HDR_LEN, 4, 13);
	ttt_frame_seal(f->path.hmac, f->d, 13, NOW);
	assert_int_equal(classify(f, TTT_HDR_LEN + 13, &f->peer), TTT_DROP_RUNT);
	len = seal(f, 5, NOW);
	assert_int_equal(classify(f, len, &f->peer), TTT_PASS);
	assert_int_equal(classify(f, len, &f->peer), TTT_DROP_REPLAY);
	teardown(f);
}

/* A forged or stale datagram is not remembered, so it cannot poison the
 * replay filter against the real one. */
static void only_passing_datagrams_remembered(void **state)
{
	struct fixture *f = setup(true);
	size_t len = seal(f, 6, NOW - 3000000001ULL);

	(void)state;
	assert_int_equal(classify(f, len, &f->peer), TTT_DROP_STALE);
	assert_int_equal(ttt_rx_classify(f->rx, f->d, len, &f->peer, NOW - 1), TTT_PASS);
	teardown(f);
}

static void discovery_follows_latest(void **state)
{
	struct fixture *f = setup(false);
	struct ttt_peer_view view = { .seq = 0 };
	size_t len;

	(void)state;
	assert_false(ttt_peer_get(&f->path.peer, &view));
	len = seal(f, 1, NOW);
	f->d[0] ^= 1;
	assert_int_equal(classify(f, len, &f->other), TTT_DROP_BAD_HMAC); /* no learning */
	assert_false(ttt_peer_get(&f->path.peer, &view));
	len = seal(f, 2, NOW);
	assert_int_equal(classify(f, len, &f->peer), TTT_PASS);
	assert_true(ttt_rx_follow(f->rx, &f->peer));
	assert_true(ttt_peer_get(&f->path.peer, &view));
	assert_true(ttt_sockaddr_equal(&view.addr, &f->peer));
	assert_false(ttt_rx_follow(f->rx, &f->peer)); /* same peer: no change */
	len = seal(f, 3, NOW);
	assert_int_equal(classify(f, len, &f->other), TTT_PASS); /* any source may pass */
	assert_true(ttt_rx_follow(f->rx, &f->other));
	assert_true(ttt_peer_get(&f->path.peer, &view));
	assert_true(ttt_sockaddr_equal(&view.addr, &f->other));
	assert_int_equal(ttt_counter(&f->path.counters.rx[TTT_RX_PEER_CHANGES]), 2);
	teardown(f);
}

/* A datagram this worker sealed, sent back to it: authentic, but refused
 * as reflected, after the MAC and the window and before the replay filter
 * (which never remembers it); a discovery worker does not follow it. */
static void reflection_refused(void **state)
{
	struct fixture *f = setup(false);
	struct ttt_sealed *sealed = ttt_sealed_new();
	size_t len;

	(void)state;
	assert_non_null(sealed);
	f->path.sealed = sealed;
	len = seal(f, 9, NOW);
	ttt_sealed_note(sealed, f->d); /* the send direction sent it */
	assert_int_equal(classify(f, len, &f->other), TTT_DROP_REFLECTED);
	assert_int_equal(classify(f, len, &f->other), TTT_DROP_REFLECTED); /* not a replay */
	f->d[50] ^= 1;
	assert_int_equal(classify(f, len, &f->other), TTT_DROP_BAD_HMAC); /* MAC first */
	len = seal(f, 10, NOW - 3000000001ULL);
	ttt_sealed_note(sealed, f->d);
	assert_int_equal(classify(f, len, &f->other), TTT_DROP_STALE); /* window first */
	len = seal(f, 11, NOW);
	assert_int_equal(classify(f, len, &f->peer), TTT_PASS); /* the peer's own */
	assert_string_equal(ttt_verdict_name(TTT_DROP_REFLECTED), "reflected");
	teardown(f);
	free(sealed);
}

/* The table keeps the last 8 sent in each of its buckets. */
static void sealed_table_keeps_recent(void **state)
{
	struct ttt_sealed *s = ttt_sealed_new();
	uint8_t mac[1000][TTT_HMAC_LEN];
	uint64_t x = 42;

	(void)state;
	assert_non_null(s);
	for (unsigned i = 0; i < 1000; i++) {
		for (unsigned w = 0; w < TTT_HMAC_LEN / 8; w++) { /* splitmix64: MAC-like bytes */
			uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
			memcpy(mac[i] + 8 * w, &z, 8);
		}
		ttt_sealed_note(s, mac[i]);
	}
	for (unsigned i = 0; i < 1000; i++)
		assert_true(ttt_sealed_has(s, mac[i])); /* about 1 per bucket, 8 kept */
	mac[0][0] ^= 2;
	assert_false(ttt_sealed_has(s, mac[0]));
	assert_false(ttt_sealed_has(NULL, mac[1]));
	free(s);
}

static void explicit_peer_never_moves(void **state)
{
	struct fixture *f = setup(true);

	(void)state;
	assert_false(ttt_rx_follow(f->rx, &f->other));
	teardown(f);
}

static void counters_line(void **state)
{
	struct ttt_counters c;
	char line[900];

	(void)state;
	memset(&c, 0, sizeof(c));
	ttt_count(&c.rx[TTT_DROP_REPLAY], 3);
	ttt_count(&c.tx[TTT_TX_NO_PEER], 2);
	ttt_counters_format(&c, line, sizeof(line));
	assert_non_null(strstr(line, "tx_frames=0 "));
	assert_non_null(strstr(line, " tx_no_peer=2 "));
	assert_non_null(strstr(line, " rx_replay=3 "));
	assert_non_null(strstr(line, " rx_wrong_source=0 "));
	assert_non_null(strstr(line, " rx_peer_changes=0"));
	assert_non_null(strstr(line, " rx_reflected=0 "));
	assert_non_null(strstr(line, " rx_keepalive=0"));
	assert_non_null(strstr(line, " tx_gso_refused=0 "));
	assert_non_null(strstr(line, " tx_resegmented=0 "));
	assert_non_null(strstr(line, " tx_keepalive=0 "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wrong_source_before_mac),
		cmocka_unit_test(length_before_source),
		cmocka_unit_test(small_mtu_takes_v14_datagrams),
		cmocka_unit_test(each_reason),
		cmocka_unit_test(only_passing_datagrams_remembered),
		cmocka_unit_test(discovery_follows_latest),
		cmocka_unit_test(reflection_refused),
		cmocka_unit_test(sealed_table_keeps_recent),
		cmocka_unit_test(explicit_peer_never_moves),
		cmocka_unit_test(counters_line),
	};

	return cmocka_run_group_tests_name("receive", tests, NULL, NULL);
}
