/* SPDX-License-Identifier: MIT */
/* test_loop.c - the two threads' loop (loop.h) over two pipes standing in
 * for the tap and the socket: the hand-off after a light batch (not after a
 * heavy one, not into a direction another thread holds), the send thread's
 * wait for a reply, solo (the send thread parks after light batches or an
 * idle sleep, the receive thread serves the tap, a heavy batch either way
 * brings the send thread back), and when the busy-poll stops and starts
 * again.
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

enum { NOBODY, BY_TX, BY_RX };

/* A direction over a pipe: its pump reads everything there is, counts the
 * bytes as datagrams (or reports `report` instead, when set) and notes
 * which thread it ran on. */
struct fake {
	int rd, wr;
	atomic_uint report;
	int idle_ms; /* what its idle function answers (0: it has none) */
	atomic_uint calls, bytes;
	atomic_int by; /* which thread ran the last call that read something */
	atomic_bool failed; /* a read failed otherwise than with EAGAIN */
};

static pthread_t threads[2]; /* TTT_LOOP_TX, TTT_LOOP_RX */
static atomic_bool started[2];

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
	if (got) {
		bool tx = atomic_load(&started[TTT_LOOP_TX]) &&
			  pthread_equal(pthread_self(), threads[TTT_LOOP_TX]);
		atomic_store(&f->by, tx ? BY_TX : BY_RX);
	}
	atomic_fetch_add(&f->bytes, got);
	*moved += got && atomic_load(&f->report) ? atomic_load(&f->report) : got;
	atomic_fetch_add(&f->calls, 1); /* last: the test waits for it */
	return 0;
}

static int fake_idle(void *state)
{
	return ((struct fake *)state)->idle_ms;
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
	struct fake tap, sock;
	struct ttt_loop loop;
	bool running[2];
};

static struct world *make(int tap_idle_ms)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	atomic_init(&w->path.stopping, false);
	w->path.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(w->path.stop_fd >= 0);
	fake_init(&w->tap);
	fake_init(&w->sock);
	w->tap.idle_ms = tap_idle_ms;
	w->loop.dir[TTT_LOOP_TX] = (struct ttt_dir){ .fd = w->tap.rd, .pump = fake_pump,
						     .idle = tap_idle_ms ? fake_idle : NULL,
						     .state = &w->tap };
	w->loop.dir[TTT_LOOP_RX] = (struct ttt_dir){ .fd = w->sock.rd, .pump = fake_pump,
						     .state = &w->sock };
	assert_int_equal(ttt_loop_init(&w->loop, &w->path), 0);
	atomic_store(&started[TTT_LOOP_TX], false);
	atomic_store(&started[TTT_LOOP_RX], false);
	return w;
}

static void *run_tx(void *arg)
{
	return (void *)(intptr_t)ttt_loop_run(&((struct world *)arg)->loop, TTT_LOOP_TX);
}

static void *run_rx(void *arg)
{
	return (void *)(intptr_t)ttt_loop_run(&((struct world *)arg)->loop, TTT_LOOP_RX);
}

/* Waits (at most 10 s) until f's pump has run at least n times. */
static void wait_calls(struct fake *f, unsigned n)
{
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 10000 && atomic_load(&f->calls) < n; i++)
		nanosleep(&pause, NULL);
	assert_true(atomic_load(&f->calls) >= n);
}

/* Waits (at most 10 s) until solo is `want`. */
static void wait_solo(struct world *w, bool want)
{
	struct timespec pause = { 0, 1000000 };

	for (int i = 0; i < 10000 && atomic_load(&w->loop.solo) != want; i++)
		nanosleep(&pause, NULL);
	assert_int_equal(atomic_load(&w->loop.solo), want);
}

/* Puts one datagram into f and waits until its pump has run once more. */
static void feed(struct fake *f)
{
	unsigned calls = atomic_load(&f->calls);

	put(f, 1);
	wait_calls(f, calls + 1);
}

/* Light batches from the tap, TTT_LOOP_PARK_AFTER in a row, none of them
 * served solo: then the send thread parks. */
static void light_until_solo(struct world *w)
{
	for (unsigned i = 0; i < TTT_LOOP_PARK_AFTER; i++) {
		assert_false(atomic_load(&w->loop.solo));
		feed(&w->tap);
	}
	wait_solo(w, true);
}

/* Starts thread `which` and waits for its first look at its own empty
 * pipe. */
static void go(struct world *w, int which)
{
	struct fake *own = which == TTT_LOOP_TX ? &w->tap : &w->sock;
	unsigned before = atomic_load(&own->calls);

	assert_int_equal(pthread_create(&threads[which], NULL, which == TTT_LOOP_TX ? run_tx : run_rx,
					w), 0);
	atomic_store(&started[which], true);
	w->running[which] = true;
	wait_calls(own, before + 1);
}

