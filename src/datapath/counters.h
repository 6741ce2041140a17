/* SPDX-License-Identifier: MIT */
/* counters.h - what each direction did and dropped
 *
 * Each array has a single writer (its direction's thread) and is read by
 * whoever prints statistics; relaxed atomics keep that race-free without a
 * locked instruction per frame. The arrays sit on separate cache lines. */
#ifndef TTT_COUNTERS_H
#define TTT_COUNTERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* Tap to UDP. */
enum ttt_tx_counter {
	TTT_TX_FRAMES,
	TTT_TX_BYTES,      /* frame bytes, headers not counted */
	TTT_TX_NO_PEER,    /* frames read before any peer was known */
	TTT_TX_OVERSIZE,   /* frames longer than MTU + 14 */
	TTT_TX_SEND_ERROR, /* datagrams the socket refused */
	TTT_TX_TAP_ERROR,  /* failed reads from the tap */
	TTT_TX_MALFORMED,  /* tap packets whose offload header we cannot honour */
	TTT_TX_GSO_REFUSED, /* GSO runs the path refused (sent one by one instead) */
	TTT_TX_RESEGMENTED, /* TCP superframes cut smaller than their MSS to fit the path */
	TTT_TX_KEEPALIVE,   /* keepalives sent */
	TTT_TX_COUNT
};

/* UDP to tap: indices below TTT_VERDICT_COUNT count frames delivered
 * (TTT_PASS) and datagrams dropped for each verdict. */
enum ttt_rx_counter {
	TTT_RX_FRAMES = TTT_PASS,
	TTT_RX_BYTES = TTT_VERDICT_COUNT,
	TTT_RX_TAP_ERROR,    /* frames the tap refused */
	TTT_RX_RECV_ERROR,   /* failed receives (e.g. ICMP errors reported) */
	TTT_RX_PEER_CHANGES, /* peer learnt or moved (discovery mode) */
	TTT_RX_KEEPALIVE,    /* authentic keepalives (not written to the tap) */
	TTT_RX_COUNT
};

struct ttt_counters {
	_Alignas(64) _Atomic uint64_t tx[TTT_TX_COUNT];
	_Alignas(64) _Atomic uint64_t rx[TTT_RX_COUNT];
	/* UNIX ns of the latest receive batch that held a datagram passing every
	 * check (0: none yet); written by the receive direction once a batch. */
	_Atomic uint64_t last_rx_ns;
};

/* One counter by name: "tx_frames", "rx_bad_mac"... */
#define TTT_COUNTER_NAME_MAX 32
#define TTT_COUNTERS_TOTAL (TTT_TX_COUNT + TTT_RX_COUNT)
struct ttt_counter_value {
	char name[TTT_COUNTER_NAME_MAX];
	uint64_t value;
};

/* Only the owning thread may add. */
static inline void ttt_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint64_t ttt_counter(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Every counter, tx first then rx, in out[0..TTT_COUNTERS_TOTAL-1]. */
void ttt_counters_list(const struct ttt_counters *c, struct ttt_counter_value out[TTT_COUNTERS_TOTAL]);

/* "tx_frames=1 tx_bytes=98 ... rx_replay=0 ..." on one line. */
void ttt_counters_format(const struct ttt_counters *c, char *buf, size_t len);

#endif
