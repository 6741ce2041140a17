/* SPDX-License-Identifier: MIT */
/* test_receive.c - the receive direction's verdicts, in the order they are
 * taken, one datagram at a time and in batches (reflections and replays
 * among them), and discovery (roaming).
 * ttt_hmac_verify and ttt_hmac_verify_batch are wrapped to count MACs and
 * to see which datagrams they were computed for. */
#include "helpers.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdatomic.h>

#include "datapath/counters.h"
#include "datapath/receive.h"
#include "datapath/replay.h"
#include "ttt/crypto/hmac_batch.h"
#include "crypto/sha256_mb.h"

bool __real_ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
			   const uint8_t expect[TTT_HMAC_LEN]);
bool __wrap_ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
			   const uint8_t expect[TTT_HMAC_LEN]);
void __real_ttt_hmac_verify_batch(const struct ttt_hmac *hmac, size_t n,
				  const uint8_t *const msg[], const size_t len[],
				  const uint8_t *const expect[], bool ok[]);
void __wrap_ttt_hmac_verify_batch(const struct ttt_hmac *hmac, size_t n,
				  const uint8_t *const msg[], const size_t len[],
				  const uint8_t *const expect[], bool ok[]);

#define SEEN_MAX 1024

static int mac_calls;                    /* MACs computed, one by one or in batches */
static const uint8_t *mac_seen[SEEN_MAX]; /* the datagrams they were computed for */

static void saw(const uint8_t *expect)
{
	if (mac_calls < SEEN_MAX)
		mac_seen[mac_calls] = expect;
	mac_calls++;
}

bool __wrap_ttt_hmac_verify(const struct ttt_hmac *hmac, const uint8_t *msg, size_t len,
			   const uint8_t expect[TTT_HMAC_LEN])
{
	saw(expect);
	return __real_ttt_hmac_verify(hmac, msg, len, expect);
}

void __wrap_ttt_hmac_verify_batch(const struct ttt_hmac *hmac, size_t n,
				  const uint8_t *const msg[], const size_t len[],
				  const uint8_t *const expect[], bool ok[])
{
	for (size_t i = 0; i < n; i++)
		saw(expect[i]);
	__real_ttt_hmac_verify_batch(hmac, n, msg, len, expect, ok);
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
	f->path.sealed = ttt_sealed_new(); /* what "this worker" sent: nothing yet */
	assert_non_null(f->path.sealed);
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
	free(f->path.sealed);
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
	struct ttt_sealed *sealed = f->path.sealed;
	size_t len;

	(void)state;
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

/* Datagrams of a batch: each in its own slot of one buffer. */
#define SLOT 200

struct mixed {
	uint8_t buf[300 * SLOT];
	uint8_t *d[300];
	size_t len[300];
	const struct ttt_sockaddr *src[300];
	bool noted[300]; /* sent by "this worker": it comes back reflected */
	enum ttt_verdict one[300], batch[300];
};

/* Datagram i of a mix: mostly authentic, with every reason to drop in it
 * (wrong source, short, oversize, forged, stale, future, runt, replays of
 * earlier ones in the same batch, reflections: noted in f's table of sealed
 * MACs and in m->noted). */
static void make_mixed(struct fixture *f, struct mixed *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = m->d[i] = m->buf + i * SLOT;
		size_t flen = 14 + randombytes_uniform(SLOT - TTT_HDR_LEN - 14 + 1);
		uint64_t ts = NOW + i;
		unsigned kind = randombytes_uniform(12);

		m->noted[i] = false;

		m->src[i] = kind == 1 ? &f->other : &f->peer;
		randombytes_buf(d + TTT_HDR_LEN, flen);
		if (kind == 5)
			ts = NOW - 3000000001ULL - i;
		if (kind == 6)
			ts = NOW + 3000000001ULL + i;
		if (kind == 7)
			flen = 13;
		ttt_frame_seal(f->path.hmac, d, flen, ts);
		m->len[i] = TTT_HDR_LEN + flen;
		if (kind == 2)
			m->len[i] = randombytes_uniform(TTT_HDR_LEN + 1);
		if (kind == 3)
			m->len[i] = 1473; /* past the slot: never read, refused first */
		if (kind == 4)
			d[randombytes_uniform((uint32_t)m->len[i])] ^= 0x20;
		if (kind == 8 && i > 0) { /* a copy of an earlier datagram */
			size_t j = randombytes_uniform((uint32_t)i);
			memcpy(d, m->d[j], m->len[j] < SLOT ? m->len[j] : SLOT);
			m->len[i] = m->len[j];
			m->src[i] = m->src[j];
		}
		if (kind == 9) { /* sent by us, sent back */
			ttt_sealed_note(f->path.sealed, d);
			m->noted[i] = true;
		}
	}
}

