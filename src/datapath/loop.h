/* SPDX-License-Identifier: MIT */
/* loop.h - what each of a tunnel's two threads runs
 *
 * Each thread serves its own direction (the send thread the tap, the
 * receive thread the socket) until its descriptor is empty, then sleeps in
 * poll(). A ping's round trip through two workers used to take four such
 * wake-ups (tap read, receive, reply read, receive), each tens of
 * microseconds on a virtual machine. Two things take two of them off the
 * round trip when traffic is light (a few datagrams per batch):
 *
 * - hand-off: the receive thread, after writing to the tap, serves the send
 *   direction at once: a reply the local stack produced while the frame
 *   went in (an echo reply, an ACK, a response) leaves without waiting for
 *   the send thread to wake up;
 * - a short busy-poll: the send thread, after sending a few datagrams,
 *   polls both descriptors for up to TTT_SPIN_NS before it sleeps and serves
 *   the reply itself when it comes. It stops doing so after
 *   TTT_SPIN_MISSES polls in a row that saw nothing come back (one-way
 *   traffic, a slow peer), and tries again once in TTT_SPIN_RETRY chances.
 *   An idle tunnel sends nothing, hence never polls.
 *
 * Each direction's state is used under its lock, so the other thread only
 * serves a direction that its own thread is not serving (trylock); its own
 * thread, woken for the same data, then finds nothing. */
#ifndef TTT_LOOP_H
#define TTT_LOOP_H

#include <pthread.h>
#include <stdbool.h>

#include "path.h"

#define TTT_LOOP_SMALL 8                  /* datagrams: "light traffic" up to this */
#define TTT_SPIN_NS (200 * 1000ULL)       /* the longest wait for a reply */
#define TTT_SPIN_MISSES 16
#define TTT_SPIN_RETRY 64

/* One direction as the loop sees it. */
struct ttt_dir {
	pthread_mutex_t lock; /* held while its state is used */
	int fd;               /* what it reads: the tap or the socket */
	/* Reads until fd is empty or a limit: 0 empty, 1 more may wait, -1
	 * failed for good; *moved grows by the datagrams handled. */
	int (*pump)(void *state, unsigned *moved);
	/* NULL, or before sleeping: how long (ms) to sleep at most. */
	int (*idle)(void *state);
	void *state;
	bool hand_off; /* after a light batch, serve the other direction */
	bool spins;    /* after a light batch, busy-poll for a reply */
};

/* Whether the send thread busy-polls after a light batch: hits keep it
 * on, misses in a row turn it off, and once off it tries again now and
 * then. */
struct ttt_spin {
	unsigned credit; /* misses left before it stops */
	unsigned skipped;
};

#define TTT_SPIN_INIT { TTT_SPIN_MISSES, 0 }

/* Whether to busy-poll this time. */
bool ttt_spin_wanted(struct ttt_spin *s);

/* What the poll saw: a reply (hit) or nothing until it gave up. */
void ttt_spin_result(struct ttt_spin *s, bool hit);

/* Runs own's thread until the path stops (0) or a direction failed for
 * good (-1, logged). other is the other direction, served as above. */
int ttt_loop_run(const struct ttt_path *p, struct ttt_dir *own, struct ttt_dir *other);

#endif
