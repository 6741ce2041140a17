/* SPDX-License-Identifier: MIT */
/* ratelimit.c - a fixed-window rate limiter */
#include "ttt/util/ratelimit.h"

bool ttt_ratelimit_allow(struct ttt_ratelimit *rl, uint64_t now_ns, uint64_t *suppressed)
{
	if (rl->used == 0 || now_ns - rl->start >= rl->interval_ns || now_ns < rl->start) {
		rl->start = now_ns;
		rl->used = 0;
	}
	if (rl->used >= rl->burst) {
		rl->suppressed++;
		return false;
	}
	rl->used++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}
