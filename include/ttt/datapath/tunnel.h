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
	unsigned keepalive_s;            /* 0: no keepalives */
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

#define TTT_TUNNEL_COUNTERS_MAX 32
#define TTT_TUNNEL_COUNTER_NAME_MAX 32

/* What a running tunnel can tell about itself, read without stopping it
 * (each counter on its own: a snapshot is not atomic across counters). */
struct ttt_tunnel_status {
	bool have_peer;          /* false: no peer learnt yet (discovery) */
	struct ttt_sockaddr peer; /* where frames go now */
	uint64_t last_rx_ns;     /* UNIX ns of the latest authentic datagram (batch); 0: none */
	size_t n_counters;
	struct {
		char name[TTT_TUNNEL_COUNTER_NAME_MAX]; /* "tx_frames", "rx_bad_mac"... */
		uint64_t value;
	} counters[TTT_TUNNEL_COUNTERS_MAX];
};

/* Fills st from the running tunnel. */
void ttt_tunnel_status(const struct ttt_tunnel *t, struct ttt_tunnel_status *st);

/* The counters, as ttt_counters_format prints them. */
void ttt_tunnel_stats(const struct ttt_tunnel *t, char *buf, size_t len);

/* Stops and joins both directions and frees the tunnel (NULL is fine). */
void ttt_tunnel_stop(struct ttt_tunnel *t);

#endif
