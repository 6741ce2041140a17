/* SPDX-License-Identifier: MIT */
/* replay.h - refusing exact copies of datagrams already accepted
 *
 * The filter remembers the MACs of at most `capacity` accepted datagrams,
 * with memory fixed at creation, found through an open-addressed index
 * whose positions come from a keyed hash (SipHash-2-4 under a secret drawn
 * per filter): someone who sees the MACs cannot choose datagrams that pile
 * up in one region of the index. They are kept in timestamp order: a ring
 * of those that arrived in order, and a min-heap of the others. One lookup
 * and at most one eviction per datagram: O(1) for datagrams arriving in
 * order, O(log capacity) at worst.
 *
 * When the filter is full, the entry with the OLDEST timestamp is forgotten
 * and its timestamp raises a floor: a datagram stamped at or below the floor
 * can no longer be told apart from a replay and is refused too. Because the
 * oldest is forgotten first, the floor never passes a timestamp the filter
 * still remembers. Datagrams stamped by two clocks (the peer's, and the
 * worker's own reflected back at it by an attacker) then cannot push the
 * floor past the slower clock's traffic: only filling the whole filter with
 * datagrams stamped ahead of it could. For one sender stamping in order,
 * only a datagram overtaken by `capacity` others is refused that way. */
#ifndef TTT_REPLAY_H
#define TTT_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ttt/crypto/hmac.h"

#define TTT_REPLAY_DEFAULT_CAPACITY 8192
#define TTT_REPLAY_KEY_LEN 16

struct ttt_replay;

/* capacity is rounded up to a power of two (at least 2); the hash key is
 * random. NULL on ENOMEM. */
struct ttt_replay *ttt_replay_new(unsigned capacity);

/* The same with a chosen hash key (tests). */
struct ttt_replay *ttt_replay_new_keyed(unsigned capacity, const uint8_t key[TTT_REPLAY_KEY_LEN]);

void ttt_replay_free(struct ttt_replay *r);

/* True, and remembered, when no datagram with this MAC was accepted before
 * and ts is above the floor; false when it must be dropped as a replay. */
bool ttt_replay_accept(struct ttt_replay *r, uint64_t ts, const uint8_t hmac[TTT_HMAC_LEN]);

/* Timestamps at or below this are refused (0 until the first eviction). */
uint64_t ttt_replay_floor(const struct ttt_replay *r);

/* Raises the floor to at least floor: after a restart, everything a
 * previous instance may have accepted is refused. */
void ttt_replay_raise_floor(struct ttt_replay *r, uint64_t floor);

/* From now on, the highest timestamp ever accepted is also stored at *hwm
 * (one relaxed store when it grows; the store survives the process when
 * *hwm is in shared memory). NULL stops it. */
void ttt_replay_publish(struct ttt_replay *r, _Atomic uint64_t *hwm);

/* The longest distance, in index cells, between an entry and its hash's
 * home cell: the cost of the slowest lookup (for tests). */
unsigned ttt_replay_longest_probe(const struct ttt_replay *r);

#endif
