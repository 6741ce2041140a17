/* SPDX-License-Identifier: MIT */
/* test_peer.c - the peer address shared between threads */
#include "helpers.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>

#include "datapath/peer.h"

static void v4(struct ttt_sockaddr *a, uint32_t ip, uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };

	in.sin_addr.s_addr = htonl(ip);
	ttt_sockaddr_set(a, (struct sockaddr *)&in, sizeof(in));
}

static void unknown_then_learnt(void **state)
{
	struct ttt_peer p;
	struct ttt_peer_view view = { .seq = 0 };
	struct ttt_sockaddr a, b;

	(void)state;
	v4(&a, 0xc6120002, 9123);
	v4(&b, 0xc6120003, 9124);
	ttt_peer_init(&p, NULL);
	assert_false(ttt_peer_get(&p, &view));
	ttt_peer_set(&p, &a);
	assert_true(ttt_peer_get(&p, &view));
	assert_true(ttt_sockaddr_equal(&view.addr, &a));
	ttt_peer_set(&p, &b);
	assert_true(ttt_peer_get(&p, &view));
	assert_true(ttt_sockaddr_equal(&view.addr, &b));
	ttt_peer_init(&p, &a);
	view.seq = 0;
	assert_true(ttt_peer_get(&p, &view));
	assert_true(ttt_sockaddr_equal(&view.addr, &a));
}

/* The writer flips between two addresses whose IP and port are tied
 * (port = low bits of the IP): a torn read would break the tie. */
struct race {
	struct ttt_peer peer;
	_Atomic int done;
};

static void *writer(void *arg)
{
	struct race *r = arg;
	struct ttt_sockaddr a;

	for (uint32_t i = 0; i < 200000; i++) {
		v4(&a, 0xc6120000 + (i & 0xff), (uint16_t)(1000 + (i & 0xff)));
		ttt_peer_set(&r->peer, &a);
	}
	r->done = 1;
	return NULL;
}

static void no_torn_reads(void **state)
{
	struct race r;
	struct ttt_peer_view view = { .seq = 0 };
	struct ttt_sockaddr first;
	pthread_t t;
	long reads = 0;

	(void)state;
	v4(&first, 0xc6120000, 1000);
	ttt_peer_init(&r.peer, &first);
	r.done = 0;
	assert_int_equal(pthread_create(&t, NULL, writer, &r), 0);
	while (!r.done || reads == 0) {
		assert_true(ttt_peer_get(&r.peer, &view));
		assert_int_equal(ntohs(view.addr.u.in.sin_port) - 1000,
				 ntohl(view.addr.u.in.sin_addr.s_addr) & 0xff);
		reads++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_then_learnt),
		cmocka_unit_test(no_torn_reads),
	};

	return cmocka_run_group_tests_name("peer", tests, NULL, NULL);
}
