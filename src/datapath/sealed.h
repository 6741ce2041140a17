/* SPDX-License-Identifier: MIT */
/* sealed.h - recognising our own datagrams when they come back
 *
 * Both directions of a link use one key (the v1.4 format has no direction),
 * so a datagram this worker sealed and an attacker sent back to it
 * (reflected) passes the MAC. The send direction notes a 64-bit fingerprint
 * of every MAC it writes (its first 8 bytes); the receive direction drops an
 * authentic datagram whose fingerprint it finds, as reflected.
 *
 * 1024 buckets of 8 fingerprints, one cache line each; a MAC's bucket comes
 * from other bits of the MAC, which nobody without the key can choose. A
 * bucket keeps its 8 most recent fingerprints (first in, first out), so the
 * table holds roughly the last 8192 datagrams sent: at up to about 2700
 * datagrams a second every reflection inside a 3-second window is
 * recognised; above that, the oldest may not be (the replay filter's floor
 * is built not to be harmed by those, see replay.h).
 *
 * One writer (the send thread), one reader (the receive thread), no locks:
 * relaxed 64-bit atomics, one store per datagram sent, one cache line read
 * per authentic datagram received. A torn view can only miss a reflection,
 * never drop the peer's datagram (a fingerprint is 64 random bits). */
#ifndef TTT_SEALED_H
#define TTT_SEALED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ttt/proto.h"

#define TTT_SEALED_BUCKETS 1024
#define TTT_SEALED_WAYS 8

struct ttt_sealed {
	_Alignas(64) _Atomic uint64_t fp[TTT_SEALED_BUCKETS][TTT_SEALED_WAYS];
	uint8_t next[TTT_SEALED_BUCKETS]; /* the writer's: the way to fill next */
};

/* An empty table (aligned to its cache lines; free with free()), or NULL. */
static inline struct ttt_sealed *ttt_sealed_new(void)
{
	struct ttt_sealed *s = aligned_alloc(_Alignof(struct ttt_sealed), sizeof(struct ttt_sealed));

	if (s)
		memset(s, 0, sizeof(*s));
	return s;
}

/* The fingerprint (never 0, the empty value) and bucket of a MAC. */
static inline uint64_t ttt_sealed_fp(const uint8_t mac[TTT_HMAC_LEN])
{
	uint64_t v;

	memcpy(&v, mac, sizeof(v));
	return v | 1;
}

static inline unsigned ttt_sealed_bucket(const uint8_t mac[TTT_HMAC_LEN])
{
	uint32_t v;

	memcpy(&v, mac + 8, sizeof(v));
	return v % TTT_SEALED_BUCKETS;
}

/* The send direction sealed a datagram with this MAC (s may be NULL). */
static inline void ttt_sealed_note(struct ttt_sealed *s, const uint8_t mac[TTT_HMAC_LEN])
{
	unsigned b;

	if (!s)
		return;
	b = ttt_sealed_bucket(mac);
	atomic_store_explicit(&s->fp[b][s->next[b] % TTT_SEALED_WAYS], ttt_sealed_fp(mac),
			      memory_order_relaxed);
	s->next[b]++;
}

/* Whether an authentic datagram with this MAC is one we sealed. */
static inline bool ttt_sealed_has(const struct ttt_sealed *s, const uint8_t mac[TTT_HMAC_LEN])
{
	uint64_t fp;
	unsigned b;

	if (!s)
		return false;
	fp = ttt_sealed_fp(mac);
	b = ttt_sealed_bucket(mac);
	for (unsigned w = 0; w < TTT_SEALED_WAYS; w++)
		if (atomic_load_explicit(&s->fp[b][w], memory_order_relaxed) == fp)
			return true;
	return false;
}

#endif
