/* SPDX-License-Identifier: MIT */
/* path.h - what the two directions of a tunnel share
 *
 * The send direction (tap to UDP, send.c) and the receive direction (UDP to
 * tap, receive.c) each run in their own thread over one path. Descriptors
 * are non-blocking: a thread reads until EAGAIN and only then sleeps in
 * poll(), which also watches stop_fd, so stopping never waits on traffic. */
#ifndef TTT_PATH_H
#define TTT_PATH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "peer.h"
#include "sealed.h"
#include "ttt/crypto/hmac.h"

struct ttt_path {
	int tap_fd;
	int sock_fd;
	int stop_fd; /* eventfd, readable once the tunnel is stopping */
	atomic_bool stopping;
	unsigned mtu;
	uint64_t window_ns;
	uint64_t keepalive_ns; /* 0: no keepalives */
	bool fixed_peer; /* explicit peer: datagrams from elsewhere are dropped */
	bool offload;    /* the tap carries a virtio_net_hdr before every packet */
	const struct ttt_hmac *hmac;
	struct ttt_peer peer;
	struct ttt_sealed *sealed; /* what the send direction sealed (NULL: not kept) */
	struct ttt_counters counters;
};

/* How long an idle direction sleeps before it looks at its descriptor again
 * anyway. When the namespace holding a tap is deleted, the kernel detaches
 * the tap without waking poll(); a read then fails with EBADFD. */
#define TTT_IDLE_PROBE_MS 1000

/* Sleeps until fd is readable (events POLLIN), timeout_ms passed (-1: no
 * limit) or the path is stopping. Returns 1 when fd should be read again,
 * 0 when stopping, -1 on a poll error. */
int ttt_path_wait(const struct ttt_path *p, int fd, int timeout_ms);

static inline bool ttt_path_stopping(const struct ttt_path *p)
{
	return atomic_load_explicit(&p->stopping, memory_order_relaxed);
}

#endif
