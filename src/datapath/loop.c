/* SPDX-License-Identifier: MIT */
/* loop.c - the send and receive threads: their own direction, solo when
 * traffic is light, the hand-off and the short busy-poll (see loop.h).
 *
 * Only the send thread parks (sets solo) and only the receive thread ends
 * it, so a thread that sees solo set can rely on it until it acts itself;
 * each kicks the other's eventfd after changing it, so that a sleeping
 * thread polls the right descriptors. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ttt/util/clock.h"

#define TX TTT_LOOP_TX
#define RX TTT_LOOP_RX
#define KICKED 4   /* look(): this thread's eventfd was written */
#define STOPPING 8 /* look(): the path is stopping */

bool ttt_spin_wanted(struct ttt_spin *s)
{
	if (s->credit > 0)
		return true;
	if (++s->skipped < TTT_SPIN_RETRY)
		return false;
	s->skipped = 0;
	return true;
}

void ttt_spin_result(struct ttt_spin *s, bool hit)
{
	if (hit)
		s->credit = TTT_SPIN_MISSES;
	else if (s->credit > 0)
		s->credit--;
}

int ttt_loop_init(struct ttt_loop *l, const struct ttt_path *path)
{
	l->path = path;
	atomic_init(&l->solo, false);
	atomic_init(&l->rx_heavy, false);
	for (; l->ready < 2; l->ready++) {
		int rc = pthread_mutex_init(&l->dir[l->ready].lock, NULL);
		if (rc != 0)
			return rc;
		l->kick[l->ready] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (l->kick[l->ready] < 0) {
			rc = errno;
			(void)pthread_mutex_destroy(&l->dir[l->ready].lock); /* unused: cannot fail */
			return rc;
		}
	}
	return 0;
}

void ttt_loop_destroy(struct ttt_loop *l)
{
	while (l->ready > 0) {
		l->ready--;
		(void)pthread_mutex_destroy(&l->dir[l->ready].lock); /* threads joined: unlocked */
		close(l->kick[l->ready]);
	}
}

/* Locking a valid mutex of the default kind cannot fail. */
static void lock(struct ttt_dir *d)
{
	if (pthread_mutex_lock(&d->lock) != 0)
		abort();
}

static void unlock(struct ttt_dir *d)
{
	if (pthread_mutex_unlock(&d->lock) != 0)
		abort();
}

/* Serves d: waiting for its lock, or (try) not at all when another thread
 * holds it. The pump's result (0 when it did nothing); *ms receives d's
 * idle answer when d was found empty. */
static int serve(struct ttt_dir *d, bool wait, unsigned *moved, int *ms)
{
	int r;

	if (!wait && pthread_mutex_trylock(&d->lock) != 0)
		return 0;
	if (wait)
		lock(d);
	r = d->pump(d->state, moved);
	if (r == 0 && ms && d->idle)
		*ms = d->idle(d->state);
	unlock(d);
	return r;
}

/* Wakes thread `which` if it sleeps in look(). */
static void kick(const struct ttt_loop *l, int which)
{
	uint64_t one = 1;

	if (write(l->kick[which], &one, sizeof(one)) < 0)
		return; /* EAGAIN: the counter is full, so it is readable anyway */
}

/* Polls fds[0..n) (n <= 2), this thread's eventfd and the stop eventfd for
 * up to timeout_ms (-1: no limit, 0: a look without sleeping). Returns
 * what is readable as bits (1 << i for fds[i], KICKED, STOPPING; the kick
 * is consumed), 0 when the time ran out, -1 when poll() failed. */
