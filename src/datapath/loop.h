/* SPDX-License-Identifier: MIT */
/* loop.h - what the two threads of a tunnel run
 *
 * The send thread serves the tap (tap to UDP), the receive thread the
 * socket (UDP to tap), each until its descriptor is empty, then it sleeps
 * in poll(). That is what a busy tunnel needs: both directions on two
 * cores. A ping through two workers, though, woke four threads on its way
 * (tap read, receive, reply read, receive), each wake-up tens of
 * microseconds on a loaded virtual machine, where vxlan wakes none. On
 * light traffic (batches of up to TTT_LOOP_SMALL datagrams) three things
 * take that down to two wake-ups, with no thread awake when nothing flows:
 *
 * - solo: once the send thread has served TTT_LOOP_PARK_AFTER light
 *   batches in a row, or found the tap idle for its whole sleep, while the
 *   receive direction is light too, it parks (waits on its own eventfd,
 *   not on the tap) and the receive thread serves both descriptors. A
 *   batch of more than TTT_LOOP_SMALL datagrams either way wakes the send
 *   thread again, so bulk traffic runs on two threads as before.
 * - hand-off: after the receive thread wrote a light batch to the tap, it
 *   serves the send direction at once: a reply the local stack produced
 *   meanwhile (echo reply, ACK, response) leaves without a wake-up.
 * - a short busy-poll: after a thread sent a light batch from the tap, it
 *   polls both descriptors for up to TTT_SPIN_NS before it sleeps, and the
 *   reply is served as soon as it comes. TTT_SPIN_MISSES polls in a row
 *   that saw nothing (one-way traffic, a slow peer) turn this off; it is
 *   then tried once in TTT_SPIN_RETRY chances. An idle tunnel sends
 *   nothing, hence never polls.
 *
 * Each direction's state is used under its own lock, by one thread at a
 * time; a thread never holds both locks, and takes the other thread's
 * direction only with trylock unless that thread is parked. */
#ifndef TTT_LOOP_H
#define TTT_LOOP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "path.h"

#define TTT_LOOP_SMALL 8            /* datagrams: "light traffic" up to this */
#define TTT_LOOP_PARK_AFTER 4       /* light batches in a row before solo */
#define TTT_SPIN_NS (200 * 1000ULL) /* the longest wait for a reply */
#define TTT_SPIN_MISSES 16
#define TTT_SPIN_RETRY 64

enum { TTT_LOOP_TX, TTT_LOOP_RX };

/* One direction as the loop sees it. */
struct ttt_dir {
	pthread_mutex_t lock; /* held while its state is used */
	int fd;               /* what it reads: the tap or the socket */
	/* Reads until fd is empty or a limit: 0 empty, 1 more may wait, -1
	 * failed for good (logged); *moved grows by the datagrams handled. */
	int (*pump)(void *state, unsigned *moved);
	/* NULL, or before sleeping: how long (ms) to sleep at most. */
	int (*idle)(void *state);
	void *state;
};

struct ttt_loop {
	const struct ttt_path *path;
	struct ttt_dir dir[2]; /* TTT_LOOP_TX, TTT_LOOP_RX: fd, pump, idle, state */
	int kick[2];           /* eventfd per thread, to wake it */
	atomic_bool solo;      /* the send thread is parked */
	atomic_bool rx_heavy;  /* the receive thread's last batch was heavy */
	int ready;             /* how many of dir[].lock and kick[] exist */
};

/* After the caller filled dir[i].fd, pump, idle and state: the locks and
 * eventfds. 0, or an errno (then ttt_loop_destroy cleans up). */
int ttt_loop_init(struct ttt_loop *l, const struct ttt_path *path);
void ttt_loop_destroy(struct ttt_loop *l);

/* Runs thread `which` (TTT_LOOP_TX or TTT_LOOP_RX) until the path stops
 * (0) or a direction failed for good (-1). */
int ttt_loop_run(struct ttt_loop *l, int which);

/* Whether the busy-poll is on: hits keep it on, misses in a row turn it
 * off, and once off it is tried again now and then. */
struct ttt_spin {
	unsigned credit; /* misses left before it stops */
	unsigned skipped;
};

#define TTT_SPIN_INIT { TTT_SPIN_MISSES, 0 }

/* Whether to busy-poll this time. */
bool ttt_spin_wanted(struct ttt_spin *s);

/* What the poll saw: a reply (hit) or nothing until it gave up. */
void ttt_spin_result(struct ttt_spin *s, bool hit);

#endif