static void stop(struct world *w)
{
	uint64_t one = 1;

	atomic_store(&w->path.stopping, true);
	assert_int_equal(write(w->path.stop_fd, &one, sizeof(one)), sizeof(one));
	for (int i = 0; i < 2; i++) {
		void *rc;
		if (!w->running[i])
			continue;
		assert_int_equal(pthread_join(threads[i], &rc), 0);
		assert_int_equal((intptr_t)rc, 0);
	}
	assert_false(atomic_load(&w->tap.failed));
	assert_false(atomic_load(&w->sock.failed));
	ttt_loop_destroy(&w->loop);
	close(w->tap.rd);
	close(w->tap.wr);
	close(w->sock.rd);
	close(w->sock.wr);
	close(w->path.stop_fd);
	free(w);
}

/* A frame in, its reply already on the tap: the receive thread sends it. */
static void light_batch_hands_off(void **state)
{
	struct world *w = make(0);

	(void)state;
	put(&w->tap, 1);
	go(w, TTT_LOOP_RX);
	put(&w->sock, 1);
	wait_calls(&w->tap, 1);
	assert_int_equal(atomic_load(&w->tap.by), BY_RX);
	assert_int_equal(atomic_load(&w->tap.bytes), 1);
	stop(w);
}

/* After a heavy batch (more than TTT_LOOP_SMALL datagrams) the receive
 * thread leaves the tap to the send thread. */
static void heavy_batch_does_not(void **state)
{
	struct world *w = make(0);

	(void)state;
	atomic_store(&w->sock.report, TTT_LOOP_SMALL + 1);
	put(&w->tap, 1);
	go(w, TTT_LOOP_RX);
	put(&w->sock, 1);
	wait_calls(&w->sock, 2); /* the batch, after the first look */
	put(&w->sock, 1);
	wait_calls(&w->sock, 3); /* the round after the batch is over */
	assert_int_equal(atomic_load(&w->tap.calls), 0);
	stop(w);
}

/* A direction whose lock another thread holds is left alone: no wait, no
 * deadlock. */
static void held_direction_left_alone(void **state)
{
	struct world *w = make(0);

	(void)state;
	assert_int_equal(pthread_mutex_lock(&w->loop.dir[TTT_LOOP_TX].lock), 0);
	put(&w->tap, 1);
	go(w, TTT_LOOP_RX);
	put(&w->sock, 1);
	wait_calls(&w->sock, 2);
	put(&w->sock, 1); /* the loop is back for the socket */
	wait_calls(&w->sock, 3);
	assert_int_equal(atomic_load(&w->tap.calls), 0);
	assert_int_equal(pthread_mutex_unlock(&w->loop.dir[TTT_LOOP_TX].lock), 0);
	stop(w);
}

/* The send thread, after a light batch, serves the reply itself when it is
 * there (the receive thread not running at all here). */
static void send_thread_serves_the_reply(void **state)
{
	struct world *w = make(0);

	(void)state;
	put(&w->sock, 1);
	go(w, TTT_LOOP_TX);
	put(&w->tap, 1);
	wait_calls(&w->sock, 1);
	assert_int_equal(atomic_load(&w->sock.by), BY_TX);
	stop(w);
}

/* TTT_LOOP_PARK_AFTER light batches in a row: the send thread parks and
 * the receive thread serves the tap; a heavy batch from the tap brings the
 * send thread back, which serves the tap again. */
static void light_traffic_goes_solo(void **state)
{
	struct world *w = make(0);

	(void)state;
	go(w, TTT_LOOP_TX);
	go(w, TTT_LOOP_RX);
	light_until_solo(w);
	feed(&w->tap);
	assert_int_equal(atomic_load(&w->tap.by), BY_RX);
	atomic_store(&w->tap.report, TTT_LOOP_SMALL + 1); /* the next batch is heavy */
	put(&w->tap, 1);
	wait_solo(w, false);
	atomic_store(&w->tap.report, 0);
	feed(&w->tap);
	assert_int_equal(atomic_load(&w->tap.by), BY_TX);
	stop(w);
}

/* Solo, a heavy batch from the socket brings the send thread back too. */
static void heavy_receive_ends_solo(void **state)
{
	struct world *w = make(0);

	(void)state;
	go(w, TTT_LOOP_TX);
	go(w, TTT_LOOP_RX);
	light_until_solo(w);
	atomic_store(&w->sock.report, TTT_LOOP_SMALL + 1);
	put(&w->sock, 1);
	wait_solo(w, false);
	stop(w);
}

/* A send thread that slept its whole idle time without a packet parks. */
static void idle_tap_goes_solo(void **state)
{
	struct world *w = make(1);

	(void)state;
	go(w, TTT_LOOP_TX);
	wait_solo(w, true);
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(light_batch_hands_off),
		cmocka_unit_test(heavy_batch_does_not),
		cmocka_unit_test(held_direction_left_alone),
		cmocka_unit_test(send_thread_serves_the_reply),
		cmocka_unit_test(light_traffic_goes_solo),
		cmocka_unit_test(heavy_receive_ends_solo),
		cmocka_unit_test(idle_tap_goes_solo),
		cmocka_unit_test(spin_credit),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
