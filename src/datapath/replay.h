/* SPDX-License-Identifier: MIT */
/* replay.h - refusing exact copies of datagrams already accepted
 *
 * The filter remembers the MACs of the last `capacity` accepted datagrams in
 * a ring, indexed by an open-addressed hash table: one lookup and at most one
 * eviction per datagram, O(1), with memory fixed at creation. When the ring
 * is full the oldest entry is evicted and its timestamp raises a floor: a
 * datagram stamped at or below the floor can no longer be told apart from a
 * replay and is refused too. Senders stamp frames in order, so only a
 * datagram overtaken by `capacity` others is refused that way. */
#ifndef TTT_REPLAY_H
#define TTT_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "ttt/crypto/hmac.h"

#define TTT_REPLAY_DEFAULT_CAPACITY 8192

struct ttt_replay;

/* capacity is rounded up to a power of two (at least 2). NULL on ENOMEM. */
struct ttt_replay *ttt_replay_new(unsigned capacity);
void ttt_replay_free(struct ttt_replay *r);

/* True, and remembered, when no datagram with this MAC was accepted before
 * and ts is above the floor; false when it must be dropped as a replay. */
bool ttt_replay_accept(struct ttt_replay *r, uint64_t ts, const uint8_t hmac[TTT_HMAC_LEN]);

/* Timestamps at or below this are refused (0 until the first eviction). */
uint64_t ttt_replay_floor(const struct ttt_replay *r);

#endif
