/* SPDX-License-Identifier: MIT */
/* replay.c - a bounded filter of accepted datagram MACs: a min-heap by
 * timestamp, indexed by a keyed hash */
#include "replay.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct slot { /* one remembered datagram; never moves while remembered */
	uint64_t tag[2]; /* the first 16 bytes of the MAC */
	uint64_t ts;
	uint32_t hash; /* keyed hash of the tag */
	uint32_t cell; /* its position in the index */
};

struct hnode { /* the heap orders (timestamp, slot) pairs: 16 bytes, 4 a cache line */
	uint64_t ts;
	uint32_t slot;
};

/* The remembered datagrams are split in two, so that the common case costs
 * O(1): a ring of those that arrived in order (each stamped no earlier than
 * the one before it, so the ring's head has its lowest stamp), and a
 * min-heap of the others (reordered, or stamped by another clock). The
 * oldest stamp of all is the lower of the ring's head and the heap's root. */
struct ttt_replay {
	uint32_t cap;
	uint32_t index_mask; /* 2 * cap - 1: the index is at most half full */
	uint32_t count;
	uint64_t floor;
	uint64_t high;             /* the highest timestamp accepted */
	_Atomic uint64_t *publish; /* where `high` is published, or NULL */
	uint8_t key[crypto_shorthash_KEYBYTES];
	struct slot *slots;  /* slots[0..count) in use */
	uint32_t *ring;      /* slot numbers, in arrival order and stamp order */
	uint32_t ring_head, ring_count;
	struct hnode *heap;  /* heap[0] has the lowest timestamp */
	uint32_t heap_count;
	uint32_t *index;     /* 0 = empty, else slot + 1 */
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
	r->slots = calloc(cap, sizeof(*r->slots));
	r->ring = calloc(cap, sizeof(*r->ring));
	r->heap = calloc(cap, sizeof(*r->heap));
	r->index = calloc(2 * (size_t)cap, sizeof(*r->index));
	if (!r->slots || !r->ring || !r->heap || !r->index) {
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
	free(r->slots);
	free(r->ring);
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
		const struct slot *n = &r->slots[r->index[i] - 1];
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
		struct slot *n;
		j = (j + 1) & r->index_mask;
		if (r->index[j] == 0)
			return;
		n = &r->slots[r->index[j] - 1];
		if (cyclic_between(i, n->hash & r->index_mask, j))
			continue;
		r->index[i] = r->index[j];
		r->index[j] = 0;
		n->cell = i;
		i = j;
	}
}

static void sift_up(struct hnode *h, uint32_t k)
{
	struct hnode n = h[k];

	while (k > 0 && h[(k - 1) / 2].ts > n.ts) {
		h[k] = h[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	h[k] = n;
}

/* Removes the root (the lowest stamp) and restores the order. */
static void heap_pop(struct hnode *h, uint32_t count)
{
	struct hnode n = h[count - 1];
	uint32_t k = 0;

	for (;;) {
		uint32_t c = 2 * k + 1;
		if (c >= count - 1)
			break;
		if (c + 1 < count - 1 && h[c + 1].ts < h[c].ts)
			c++;
		if (h[c].ts >= n.ts)
			break;
		h[k] = h[c];
		k = c;
	}
	h[k] = n;
}

static void note_high(struct ttt_replay *r, uint64_t ts)
{
	if (ts <= r->high)
		return;
	r->high = ts;
	if (r->publish)
		atomic_store_explicit(r->publish, ts, memory_order_relaxed);
}

static uint32_t ring_at(const struct ttt_replay *r, uint32_t i)
{
	return r->ring[(r->ring_head + i) & (r->cap - 1)];
}

/* The slot holding the lowest stamp, and whether it is the ring's head. */
static uint32_t oldest(const struct ttt_replay *r, bool *in_ring)
{
	uint32_t head = r->ring_count ? ring_at(r, 0) : 0;

	*in_ring = r->ring_count &&
		   (r->heap_count == 0 || r->slots[head].ts <= r->heap[0].ts);
	return *in_ring ? head : r->heap[0].slot;
}

/* Forgets the entry with the lowest stamp, which becomes the floor; its
 * slot is returned for reuse. */
static uint32_t evict_oldest(struct ttt_replay *r)
{
	bool in_ring;
	uint32_t s = oldest(r, &in_ring);

	if (r->slots[s].ts > r->floor)
		r->floor = r->slots[s].ts;
	index_remove(r, r->slots[s].cell);
	if (in_ring) {
		r->ring_head = (r->ring_head + 1) & (r->cap - 1);
		r->ring_count--;
	} else {
		heap_pop(r->heap, r->heap_count--);
	}
	r->count--;
	return s;
}

/* Files slot s (stamped ts) in the ring when it comes in order, else in
 * the heap. */
static void file(struct ttt_replay *r, uint32_t s, uint64_t ts)
{
	if (r->ring_count == 0 || ts >= r->slots[ring_at(r, r->ring_count - 1)].ts) {
		r->ring[(r->ring_head + r->ring_count++) & (r->cap - 1)] = s;
	} else {
		r->heap[r->heap_count] = (struct hnode){ ts, s };
		sift_up(r->heap, r->heap_count++);
	}
	r->count++;
}

bool ttt_replay_accept(struct ttt_replay *r, uint64_t ts, const uint8_t hmac[TTT_HMAC_LEN])
{
	struct slot n;
	uint32_t pos, s;
	bool in_ring;

	if (ts <= r->floor)
		return false;
	memcpy(n.tag, hmac, sizeof(n.tag));
	n.hash = hash_tag(r, n.tag);
	pos = probe(r, n.tag, n.hash);
	if (r->index[pos] != 0)
		return false;
	note_high(r, ts);
	if (r->count < r->cap) {
		s = r->count; /* slots fill in order and are only reused once full */
	} else if (ts <= r->slots[oldest(r, &in_ring)].ts) {
		r->floor = ts; /* the oldest of all: remembered by the floor alone */
		return true;
	} else {
		s = evict_oldest(r);
		pos = probe(r, n.tag, n.hash); /* the removal may have moved the empty cell */
	}
	n.ts = ts;
	n.cell = pos;
	r->slots[s] = n;
	r->index[pos] = s + 1;
	file(r, s, ts);
	return true;
}

unsigned ttt_replay_longest_probe(const struct ttt_replay *r)
{
	unsigned longest = 0;

	for (uint32_t i = 0; i <= r->index_mask; i++) {
		if (r->index[i] == 0)
			continue;
		uint32_t home = r->slots[r->index[i] - 1].hash & r->index_mask;
		unsigned d = (i - home) & r->index_mask;
		if (d > longest)
			longest = d;
	}
	return longest;
}