/* A batch's verdicts are those of ttt_rx_classify one after another (on a
 * second receive direction fed the same datagrams), batches of 1 to 300
 * (more than one MAC batch), explicit peer and discovery; every MAC kernel
 * this CPU has. */
static void batch_matches_one_by_one(void **state)
{
	static struct mixed m;
	static const size_t sizes[] = { 1, 2, 7, 64, 65, 300 };
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);

	(void)state;
	for (size_t k = 0; k <= count; k++) {
		if (k < count && ttt_hmac_batch_force(all[k]->name) != 0)
			continue;
		if (k == count)
			assert_int_equal(ttt_hmac_batch_force("auto"), 0);
		for (int fixed = 0; fixed < 2; fixed++)
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				struct fixture *f = setup(fixed), *g = setup(fixed);
				size_t n = sizes[s];
				make_mixed(f, &m, n);
				for (size_t i = 0; i < n; i++)
					if (m.noted[i]) /* g's worker sent the same */
						ttt_sealed_note(g->path.sealed, m.d[i]);
				ttt_rx_classify_batch(f->rx, n, m.d, m.len, m.src, NOW, m.batch);
				for (size_t i = 0; i < n; i++) {
					m.one[i] = ttt_rx_classify(g->rx, m.d[i], m.len[i], m.src[i], NOW);
					if (m.one[i] != m.batch[i])
						fail_msg("%s, batch of %zu, datagram %zu: %s one by one, %s "
							 "in the batch", k < count ? all[k]->name : "auto",
							 n, i, ttt_verdict_name(m.one[i]),
							 ttt_verdict_name(m.batch[i]));
				}
				teardown(f);
				teardown(g);
			}
	}
}

/* In a batch, no MAC is computed for a datagram from the wrong source, or
 * too short or too long: exactly the others are verified, once each. */
static void batch_macs_only_what_passes_the_cheap_checks(void **state)
{
	static struct mixed m;
	struct fixture *f = setup(true);
	size_t n = 200, want = 0;

	(void)state;
	make_mixed(f, &m, n);
	mac_calls = 0;
	ttt_rx_classify_batch(f->rx, n, m.d, m.len, m.src, NOW, m.batch);
	for (size_t i = 0; i < n; i++) {
		bool cheap = m.len[i] > TTT_HDR_LEN && m.len[i] <= 1472 && m.src[i] == &f->peer;
		if (!cheap) {
			for (int c = 0; c < mac_calls && c < SEEN_MAX; c++)
				assert_ptr_not_equal(mac_seen[c], m.d[i]);
			assert_true(m.batch[i] == TTT_DROP_SHORT || m.batch[i] == TTT_DROP_OVERSIZE ||
				    m.batch[i] == TTT_DROP_WRONG_SOURCE);
			continue;
		}
		assert_ptr_equal(mac_seen[want], m.d[i]); /* in order */
		want++;
	}
	assert_int_equal(mac_calls, want);
	assert_true(want > 100 && want < n); /* the mix has both kinds */
	teardown(f);
}

/* A batch of 48 authentic datagrams of mixed lengths (full-size segments,
 * ACK-sized and random frames up to 1432 bytes, in no order), one of them
 * with one bit of its MAC flipped: on every kernel (and with batches one at
 * a time), that one alone is dropped as forged, wherever it sits. */
