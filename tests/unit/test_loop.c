/* SPDX-License-Identifier: MIT */
/* test_loop.c - the threads' loop (loop.h) over two pipes standing in for
 * the tap and the socket: a light batch of its own direction makes a
 * thread serve the other direction itself (the hand-off; the busy-poll
 * when the reply is already there), a heavy batch or a direction whose
 * thread is at it does not; and when the busy-poll stops and starts again.
 * Nothing here depends on timing: every wait is for an event, bounded. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "datapath/loop.h"

/* A direction over a pipe: its pump reads everything there is, counts the
 * bytes as datagrams (or reports `report` instead, when set) and notes
 * which thread it ran on. */
struct fake {
	int rd, wr;
	unsigned report;
	atomic_uint calls, bytes;
	pthread_t last_thread;
	atomic_bool by_loop; /* the last call ran on the loop's thread */
	atomic_bool failed;  /* a read failed otherwise than with EAGAIN */
};

static pthread_t loop_thread;

static int fake_pump(void *state, unsigned *moved)
{
	struct fake *f = state;
	char buf[64];
	ssize_t n;
	unsigned got = 0;

	while ((n = read(f->rd, buf, sizeof(buf))) > 0)
		got += (unsigned)n;
	if (n == 0 || errno != EAGAIN)
		atomic_store(&f->failed, true); /* checked by the test's thread */
	atomic_store(&f->by_loop, pthread_equal(pthread_self(), loop_thread) != 0);
	atomic_fetch_add(&f->bytes, got);
	*moved += got && f->report ? f->report : got;
	atomic_fetch_add(&f->calls, 1); /* last: the test waits for it */
	return 0;
}

static void fake_init(struct fake *f)
{
	int fds[2];

	memset(f, 0, sizeof(*f));
	assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
	f->rd = fds[0];
	f->wr = fds[1];
}

static void put(struct fake *f, unsigned n)
{
	static const char bytes[64];

	assert_int_equal(write(f->wr, bytes, n), (ssize_t)n);
}

struct world {
	struct ttt_path path;
	struct fake own, other;
	struct ttt_dir dir[2]; /* own, other */
	pthread_t thread;
};

static void *run(void *arg)
{
	struct world *w = arg;

	loop_thread = pthread_self();
	return (void *)(intptr_t)ttt_loop_run(&w->path, &w->dir[0], &w->dir[1]);
}

static struct world *start(bool hand_off, bool spins)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	atomic_init(&w->path.stopping, false);
	w->path.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(w->path.stop_fd >= 0);
	fake_init(&w->own);
	fake_init(&w->other);
	w->dir[0] = (struct ttt_dir){ .fd = w->own.rd, .pump = fake_pump, .state = &w->own,
				      .hand_off = hand_off, .spins = spins };
	w->dir[1] = (struct ttt_dir){ .fd = w->other.rd, .pump = fake_pump, .state = &w->other };
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_mutex_init(&w->dir[i].lock, NULL), 0);
	return w;
}



/* Waits (at most 10 s) until f's pump has run at least n times. */
static void wait_calls(struct fake *f, unsigned n)
{
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 10000 && atomic_load(&f->calls) < n; i++)
		nanosleep(&pause, NULL);
	assert_true(atomic_load(&f->calls) >= n);
}

/* Starts the loop and waits for its first look at its own (empty) pipe. */
static void go(struct world *w)
{
	assert_int_equal(pthread_create(&w->thread, NULL, run, w), 0);
	wait_calls(&w->own, 1);
}

