/* SPDX-License-Identifier: MIT */
/* clock.c - realtime and monotonic nanoseconds */
#include "ttt/util/clock.h"

#include <time.h>

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;

	/* clock_gettime cannot fail for these two clocks with a valid pointer. */
	(void)clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * TTT_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t ttt_realtime_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

uint64_t ttt_monotonic_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}
