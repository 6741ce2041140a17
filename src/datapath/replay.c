/* SPDX-License-Identifier: MIT */
/* replay.c - a bounded, O(1) filter of accepted datagram MACs */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	uint64_t ts;
	uint64_t tag[2]; /* the first 16 bytes of the MAC */
};

struct ttt_replay {
	uint32_t ring_mask;  /* capacity - 1 */
	uint32_t index_mask; /* 2 * capacity - 1: the table is at most half full */
	uint32_t head;       /* next ring slot to fill */
	uint32_t count;
	uint64_t floor;
	struct entry *ring;
	uint32_t *index; /* 0 = empty, else ring slot + 1 */
};

struct ttt_replay *ttt_replay_new(unsigned capacity)
{
	struct ttt_replay *r = calloc(1, sizeof(*r));
	uint32_t cap = 2;

	if (!r)
		return NULL;
	while (cap < capacity && cap < (1u << 30))
		cap <<= 1;
	r->ring_mask = cap - 1;
	r->index_mask = 2 * cap - 1;
	r->ring = calloc(cap, sizeof(*r->ring));
	r->index = calloc(2 * (size_t)cap, sizeof(*r->index));
	if (!r->ring || !r->index) {
		ttt_replay_free(r);
		return NULL;
	}
	return r;
}

void ttt_replay_free(struct ttt_replay *r)
{
	if (!r)
		return;
	free(r->ring);
	free(r->index);
	free(r);
}

uint64_t ttt_replay_floor(const struct ttt_replay *r)
{
	return r->floor;
}

/* MACs are uniformly random to anyone without the key, and only authentic
 * datagrams get here, so the tag's low bits are a good hash. */
static uint32_t home(const struct ttt_replay *r, const uint64_t tag[2])
{
	return (uint32_t)tag[0] & r->index_mask;
}

/* Position in the index of the entry with this tag, or of the empty cell
 * where it would go. */
static uint32_t probe(const struct ttt_replay *r, const uint64_t tag[2])
{
	uint32_t i = home(r, tag);

	while (r->index[i] != 0) {
		const struct entry *e = &r->ring[r->index[i] - 1];
		if (e->tag[0] == tag[0] && e->tag[1] == tag[1])
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
		j = (j + 1) & r->index_mask;
		if (r->index[j] == 0)
			return;
		if (cyclic_between(i, home(r, r->ring[r->index[j] - 1].tag), j))
			continue;
		r->index[i] = r->index[j];
		r->index[j] = 0;
		i = j;
	}
}

static void evict_oldest(struct ttt_replay *r)
{
	struct entry *old = &r->ring[r->head];

	index_remove(r, probe(r, old->tag));
	if (old->ts > r->floor)
		r->floor = old->ts;
	r->count--;
}

bool ttt_replay_accept(struct ttt_replay *r, uint64_t ts, const uint8_t hmac[TTT_HMAC_LEN])
{
	uint64_t tag[2];
	uint32_t pos;

	if (ts <= r->floor)
		return false;
	memcpy(tag, hmac, sizeof(tag));
	pos = probe(r, tag);
	if (r->index[pos] != 0)
		return false;
	if (r->count == r->ring_mask + 1) {
		evict_oldest(r);
		pos = probe(r, tag); /* the eviction may have moved the empty cell */
	}
	r->ring[r->head].ts = ts;
	memcpy(r->ring[r->head].tag, tag, sizeof(tag));
	r->index[pos] = r->head + 1;
	r->head = (r->head + 1) & r->ring_mask;
	r->count++;
	return true;
}