static int look(const struct ttt_loop *l, int which, const int fds[], int n, int timeout_ms)
{
	struct pollfd pfd[4];
	uint64_t v;
	int r, got = 0;

	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	pfd[n] = (struct pollfd){ .fd = l->kick[which], .events = POLLIN };
	pfd[n + 1] = (struct pollfd){ .fd = l->path->stop_fd, .events = POLLIN };
	do
		r = poll(pfd, (nfds_t)n + 2, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	for (int i = 0; i < n; i++)
		got |= pfd[i].revents ? 1 << i : 0;
	if (pfd[n].revents && read(l->kick[which], &v, sizeof(v)) >= 0)
		got |= KICKED; /* a failed read: another look sees it again */
	return got | (pfd[n + 1].revents ? STOPPING : 0);
}

/* Looks at fds[0..n) without sleeping for up to TTT_SPIN_NS, letting
 * others on this CPU run in between. What look() returned last: 0 when
 * nothing came. */
static int spin(const struct ttt_loop *l, int which, const int fds[], int n)
{
	uint64_t end = ttt_monotonic_ns() + TTT_SPIN_NS;
	int got;

	do {
		got = look(l, which, fds, n, 0);
		if (got != 0)
			return got;
		(void)sched_yield(); /* cannot fail on Linux */
	} while (ttt_monotonic_ns() < end);
	return 0;
}

/* The send thread stops serving the tap and the receive thread takes
 * over, unless the receive direction is busy itself. */
static void park(struct ttt_loop *l)
{
	if (atomic_load(&l->rx_heavy))
		return;
	atomic_store(&l->solo, true);
	kick(l, RX);
}

static void unpark(struct ttt_loop *l)
{
	atomic_store(&l->solo, false);
	kick(l, TX);
}

/* The send thread, after a light batch: busy-polls for the reply and
 * serves it unless the receive thread is at it. 1 when something came, 0
 * when not, -1 on a failure. */
static int await_reply(struct ttt_loop *l, struct ttt_spin *sp)
{
	const int fds[2] = { l->dir[TX].fd, l->dir[RX].fd };
	unsigned moved = 0;
	int got;

	if (!ttt_spin_wanted(sp))
		return 0;
	got = spin(l, TX, fds, 2);
	if (got < 0)
		return -1;
	if (got == 0 || (got & 2))
		ttt_spin_result(sp, got != 0);
	if ((got & 2) && serve(&l->dir[RX], false, &moved, NULL) < 0)
		return -1;
	return got != 0;
}

/* The send thread: the tap, until it parks (and while it is parked, its
 * eventfd). */
static int run_tx(struct ttt_loop *l)
{
	struct ttt_spin sp = TTT_SPIN_INIT;
	unsigned light = 0;

	while (!ttt_path_stopping(l->path)) {
		unsigned moved = 0;
		int ms = -1, r;

		if (atomic_load(&l->solo)) {
			if (look(l, TX, NULL, 0, -1) < 0)
				return -1;
			continue;
		}
		r = serve(&l->dir[TX], true, &moved, &ms);
		if (r != 0) {
			if (r < 0)
				return -1;
			light = 0;
			continue; /* more may be waiting */
		}
		if (moved > TTT_LOOP_SMALL) {
			light = 0;
		} else if (moved > 0 && ++light >= TTT_LOOP_PARK_AFTER) {
			light = 0;
			park(l);
			continue;
		} else if (moved > 0 && (r = await_reply(l, &sp)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		r = look(l, TX, &l->dir[TX].fd, 1, ms);
		if (r < 0)
			return -1;
		if (r == 0) /* nothing for a whole sleep */
			park(l);
	}
	return 0;
}

/* The receive thread: the socket, the tap too while the send thread is
 * parked, and the hand-off. */
static int run_rx(struct ttt_loop *l)
{
	const int fds[2] = { l->dir[RX].fd, l->dir[TX].fd };
	struct ttt_spin sp = TTT_SPIN_INIT;

	while (!ttt_path_stopping(l->path)) {
		bool solo = atomic_load(&l->solo);
		unsigned in = 0, out = 0;
		int ms = -1, r, t = 0;

		r = serve(&l->dir[RX], true, &in, NULL);
		if (r < 0)
			return -1;
		atomic_store(&l->rx_heavy, r > 0 || in > TTT_LOOP_SMALL);
		if (solo || (r == 0 && in > 0 && in <= TTT_LOOP_SMALL)) {
			t = serve(&l->dir[TX], solo, &out, solo ? &ms : NULL);
			if (t < 0)
				return -1;
		}
		if (solo && (r > 0 || t > 0 || in > TTT_LOOP_SMALL || out > TTT_LOOP_SMALL))
			unpark(l); /* heavy traffic: two threads again */
		if (r > 0 || t > 0)
			continue; /* more may be waiting */
		if (solo && in == 0 && out > 0 && out <= TTT_LOOP_SMALL && ttt_spin_wanted(&sp)) {
			r = spin(l, RX, fds, 2); /* for the reply to what just left */
			if (r < 0)
				return -1;
			if (r == 0 || (r & 1))
				ttt_spin_result(&sp, r != 0);
			if (r != 0)
				continue;
		}
		if (look(l, RX, fds, solo ? 2 : 1, solo ? ms : -1) < 0)
			return -1;
	}
	return 0;
}

int ttt_loop_run(struct ttt_loop *l, int which)
{
	return which == TX ? run_tx(l) : run_rx(l);
}
