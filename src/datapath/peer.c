/* SPDX-License-Identifier: MIT */
/* peer.c - the peer address, shared between directions by a seqlock */
#include "peer.h"

#include <string.h>

static void store_words(struct ttt_peer *p, const struct ttt_sockaddr *addr)
{
	uint64_t w[TTT_PEER_WORDS] = { 0 };

	memcpy(w, addr, sizeof(*addr));
	for (size_t i = 0; i < TTT_PEER_WORDS; i++)
		atomic_store_explicit(&p->words[i], w[i], memory_order_relaxed);
}

void ttt_peer_init(struct ttt_peer *p, const struct ttt_sockaddr *addr)
{
	struct ttt_sockaddr none;

	memset(&none, 0, sizeof(none));
	store_words(p, addr ? addr : &none);
	atomic_store_explicit(&p->seq, addr ? 2 : 0, memory_order_release);
}

void ttt_peer_set(struct ttt_peer *p, const struct ttt_sockaddr *addr)
{
	uint32_t s = atomic_load_explicit(&p->seq, memory_order_relaxed);

	atomic_store_explicit(&p->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	store_words(p, addr);
	atomic_store_explicit(&p->seq, s + 2, memory_order_release);
}

bool ttt_peer_get(const struct ttt_peer *p, struct ttt_peer_view *view)
{
	uint64_t w[TTT_PEER_WORDS];
	uint32_t s1, s2;

	for (;;) {
		s1 = atomic_load_explicit(&p->seq, memory_order_acquire);
		if (s1 == view->seq)
			return s1 != 0;
		if (s1 & 1)
			continue;
		for (size_t i = 0; i < TTT_PEER_WORDS; i++)
			w[i] = atomic_load_explicit(&p->words[i], memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&p->seq, memory_order_relaxed);
		if (s1 == s2)
			break;
	}
	memcpy(&view->addr, w, sizeof(view->addr));
	view->seq = s1;
	return true;
}
