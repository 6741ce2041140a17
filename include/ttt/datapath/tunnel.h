/* SPDX-License-Identifier: MIT */
/* tunnel.h - a running tunnel: one thread per direction over a shared path */
#ifndef TTT_TUNNEL_H
#define TTT_TUNNEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ttt/crypto/hmac.h"
#include "ttt/net/addr.h"
#include "ttt/util/err.h"

struct ttt_tunnel_config {
	int tap_fd;  /* non-blocking tap, see tap.h */
	int sock_fd; /* bound UDP socket, see udp.h */
	const struct ttt_hmac *hmac;
	unsigned mtu;
	uint64_t window_ns;
	const struct ttt_sockaddr *peer; /* NULL: learn it (discovery) */
	unsigned replay_capacity;        /* 0: TTT_REPLAY_DEFAULT_CAPACITY */
	uint64_t replay_floor;           /* refuse timestamps at or below (after a restart) */
	_Atomic uint64_t *replay_hwm;    /* NULL, or where the highest accepted timestamp is kept */
	bool offload;                    /* the tap carries virtio_net_hdr (gso.h) */
};

struct ttt_tunnel;

/* Starts both directions. The descriptors stay the caller's to close. */
int ttt_tunnel_start(const struct ttt_tunnel_config *cfg, struct ttt_tunnel **out,
		     struct ttt_err *err);

/* Readable once a direction has stopped on a fatal error (it is logged). */
int ttt_tunnel_fail_fd(const struct ttt_tunnel *t);

/* The counters, as ttt_counters_format prints them. */
void ttt_tunnel_stats(const struct ttt_tunnel *t, char *buf, size_t len);

/* Stops and joins both directions and frees the tunnel (NULL is fine). */
void ttt_tunnel_stop(struct ttt_tunnel *t);

#endif
