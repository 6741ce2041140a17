/* SPDX-License-Identifier: MIT */
/* test_replay.c - the replay filter: exact copies refused, memory bounded,
 * eviction never opening a hole, an index nobody can steer, and a floor
 * that datagrams stamped by a faster clock (reflections) cannot push past
 * the peer's traffic */
#include "helpers.h"

#include "datapath/replay.h"

static const uint8_t KEY[TTT_REPLAY_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* A MAC-like tag: distinct per n, with chosen low bits (the bits that
 * placed an entry in the index before it was keyed). */
static void tag(uint8_t hmac[TTT_HMAC_LEN], uint64_t n, uint64_t low)
{
	uint64_t w[4] = { (n << 20) | (low & 0xfffff), n * 0x9e3779b97f4a7c15ULL, n, ~n };

	memcpy(hmac, w, TTT_HMAC_LEN);
}

static void copy_refused(void **state)
{
	struct ttt_replay *r = ttt_replay_new(16);
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	tag(m, 1, 1);
	assert_true(ttt_replay_accept(r, 100, m));
	assert_false(ttt_replay_accept(r, 100, m));
	assert_false(ttt_replay_accept(r, 100, m));
	tag(m, 2, 2);
	assert_true(ttt_replay_accept(r, 100, m)); /* same time, other datagram */
	ttt_replay_free(r);
}

static void reordering_within_capacity(void **state)
{
	struct ttt_replay *r = ttt_replay_new(64);
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	for (uint64_t i = 0; i < 64; i += 2) {
		tag(m, i, i);
		assert_true(ttt_replay_accept(r, 1000 + i, m));
	}
	for (uint64_t i = 1; i < 64; i += 2) { /* late arrivals, older stamps */
		tag(m, i, i);
		assert_true(ttt_replay_accept(r, 1000 + i, m));
	}
	assert_int_equal(ttt_replay_floor(r), 0); /* 64 entries fit: nothing evicted */
	tag(m, 0, 0);
	assert_false(ttt_replay_accept(r, 1000, m));
	ttt_replay_free(r);
}

static void eviction_raises_floor(void **state)
{
	struct ttt_replay *r = ttt_replay_new(4);
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	for (uint64_t i = 1; i <= 4; i++) {
		tag(m, i, i);
		assert_true(ttt_replay_accept(r, i * 10, m));
	}
	assert_int_equal(ttt_replay_floor(r), 0);
	tag(m, 5, 5);
	assert_true(ttt_replay_accept(r, 50, m)); /* evicts ts 10 */
	assert_int_equal(ttt_replay_floor(r), 10);
	tag(m, 1, 1);
	assert_false(ttt_replay_accept(r, 10, m)); /* forgotten, but below the floor */
	tag(m, 99, 99);
	assert_false(ttt_replay_accept(r, 5, m)); /* new, but below the floor */
	tag(m, 2, 2);
	assert_false(ttt_replay_accept(r, 20, m)); /* still remembered */
	tag(m, 6, 6);
	assert_true(ttt_replay_accept(r, 15, m)); /* older than all it holds: accepted, */
	assert_int_equal(ttt_replay_floor(r), 15); /* and remembered by the floor alone */
	assert_false(ttt_replay_accept(r, 15, m));
	tag(m, 3, 3);
	assert_false(ttt_replay_accept(r, 30, m)); /* the others are all still there */
	ttt_replay_free(r);
}

/* The oldest TIMESTAMP is forgotten first, whatever the arrival order. */
static void evicts_oldest_stamp(void **state)
{
	struct ttt_replay *r = ttt_replay_new(4);
	uint8_t m[TTT_HMAC_LEN];
	static const uint64_t stamps[] = { 40, 10, 30, 20 };

	(void)state;
	for (uint64_t i = 0; i < 4; i++) {
		tag(m, i, i);
		assert_true(ttt_replay_accept(r, stamps[i], m));
	}
	tag(m, 9, 9);
	assert_true(ttt_replay_accept(r, 50, m));
	assert_int_equal(ttt_replay_floor(r), 10); /* not 40, the first to arrive */
	tag(m, 10, 10);
	assert_true(ttt_replay_accept(r, 25, m)); /* above the floor, and new */
	assert_int_equal(ttt_replay_floor(r), 20);
	ttt_replay_free(r);
}

/* The attack on the index: with entries placed by the MAC's low bits, an
 * attacker who sees the MACs picks datagrams that all land in one region
 * (measured: a lookup went from 0.25 us to 16 us). Keyed, the same tags
 * spread: the longest probe stays short. */
static void index_cannot_be_steered(void **state)
{
	enum { CAP = 8192 };
	struct ttt_replay *r = ttt_replay_new_keyed(CAP, KEY);
	uint8_t m[TTT_HMAC_LEN];
	unsigned longest;

	(void)state;
	for (uint64_t i = 1; i <= CAP; i++) {
		uint64_t w[4] = { 0x5a5a5a5aULL | (i << 32), i, ~i, i * 3 }; /* low 32 bits equal */
		memcpy(m, w, sizeof(m));
		assert_true(ttt_replay_accept(r, i, m));
	}
	longest = ttt_replay_longest_probe(r);
	print_message("# longest probe with %d tags of equal low bits: %u cells\n", CAP, longest);
	assert_true(longest < 64); /* unkeyed: 8191 */
	for (uint64_t i = 1; i <= CAP; i++) { /* and every one is still found */
		uint64_t w[4] = { 0x5a5a5a5aULL | (i << 32), i, ~i, i * 3 };
		memcpy(m, w, sizeof(m));
		assert_false(ttt_replay_accept(r, i, m));
	}
	ttt_replay_free(r);
}

/* Two clocks: the peer's, 1 s behind, and the worker's own, whose
 * datagrams an attacker reflects back (one for every 20 of the peer's).
 * Forgetting in arrival order, each reflected entry raised the floor 1 s
 * ahead of the peer once evicted, and the peer's traffic was refused. */
static void reflections_do_not_raise_the_floor(void **state)
{
	enum { CAP = 64, N = 20000 };
	const uint64_t ms = 1000000, base = 1000 * 1000 * ms;
	struct ttt_replay *r = ttt_replay_new(CAP);
	uint8_t m[TTT_HMAC_LEN];
	unsigned refused = 0;

	(void)state;
	for (uint64_t i = 0; i < N; i++) {
		tag(m, 2 * i, i);
		refused += !ttt_replay_accept(r, base + i * ms, m); /* the peer, 1 s behind */
		if (i % 20 == 0) {
			tag(m, 2 * i + 1, i);
			(void)ttt_replay_accept(r, base + 1000 * ms + i * ms, m); /* a reflection */
		}
	}
	assert_int_equal(refused, 0);
	ttt_replay_free(r);
}

/* The bound: it takes more reflected datagrams than the filter holds, all
 * stamped ahead of the peer, to push the floor past it. */
static void the_bound_is_the_capacity(void **state)
{
	enum { CAP = 64 };
	struct ttt_replay *r = ttt_replay_new(CAP);
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	tag(m, 1, 1);
	assert_true(ttt_replay_accept(r, 1000, m)); /* the peer */
	for (uint64_t i = 0; i < CAP - 1; i++) {
		tag(m, 100 + i, i);
		assert_true(ttt_replay_accept(r, 5000 + i, m)); /* reflections ahead of it */
	}
	tag(m, 2, 2);
	assert_true(ttt_replay_accept(r, 1001, m)); /* the peer still gets through */
	tag(m, 200, 200);
	assert_true(ttt_replay_accept(r, 6000, m)); /* the 64th: the filter holds only those */
	tag(m, 3, 3);
	assert_true(ttt_replay_accept(r, 1002, m)); /* in order, the peer still gets through */
	assert_int_equal(ttt_replay_floor(r), 1002);
	tag(m, 201, 201);
	assert_true(ttt_replay_accept(r, 6001, m)); /* the 65th forgets one stamped 5000 */
	tag(m, 4, 4);
	assert_false(ttt_replay_accept(r, 1003, m)); /* the floor is past the peer: refused */
	ttt_replay_free(r);
}

/* The reference: remember the accepted datagrams; when more than cap, forget
 * one with the lowest stamp and raise the floor to it. */
struct model {
	unsigned cap, count;
	uint64_t floor, ts[64], id[64];
};

static bool model_accept(struct model *md, uint64_t ts, uint64_t id)
{
	unsigned lo = 0;

	if (ts <= md->floor)
		return false;
	for (unsigned k = 0; k < md->count; k++)
		if (md->id[k] == id)
			return false;
	if (md->count < md->cap) {
		md->ts[md->count] = ts;
		md->id[md->count++] = id;
		return true;
	}
	for (unsigned k = 1; k < md->count; k++)
		if (md->ts[k] < md->ts[lo])
			lo = k;
	if (ts <= md->ts[lo]) {
		md->floor = ts;
		return true;
	}
	md->floor = md->ts[lo];
	md->ts[lo] = ts;
	md->id[lo] = id;
	return true;
}

/* Random workloads - stamps in order, jittered, from two clocks, repeats -
 * against the model, at several capacities. */
static void matches_model(void **state)
{
	static const unsigned caps[] = { 2, 8, 32, 64 };
	uint64_t seed = 12345;

	(void)state;
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		struct model md = { .cap = caps[c], .count = 0, .floor = 0 };
		struct ttt_replay *r = ttt_replay_new(caps[c]);
		uint64_t recent[256] = { 0 }, clock = 100000;
		uint8_t m[TTT_HMAC_LEN];

		for (int i = 0; i < 50000; i++) {
			uint64_t ts, id;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			clock += (seed >> 60) + 1;
			switch ((seed >> 33) % 8) {
			case 0: /* a copy of one of the last 256 */
				id = recent[(seed >> 40) % 256];
				break;
			default:
				id = (uint64_t)i + 1000000;
			}
			ts = clock - ((seed >> 48) % 4 == 0 ? (seed >> 20) % 200 : 0) + /* jitter */
			     ((seed >> 52) % 5 == 0 ? 5000 : 0);                     /* a faster clock */
			tag(m, id, id * 31);
			if (ttt_replay_accept(r, ts, m) != model_accept(&md, ts, id))
				fail_msg("capacity %u, step %d: filter and model disagree", caps[c], i);
			assert_int_equal(ttt_replay_floor(r), md.floor);
			recent[i % 256] = id;
		}
		ttt_replay_free(r);
	}
}

