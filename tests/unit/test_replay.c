/* SPDX-License-Identifier: MIT */
/* test_replay.c - the replay filter: exact copies refused, memory bounded,
 * eviction never opening a hole */
#include "helpers.h"

#include "datapath/replay.h"

/* A MAC-like tag: distinct per n, with chosen low bits to force collisions. */
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
	ttt_replay_free(r);
}

/* Every tag lands in the same bucket: probing and backward-shift deletion
 * must still find and forget the right entries. */
static void colliding_tags(void **state)
{
	struct ttt_replay *r = ttt_replay_new(8);
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	for (uint64_t i = 1; i <= 200; i++) {
		tag(m, i, 7);
		assert_true(ttt_replay_accept(r, i, m));
		assert_false(ttt_replay_accept(r, i, m));
		if (i > 8) { /* the one 8 back is evicted and below the floor */
			tag(m, i - 8, 7);
			assert_false(ttt_replay_accept(r, i - 8, m));
		}
		if (i > 1) { /* the previous one is remembered (it is above the floor) */
			tag(m, i - 1, 7);
			assert_false(ttt_replay_accept(r, i - 1, m));
		}
	}
	ttt_replay_free(r);
}

/* Random workload against a plain model of "the last cap accepted". */
static void matches_model(void **state)
{
	enum { CAP = 32, ROUNDS = 20000 };
	struct ttt_replay *r = ttt_replay_new(CAP);
	uint64_t recent[CAP] = { 0 }, floor = 0, ts = 1000, seed = 12345;
	unsigned head = 0, count = 0;
	uint8_t m[TTT_HMAC_LEN];

	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		bool dup = false, want;
		uint64_t id;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		id = (seed >> 33) % 64 == 0 && count ? recent[(head + CAP - 1 - (seed >> 40) % count) % CAP]
						     : (uint64_t)i + 1000000;
		for (unsigned k = 0; k < count; k++)
			dup |= recent[k] == id;
		ts++;
		want = !dup && ts > floor;
		tag(m, id, id * 31);
		assert_int_equal(ttt_replay_accept(r, ts, m), want);
		if (!want)
			continue;
		if (count == CAP)
			floor = ts - CAP; /* stamps increase by one: the evicted one */
		else
			count++;
		recent[head] = id;
		head = (head + 1) % CAP;
	}
	ttt_replay_free(r);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_refused),
		cmocka_unit_test(reordering_within_capacity),
		cmocka_unit_test(eviction_raises_floor),
		cmocka_unit_test(colliding_tags),
		cmocka_unit_test(matches_model),
		cmocka_unit_test(capacity_rounds_up),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
