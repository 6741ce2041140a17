/* SPDX-License-Identifier: MIT */
/* receive.h - the receive direction: datagrams from the peer go to the tap
 *
 * Every datagram is checked, cheapest first: length, source (explicit peer:
 * before any MAC is computed), MAC, timestamp window, Ethernet header length,
 * reflection (sealed by us, see sealed.h), replay. A drop is counted under its reason; log lines about drops are
 * rate-limited. */
#ifndef TTT_RECEIVE_H
#define TTT_RECEIVE_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "path.h"
#include "ttt/net/addr.h"

struct ttt_rx;

/* NULL when memory is short. */
struct ttt_rx *ttt_rx_new(struct ttt_path *path, unsigned replay_capacity);
void ttt_rx_free(struct ttt_rx *rx);

/* The verdict on one datagram from src at time now. A passing datagram is
 * remembered by the replay filter; its frame starts at TTT_HDR_LEN. */
enum ttt_verdict ttt_rx_classify(struct ttt_rx *rx, const uint8_t *dgram, size_t len,
				 const struct ttt_sockaddr *src, uint64_t now_ns);

/* The replay filter (to set its floor and where it publishes). */
struct ttt_replay *ttt_rx_replay(struct ttt_rx *rx);

/* Discovery mode: makes src the peer if it is not already (after a datagram
 * from it passed). Returns true when the peer changed. */
bool ttt_rx_follow(struct ttt_rx *rx, const struct ttt_sockaddr *src);

/* Runs until the path stops (returns 0) or fails for good (returns -1). */
int ttt_receive_run(struct ttt_rx *rx);

#endif
