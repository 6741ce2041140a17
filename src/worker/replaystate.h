/* SPDX-License-Identifier: MIT */
/* replaystate.h - what a restarted worker must still refuse
 *
 * The replay filter lives in memory. So that a datagram accepted before a
 * restart is not accepted again after it, the highest timestamp the worker
 * ever accepted (its high-water mark) is kept in a small shared page that
 * outlives the process: every datagram accepted above the mark stores it
 * there (one relaxed store, no system call), and the next worker refuses
 * everything stamped at or below it. The page is
 *   - a file (--replay-state FILE): survives any restart, even SIGKILL;
 *     a new file means no worker ran before: nothing is refused;
 *   - or, under --supervise without a file, a memfd the supervisor holds
 *     and hands to every child it forks: survives the child's crash.
 * Without either, a worker starting cold cannot know what a predecessor
 * accepted and refuses everything stamped before its start + window: at
 * most one window of refusals, the price of never reopening it. */
#ifndef TTT_REPLAYSTATE_H
#define TTT_REPLAYSTATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ttt/util/err.h"

#define TTT_REPLAY_STATE_MAGIC 0x3179616c70727474ULL /* "ttrplay1", little-endian */

struct ttt_replay_page {
	uint64_t magic;
	_Atomic uint64_t hwm; /* the highest accepted timestamp (ns), 0: none yet */
};

struct ttt_replay_state {
	int fd; /* -1 when there is no page */
	struct ttt_replay_page *page;
};

/* Opens (creating it, 0600, when missing) the state file at path: a
 * regular file owned by us, never a symbolic link. */
int ttt_replay_state_open(struct ttt_replay_state *s, const char *path, struct ttt_err *err);

/* A fresh anonymous page (memfd) whose mark is `hwm`. */
int ttt_replay_state_anon(struct ttt_replay_state *s, uint64_t hwm, struct ttt_err *err);

/* Maps the page of a descriptor inherited from the supervisor. */
int ttt_replay_state_adopt(struct ttt_replay_state *s, int fd, struct ttt_err *err);

/* The floor a worker starting now must refuse up to. */
static inline uint64_t ttt_replay_state_floor(const struct ttt_replay_state *s)
{
	return s->page ? atomic_load(&s->page->hwm) : 0;
}

void ttt_replay_state_close(struct ttt_replay_state *s);

#endif
