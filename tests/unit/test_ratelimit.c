/* SPDX-License-Identifier: MIT */
/* test_ratelimit.c - log rate limiting */
#include "helpers.h"

#include "ttt/util/clock.h"
#include "ttt/util/ratelimit.h"

#define SEC TTT_NSEC_PER_SEC

static void burst_then_quiet(void **state)
{
	struct ttt_ratelimit rl = TTT_RATELIMIT_INIT(10 * SEC, 3);
	uint64_t t = 1000 * SEC, sup = 99;

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_true(ttt_ratelimit_allow(&rl, t + (uint64_t)i, &sup));
		assert_int_equal(sup, 0);
	}
	for (int i = 0; i < 1000; i++)
		assert_false(ttt_ratelimit_allow(&rl, t + 5 * SEC, &sup));
	assert_true(ttt_ratelimit_allow(&rl, t + 10 * SEC, &sup));
	assert_int_equal(sup, 1000);
	assert_true(ttt_ratelimit_allow(&rl, t + 10 * SEC, &sup));
	assert_int_equal(sup, 0);
}

static void clock_going_back_resets(void **state)
{
	struct ttt_ratelimit rl = TTT_RATELIMIT_INIT(10 * SEC, 1);
	uint64_t sup;

	(void)state;
	assert_true(ttt_ratelimit_allow(&rl, 100 * SEC, &sup));
	assert_false(ttt_ratelimit_allow(&rl, 101 * SEC, &sup));
	assert_true(ttt_ratelimit_allow(&rl, 50 * SEC, &sup));
	assert_int_equal(sup, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_quiet),
		cmocka_unit_test(clock_going_back_resets),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
