/* SPDX-License-Identifier: MIT */
/* loop.c - each thread's loop: its own direction, the hand-off and the
 * short busy-poll of light traffic (see loop.h). A thread never holds both
 * locks: it takes the other direction's only with trylock, after letting go
 * of its own. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>

#include "ttt/util/clock.h"

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

/* Serves d from this thread, unless d's own thread is at it. 0, or -1 when
 * d failed for good. */
static int serve(struct ttt_dir *d)
{
	unsigned moved = 0;
	int r;

	if (pthread_mutex_trylock(&d->lock) != 0)
		return 0;
	r = d->pump(d->state, &moved);
	unlock(d);
	return r < 0 ? -1 : 0;
}

/* Polls both descriptors without sleeping for up to TTT_SPIN_NS. Returns 1
 * when the other direction had something (served here unless its thread
 * was at it), 0 when own has something or nothing came (*miss), -1 on a
 * failure. */
static int spin(const struct ttt_path *p, struct ttt_dir *own, struct ttt_dir *other, bool *miss)
{
	struct pollfd pfd[2] = { { .fd = own->fd, .events = POLLIN },
				 { .fd = other->fd, .events = POLLIN } };
	uint64_t end = ttt_monotonic_ns() + TTT_SPIN_NS;

	*miss = false;
	do {
		int n = poll(pfd, 2, 0);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n > 0 && pfd[1].revents)
			return serve(other) < 0 ? -1 : 1;
		if (n > 0 && pfd[0].revents)
			return 0;
		(void)sched_yield(); /* cannot fail on Linux; lets others on this CPU run */
	} while (!ttt_path_stopping(p) && ttt_monotonic_ns() < end);
	*miss = true;
	return 0;
}

/* After a light batch of own: the hand-off, then perhaps the busy-poll.
 * Returns 1 when own is to be served again before sleeping, 0 to sleep, -1
 * on a failure. */
static int light(const struct ttt_path *p, struct ttt_dir *own, struct ttt_dir *other,
		 struct ttt_spin *sp)
{
	bool miss;
	int r;

	if (own->hand_off && serve(other) < 0)
		return -1;
	if (!own->spins || !ttt_spin_wanted(sp))
		return 0;
	r = spin(p, own, other, &miss);
	if (r < 0)
		return -1;
	if (r > 0 || miss)
		ttt_spin_result(sp, r > 0);
	return !miss;
}

int ttt_loop_run(const struct ttt_path *p, struct ttt_dir *own, struct ttt_dir *other)
{
	struct ttt_spin sp = TTT_SPIN_INIT;

	while (!ttt_path_stopping(p)) {
		unsigned moved = 0;
		int r, ms = -1;

		lock(own);
		r = own->pump(own->state, &moved);
		if (r == 0 && own->idle)
			ms = own->idle(own->state);
		unlock(own);
		if (r < 0)
			return -1;
		if (r > 0)
			continue; /* more may be waiting */
		if (moved > 0 && moved <= TTT_LOOP_SMALL) {
			r = light(p, own, other, &sp);
			if (r < 0)
				return -1;
			if (r > 0)
				continue;
		}
		r = ttt_path_wait(p, own->fd, ms);
		if (r <= 0)
			return r;
	}
	return 0;
}
