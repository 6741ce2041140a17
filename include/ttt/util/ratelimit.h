/* SPDX-License-Identifier: MIT */
/* ratelimit.h - at most `burst` events per interval, counting the rest
 *
 * For log lines about traffic: whoever sends garbage must not be able to
 * flood the log. Not thread-safe; give each thread its own. */
#ifndef TTT_RATELIMIT_H
#define TTT_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ttt_ratelimit {
	uint64_t interval_ns;
	unsigned burst;
	uint64_t start;      /* beginning of the current interval */
	unsigned used;       /* events allowed in it */
	uint64_t suppressed; /* events refused since the last one allowed */
};

#define TTT_RATELIMIT_INIT(interval_ns_, burst_) \
	{ .interval_ns = (interval_ns_), .burst = (burst_), .start = 0, .used = 0, .suppressed = 0 }

/* True when the event may be logged; *suppressed then holds how many were
 * refused since the previous allowed one (and the count restarts). */
bool ttt_ratelimit_allow(struct ttt_ratelimit *rl, uint64_t now_ns, uint64_t *suppressed);

#endif
