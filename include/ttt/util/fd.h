/* SPDX-License-Identifier: MIT */
/* fd.h - descriptors a child must not inherit */
#ifndef TTT_FD_H
#define TTT_FD_H

/* Closes every descriptor from low up: close_range (Linux 5.9), else what
 * /proc/self/fd lists, else every number up to the descriptor limit.
 * Returns 0, or -1 when even the last way failed. */
int ttt_close_from(int low);

#endif