static void stop(struct world *w)
{
	uint64_t one = 1;
	void *rc;

	atomic_store(&w->path.stopping, true);
	assert_int_equal(write(w->path.stop_fd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(pthread_join(w->thread, &rc), 0);
	assert_int_equal((intptr_t)rc, 0);
	assert_false(atomic_load(&w->own.failed));
	assert_false(atomic_load(&w->other.failed));
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_mutex_destroy(&w->dir[i].lock), 0);
	close(w->own.rd);
	close(w->own.wr);
	close(w->other.rd);
	close(w->other.wr);
	close(w->path.stop_fd);
	free(w);
}

/* The receive thread's case: a frame in, its reply waiting on the other
 * side: the loop's thread serves the other direction right away. */
static void light_batch_hands_off(void **state)
{
	struct world *w = start(true, false);

	(void)state;
	put(&w->other, 1); /* the reply, already produced */
	go(w);
	put(&w->own, 1);
	wait_calls(&w->other, 1);
	assert_true(atomic_load(&w->other.by_loop));
	assert_int_equal(atomic_load(&w->other.bytes), 1);
	stop(w);
}

/* A heavy batch (more than TTT_LOOP_SMALL datagrams) is not followed by a
 * hand-off: the other side is left to its own thread. */
static void heavy_batch_does_not(void **state)
{
	struct world *w = start(true, true);

	(void)state;
	w->own.report = TTT_LOOP_SMALL + 1;
	put(&w->other, 1);
	go(w);
	put(&w->own, 1);
	wait_calls(&w->own, 2); /* the batch, after the first look */
	put(&w->own, 1);
	wait_calls(&w->own, 3); /* the round after the batch is over */
	assert_int_equal(atomic_load(&w->other.calls), 0);
	stop(w);
}

/* The send thread's case: after a light batch it polls for a reply and
 * serves it itself when it is there. */
static void light_batch_polls_for_the_reply(void **state)
{
	struct world *w = start(false, true);

	(void)state;
	put(&w->other, 1);
	go(w);
	put(&w->own, 1);
	wait_calls(&w->other, 1);
	assert_true(atomic_load(&w->other.by_loop));
	stop(w);
}

/* A direction whose lock is held (its own thread is at it) is not served
 * by the other thread: the loop neither waits for it nor touches it. */
static void busy_direction_left_alone(void **state)
{
	struct world *w = start(true, true);

	(void)state;
	assert_int_equal(pthread_mutex_lock(&w->dir[1].lock), 0);
	put(&w->other, 1);
	go(w);
	put(&w->own, 1);
	wait_calls(&w->own, 2); /* the batch, after the first look */
	put(&w->own, 1); /* the loop is back for its own direction: no deadlock */
	wait_calls(&w->own, 3);
	assert_int_equal(atomic_load(&w->other.calls), 0);
	assert_int_equal(pthread_mutex_unlock(&w->dir[1].lock), 0);
	stop(w);
}

/* Misses in a row stop the busy-poll after TTT_SPIN_MISSES; then it is
 * tried once in TTT_SPIN_RETRY chances; a hit turns it fully on again. */
static void spin_credit(void **state)
{
	struct ttt_spin s = TTT_SPIN_INIT;
	unsigned wanted = 0;

	(void)state;
	for (int i = 0; i < TTT_SPIN_MISSES; i++) {
		assert_true(ttt_spin_wanted(&s));
		ttt_spin_result(&s, false);
	}
	for (int i = 0; i < 10 * TTT_SPIN_RETRY; i++)
		if (ttt_spin_wanted(&s)) {
			wanted++;
			ttt_spin_result(&s, false);
		}
	assert_int_equal(wanted, 10);
	for (int i = 1; i < TTT_SPIN_RETRY; i++)
		assert_false(ttt_spin_wanted(&s));
	assert_true(ttt_spin_wanted(&s)); /* the retry */
	ttt_spin_result(&s, true);
	for (int i = 0; i < TTT_SPIN_MISSES; i++) {
		assert_true(ttt_spin_wanted(&s));
		ttt_spin_result(&s, false);
	}
	assert_false(ttt_spin_wanted(&s));
	for (int i = 0; i < 3; i++) { /* hits keep it on */
		s = (struct ttt_spin)TTT_SPIN_INIT;
		ttt_spin_result(&s, true);
		assert_true(ttt_spin_wanted(&s));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(light_batch_hands_off),
		cmocka_unit_test(heavy_batch_does_not),
		cmocka_unit_test(light_batch_polls_for_the_reply),
		cmocka_unit_test(busy_direction_left_alone),
		cmocka_unit_test(spin_credit),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
