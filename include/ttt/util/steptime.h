/* SPDX-License-Identifier: MIT */
/* steptime.h - when each step of a short-lived command ended, for the bench
 *
 * With TTT_STEP_TIMES naming a file, every mark appends one line
 * "<who> <step> <UNIX time in microseconds>" to it; without it, a mark
 * costs one getenv. tests/bench/cni_bench.sh turns the lines into the time
 * each step of a CNI ADD and DEL took. */
#ifndef TTT_STEPTIME_H
#define TTT_STEPTIME_H

/* Records that step (of who: "ADD", "worker"...) ends now, when
 * TTT_STEP_TIMES is set; a file that cannot be written is ignored. */
void ttt_steptime(const char *who, const char *step);

#endif