static void capacity_rounds_up(void **state)
{
	struct ttt_replay *r = ttt_replay_new(3); /* becomes 4 */
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	for (uint64_t i = 1; i <= 4; i++) {
		tag(m, i, i);
		assert_true(ttt_replay_accept(r, i, m));
	}
	assert_int_equal(ttt_replay_floor(r), 0);
	tag(m, 5, 5);
	assert_true(ttt_replay_accept(r, 5, m));
	assert_int_equal(ttt_replay_floor(r), 1);
	ttt_replay_free(r);
}

/* After a restart: the floor given, and the highest accepted stamp published. */
static void floor_and_high_water_mark(void **state)
{
	struct ttt_replay *r = ttt_replay_new(8);
	_Atomic uint64_t hwm = 0;
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	ttt_replay_raise_floor(r, 500);
	ttt_replay_raise_floor(r, 100); /* never lowered */
	assert_int_equal(ttt_replay_floor(r), 500);
	tag(m, 1, 1);
	assert_false(ttt_replay_accept(r, 500, m));
	ttt_replay_publish(r, &hwm);
	assert_true(ttt_replay_accept(r, 700, m));
	tag(m, 2, 2);
	assert_true(ttt_replay_accept(r, 600, m));
	assert_int_equal(atomic_load(&hwm), 700);
	tag(m, 2, 2);
	assert_false(ttt_replay_accept(r, 900, m)); /* a new stamp, same MAC: refused */
	assert_int_equal(atomic_load(&hwm), 700); /* and not counted as accepted */
	ttt_replay_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_refused),
		cmocka_unit_test(reordering_within_capacity),
		cmocka_unit_test(eviction_raises_floor),
		cmocka_unit_test(evicts_oldest_stamp),
		cmocka_unit_test(index_cannot_be_steered),
		cmocka_unit_test(reflections_do_not_raise_the_floor),
		cmocka_unit_test(the_bound_is_the_capacity),
		cmocka_unit_test(matches_model),
		cmocka_unit_test(capacity_rounds_up),
		cmocka_unit_test(floor_and_high_water_mark),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
