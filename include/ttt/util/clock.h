/* SPDX-License-Identifier: MIT */
/* clock.h - the two clocks the tunnel reads */
#ifndef TTT_CLOCK_H
#define TTT_CLOCK_H

#include <stdint.h>

#define TTT_NSEC_PER_SEC 1000000000ULL

/* UNIX time in nanoseconds (CLOCK_REALTIME): what goes on the wire. */
uint64_t ttt_realtime_ns(void);

/* Nanoseconds on a clock that never steps (CLOCK_MONOTONIC): for rate limits. */
uint64_t ttt_monotonic_ns(void);

#endif
