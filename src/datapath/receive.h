/* SPDX-License-Identifier: MIT */
/* receive.h - the receive direction: datagrams from the peer go to the tap
 *
 * Every datagram is checked, cheapest first: length, source (explicit peer:
 * before any MAC is computed), MAC, timestamp window, Ethernet header length,
 * reflection (sealed by us, see sealed.h), replay. A drop is counted under
 * its reason; log lines about drops are rate-limited. The datagrams of one
 * receive (up to TTT_RX_BATCH at a time) that pass length and source have
 * their MACs verified together (the multi-buffer HMAC, hmac.h); then each is
 * classified and handled on its own, in the order they arrived. */
#ifndef TTT_RECEIVE_H
#define TTT_RECEIVE_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "path.h"
#include "ttt/net/addr.h"

struct ttt_rx;

/* Datagrams whose MACs are verified in one batch. */
#define TTT_RX_BATCH 64

/* NULL when memory is short. */
struct ttt_rx *ttt_rx_new(struct ttt_path *path, unsigned replay_capacity);
void ttt_rx_free(struct ttt_rx *rx);

/* The verdict on one datagram from src at time now. A passing datagram is
 * remembered by the replay filter; its frame starts at TTT_HDR_LEN. */
enum ttt_verdict ttt_rx_classify(struct ttt_rx *rx, const uint8_t *dgram, size_t len,
				 const struct ttt_sockaddr *src, uint64_t now_ns);

/* The verdicts v[i] on n datagrams dgram[i] (len[i] bytes, from src[i]) at
 * time now: the same as ttt_rx_classify on each in turn, but the MACs of
 * TTT_RX_BATCH of them at a time are verified together, only for those that
 * passed the length and source checks. */
void ttt_rx_classify_batch(struct ttt_rx *rx, size_t n, uint8_t *const dgram[], const size_t len[],
			   const struct ttt_sockaddr *const src[], uint64_t now_ns,
			   enum ttt_verdict v[]);

/* The replay filter (to set its floor and where it publishes). */
struct ttt_replay *ttt_rx_replay(struct ttt_rx *rx);

/* Discovery mode: makes src the peer if it is not already (after a datagram
 * from it passed). Returns true when the peer changed. */
bool ttt_rx_follow(struct ttt_rx *rx, const struct ttt_sockaddr *src);

/* recvmmsg() calls per ttt_rx_pump at most (then the caller looks around). */
#define TTT_RX_PUMP_RECVS 16

/* Receives until the socket is empty or TTT_RX_PUMP_RECVS receives were
 * made, checking each datagram and writing what passes to the tap;
 * *delivered grows by the frames handed to the tap. Returns 0
 * when the socket was found empty, 1 when more may be waiting, -1 when the
 * socket or tap failed for good (logged). Not by two threads at once. */
int ttt_rx_pump(struct ttt_rx *rx, unsigned *delivered);

#endif
