/* SPDX-License-Identifier: MIT */
/* peer.h - where frames from the tap are sent
 *
 * One writer (the receive direction, when it learns or follows the peer) and
 * any number of readers (the send direction), without locks: a sequence
 * counter tells a reader whether its copy was torn by a concurrent update.
 * Readers keep a cached copy and pay one atomic load per frame. */
#ifndef TTT_PEER_H
#define TTT_PEER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ttt/net/addr.h"

#define TTT_PEER_WORDS ((sizeof(struct ttt_sockaddr) + 7) / 8)

struct ttt_peer {
	_Atomic uint32_t seq; /* odd while an update is in progress; 0: no peer yet */
	_Atomic uint64_t words[TTT_PEER_WORDS];
};

/* A reader's private copy. */
struct ttt_peer_view {
	uint32_t seq;
	struct ttt_sockaddr addr;
};

/* No peer (discovery) when addr is NULL. */
void ttt_peer_init(struct ttt_peer *p, const struct ttt_sockaddr *addr);

/* The single writer publishes a new address. */
void ttt_peer_set(struct ttt_peer *p, const struct ttt_sockaddr *addr);

/* Refreshes the reader's copy if the peer changed. Returns false while no
 * peer is known. */
bool ttt_peer_get(const struct ttt_peer *p, struct ttt_peer_view *view);

#endif