static void one_forged_in_a_batch(void **state)
{
	enum { N = 48, BIG = TTT_HDR_LEN + 1432 };
	static uint8_t buf[N][BIG];
	uint8_t *d[N];
	size_t len[N], count;
	const struct ttt_sockaddr *src[N];
	enum ttt_verdict v[N];
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	unsigned runs = 0;

	(void)state;
	for (size_t k = 0; k <= count; k++) {
		const char *name = k < count ? all[k]->name : "auto";
		if (ttt_hmac_batch_force(name) != 0)
			continue; /* not on this CPU */
		runs++;
		for (size_t bad = 0; bad < N; bad += 7) {
			struct fixture *f = setup(true);
			for (size_t i = 0; i < N; i++) {
				size_t flen = i % 3 == 0 ? 1432 : i % 3 == 1 ? 66 : 14 + randombytes_uniform(1419);
				d[i] = buf[i];
				src[i] = &f->peer;
				randombytes_buf(d[i] + TTT_HDR_LEN, flen);
				ttt_frame_seal(f->path.hmac, d[i], flen, NOW - i);
				len[i] = TTT_HDR_LEN + flen;
			}
			d[bad][bad % TTT_HMAC_LEN] ^= (uint8_t)(1u << (bad % 8));
			ttt_rx_classify_batch(f->rx, N, d, len, src, NOW, v);
			for (size_t i = 0; i < N; i++)
				if (v[i] != (i == bad ? TTT_DROP_BAD_HMAC : TTT_PASS))
					fail_msg("%s, forged datagram %zu: datagram %zu (%zu bytes) %s", name,
						 bad, i, len[i], ttt_verdict_name(v[i]));
			teardown(f);
		}
	}
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
	assert_true(runs >= 2); /* at least the portable kernel and the automatic choice */
}

/* A batch of 24 authentic datagrams from the peer, after a restart (the
 * replay floor raised, the highest accepted stamp published): one this
 * worker sealed itself in the middle is refused as reflected, a copy of an
 * earlier one and one stamped at the floor as replays, every other one
 * passes (is delivered), on every kernel. The published stamp is the
 * highest passing one (not the reflected one's, stamped higher); the same
 * batch again is all replays but for the reflected one, which the replay
 * filter never remembered. */
static void reflection_and_replay_in_a_batch(void **state)
{
	enum { N = 24, MID = 11, COPY = 17, OLD = 20, FLEN = 100 };
	static uint8_t buf[N][TTT_HDR_LEN + FLEN];
	const uint64_t floor = NOW - 1000;
	uint8_t *d[N];
	size_t len[N], count;
	const struct ttt_sockaddr *src[N];
	enum ttt_verdict v[N], want;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);

	(void)state;
	for (size_t k = 0; k <= count; k++) {
		const char *name = k < count ? all[k]->name : "auto";
		struct fixture *f;
		_Atomic uint64_t hwm = 0;

		if (ttt_hmac_batch_force(name) != 0)
			continue; /* not on this CPU */
		f = setup(true);
		ttt_replay_raise_floor(ttt_rx_replay(f->rx), floor);
		ttt_replay_publish(ttt_rx_replay(f->rx), &hwm);
		for (size_t i = 0; i < N; i++) {
			d[i] = buf[i];
			src[i] = &f->peer;
			randombytes_buf(d[i] + TTT_HDR_LEN, FLEN);
			ttt_frame_seal(f->path.hmac, d[i], FLEN, i == OLD ? floor : NOW - N + i);
			len[i] = sizeof(buf[i]);
		}
		ttt_frame_seal(f->path.hmac, d[MID], FLEN, NOW + 5); /* the highest stamp */
		ttt_sealed_note(f->path.sealed, d[MID]);
		memcpy(d[COPY], d[3], sizeof(buf[3]));
		ttt_rx_classify_batch(f->rx, N, d, len, src, NOW, v);
		for (size_t i = 0; i < N; i++) {
			want = i == MID ? TTT_DROP_REFLECTED
			       : i == COPY || i == OLD ? TTT_DROP_REPLAY : TTT_PASS;
			if (v[i] != want)
				fail_msg("%s: datagram %zu %s, not %s", name, i, ttt_verdict_name(v[i]),
					 ttt_verdict_name(want));
		}
		assert_int_equal(atomic_load(&hwm), NOW - N + (N - 1));
		ttt_rx_classify_batch(f->rx, N, d, len, src, NOW, v);
		for (size_t i = 0; i < N; i++)
			assert_int_equal(v[i], i == MID ? TTT_DROP_REFLECTED : TTT_DROP_REPLAY);
		teardown(f);
	}
	assert_int_equal(ttt_hmac_batch_force("auto"), 0);
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
		cmocka_unit_test(batch_matches_one_by_one),
		cmocka_unit_test(batch_macs_only_what_passes_the_cheap_checks),
		cmocka_unit_test(one_forged_in_a_batch),
		cmocka_unit_test(reflection_and_replay_in_a_batch),
		cmocka_unit_test(counters_line),
	};

	return cmocka_run_group_tests_name("receive", tests, NULL, NULL);
}
