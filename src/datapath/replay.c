/* SPDX-License-Identifier: MIT */
/* replay.c - a bounded filter of accepted datagram MACs: a min-heap by
 * timestamp, indexed by a keyed hash */
#include "replay.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct node {
	uint64_t ts;
	uint64_t tag[2]; /* the first 16 bytes of the MAC */
	uint32_t hash;   /* keyed hash of the tag */
	uint32_t cell;   /* its position in the index */
};

struct ttt_replay {
	uint32_t cap;
	uint32_t index_mask; /* 2 * cap - 1: the index is at most half full */
	uint32_t count;
	uint64_t floor;
	uint64_t high;             /* the highest timestamp accepted */
	_Atomic uint64_t *publish; /* where `high` is published, or NULL */
	uint8_t key[crypto_shorthash_KEYBYTES];
	struct node *heap; /* heap[0] has the lowest timestamp */
	uint32_t *index;   /* 0 = empty, else heap slot + 1 */
};

_Static_assert(TTT_REPLAY_KEY_LEN == crypto_shorthash_KEYBYTES, "SipHash key size");

struct ttt_replay *ttt_replay_new_keyed(unsigned capacity, const uint8_t key[TTT_REPLAY_KEY_LEN])
{
	struct ttt_replay *r = calloc(1, sizeof(*r));
	uint32_t cap = 2;

	if (!r)
		return NULL;
	while (cap < capacity && cap < (1u << 30))
		cap <<= 1;
	r->cap = cap;
	r->index_mask = 2 * cap - 1;
	memcpy(r->key, key, sizeof(r->key));
	r->heap = calloc(cap, sizeof(*r->heap));
	r->index = calloc(2 * (size_t)cap, sizeof(*r->index));
	if (!r->heap || !r->index) {
		ttt_replay_free(r);
		return NULL;
	}
	return r;
}

struct ttt_replay *ttt_replay_new(unsigned capacity)
{
	uint8_t key[TTT_REPLAY_KEY_LEN];
	struct ttt_replay *r;

	if (sodium_init() < 0)
		return NULL;
	randombytes_buf(key, sizeof(key));
	r = ttt_replay_new_keyed(capacity, key);
	sodium_memzero(key, sizeof(key));
	return r;
}

void ttt_replay_free(struct ttt_replay *r)
{
	if (!r)
		return;
	sodium_memzero(r->key, sizeof(r->key));
	free(r->heap);
	free(r->index);
	free(r);
}

uint64_t ttt_replay_floor(const struct ttt_replay *r)
{
	return r->floor;
}

void ttt_replay_raise_floor(struct ttt_replay *r, uint64_t floor)
{
	if (floor > r->floor)
		r->floor = floor;
}

void ttt_replay_publish(struct ttt_replay *r, _Atomic uint64_t *hwm)
{
	r->publish = hwm;
}

static uint32_t hash_tag(const struct ttt_replay *r, const uint64_t tag[2])
{
	uint8_t h[crypto_shorthash_BYTES];
	uint32_t v;

	crypto_shorthash(h, (const unsigned char *)tag, 2 * sizeof(tag[0]), r->key);
	memcpy(&v, h, sizeof(v));
	return v;
}

/* Position in the index of the entry with this tag, or of the empty cell
 * where it would go. */
static uint32_t probe(const struct ttt_replay *r, const uint64_t tag[2], uint32_t hash)
{
	uint32_t i = hash & r->index_mask;

	while (r->index[i] != 0) {
		const struct node *n = &r->heap[r->index[i] - 1];
		if (n->hash == hash && n->tag[0] == tag[0] && n->tag[1] == tag[1])
			break;
		i = (i + 1) & r->index_mask;
	}
	return i;
}

/* Whether the cyclic interval (lo, hi] contains k. */
static int cyclic_between(uint32_t lo, uint32_t k, uint32_t hi)
{
	return lo <= hi ? (lo < k && k <= hi) : (lo < k || k <= hi);
}

/* Removes index cell i by shifting later cells of its cluster back
 * (linear-probing deletion without tombstones). */
static void index_remove(struct ttt_replay *r, uint32_t i)
{
	uint32_t j = i;

	r->index[i] = 0;
	for (;;) {
		struct node *n;
		j = (j + 1) & r->index_mask;
		if (r->index[j] == 0)
			return;
		n = &r->heap[r->index[j] - 1];
		if (cyclic_between(i, n->hash & r->index_mask, j))
			continue;
		r->index[i] = r->index[j];
		r->index[j] = 0;
		n->cell = i;
		i = j;
	}
}

/* Puts node n at heap slot k and points its index cell there. */
static void place(struct ttt_replay *r, uint32_t k, const struct node *n)
{
	r->heap[k] = *n;
	r->index[n->cell] = k + 1;
}

static void sift_up(struct ttt_replay *r, uint32_t k)
{
	struct node n = r->heap[k];

	while (k > 0 && r->heap[(k - 1) / 2].ts > n.ts) {
		place(r, k, &r->heap[(k - 1) / 2]);
		k = (k - 1) / 2;
	}
	place(r, k, &n);
}

static void sift_down(struct ttt_replay *r, uint32_t k)
{
	struct node n = r->heap[k];

	for (;;) {
		uint32_t c = 2 * k + 1;
		if (c >= r->count)
			break;
		if (c + 1 < r->count && r->heap[c + 1].ts < r->heap[c].ts)
			c++;
		if (r->heap[c].ts >= n.ts)
			break;
		place(r, k, &r->heap[c]);
		k = c;
	}
	place(r, k, &n);
}

/* Forgets the entry with the lowest timestamp; it becomes the floor. */
static void evict_oldest(struct ttt_replay *r)
{
	struct node *old = &r->heap[0];

	if (old->ts > r->floor)
		r->floor = old->ts;
	index_remove(r, old->cell);
	if (--r->count > 0) {
		place(r, 0, &r->heap[r->count]);
		sift_down(r, 0);
	}
}

static void note_high(struct ttt_replay *r, uint64_t ts)
{
	if (ts <= r->high)
		return;
	r->high = ts;
	if (r->publish)
		atomic_store_explicit(r->publish, ts, memory_order_relaxed);
}

bool ttt_replay_accept(struct ttt_replay *r, uint64_t ts, const uint8_t hmac[TTT_HMAC_LEN])
{
	struct node n;
	uint32_t pos;

	if (ts <= r->floor)
		return false;
	memcpy(n.tag, hmac, sizeof(n.tag));
	n.hash = hash_tag(r, n.tag);
	pos = probe(r, n.tag, n.hash);
	if (r->index[pos] != 0)
		return false;
	note_high(r, ts);
	if (r->count == r->cap) {
		if (ts <= r->heap[0].ts) { /* the oldest of all: remembered by the floor alone */
			r->floor = ts;
			return true;
		}
		evict_oldest(r);
		pos = probe(r, n.tag, n.hash); /* the eviction may have moved the empty cell */
	}
	n.ts = ts;
	n.cell = pos;
	r->heap[r->count] = n;
	r->index[pos] = r->count + 1;
	sift_up(r, r->count++);
	return true;
}

unsigned ttt_replay_longest_probe(const struct ttt_replay *r)
{
	unsigned longest = 0;

	for (uint32_t i = 0; i <= r->index_mask; i++) {
		if (r->index[i] == 0)
			continue;
		uint32_t home = r->heap[r->index[i] - 1].hash & r->index_mask;
		unsigned d = (i - home) & r->index_mask;
		if (d > longest)
			longest = d;
	}
	return longest;
}
