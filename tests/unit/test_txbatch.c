/* SPDX-License-Identifier: MIT */
/* test_txbatch.c - how datagrams are grouped into UDP GSO runs (sending is
 * covered by the integration tests, inside their own namespaces) */
#include "helpers.h"

#include "datapath/frame.h"
#include "datapath/txbatch.h"

static void add(struct ttt_txbatch *b, size_t len)
{
	uint8_t *slot = ttt_txbatch_slot(b, len);

	assert_non_null(slot);
	memset(slot, 0xab, len);
	ttt_txbatch_commit(b, len, len - TTT_HDR_LEN);
}

static void equal_sizes_make_one_run(void **state)
{
	struct ttt_txbatch b;

	(void)state;
	assert_true(ttt_txbatch_init(&b, 1 << 20));
	for (int i = 0; i < 10; i++)
		add(&b, 1472);
	add(&b, 500); /* a shorter last one joins and closes the run */
	add(&b, 500); /* so this starts another */
	assert_int_equal(b.n, 2);
	assert_int_equal(b.runs[0].count, 11);
	assert_int_equal(b.runs[0].seg, 1472);
	assert_int_equal(b.runs[0].bytes, 10 * 1472 + 500);
	assert_true(b.runs[0].closed);
	assert_int_equal(b.runs[0].frame_bytes, 10 * 1432 + 460);
	assert_int_equal(b.runs[1].start, 10 * 1472 + 500);
	ttt_txbatch_free(&b);
}

static void bigger_starts_new_run(void **state)
{
	struct ttt_txbatch b;

	(void)state;
	assert_true(ttt_txbatch_init(&b, 1 << 20));
	add(&b, 100);
	add(&b, 200);
	add(&b, 200);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.runs[1].count, 2);
	ttt_txbatch_free(&b);
}

static void runs_respect_kernel_limits(void **state)
{
	struct ttt_txbatch b;

	(void)state;
	assert_true(ttt_txbatch_init(&b, 1 << 20));
	for (int i = 0; i < 100; i++)
		add(&b, 1472);
	/* 44 * 1472 = 64768 fits in a UDP datagram; 45 would not. */
	assert_int_equal(b.runs[0].count, 44);
	assert_true(b.runs[0].bytes <= TTT_TX_GSO_BYTES);
	for (unsigned i = 0; i < b.n; i++)
		assert_true(b.runs[i].count <= TTT_TX_GSO_SEGS);
	ttt_txbatch_free(&b);
	assert_true(ttt_txbatch_init(&b, 1 << 20));
	for (int i = 0; i < 100; i++)
		add(&b, 100);
	assert_int_equal(b.runs[0].count, TTT_TX_GSO_SEGS);
	ttt_txbatch_free(&b);
}

static void full_batch_says_send(void **state)
{
	struct ttt_txbatch b;
	int added = 0;

	(void)state;
	assert_true(ttt_txbatch_init(&b, 10000));
	while (ttt_txbatch_slot(&b, 1472)) {
		add(&b, 1472);
		added++;
	}
	assert_int_equal(added, 6);
	ttt_txbatch_free(&b);
}

static void without_gso_one_datagram_per_run(void **state)
{
	struct ttt_txbatch b;

	(void)state;
	assert_true(ttt_txbatch_init(&b, 1 << 20));
	b.gso = false; /* the kernel lacks UDP_SEGMENT */
	for (int i = 0; i < 5; i++)
		add(&b, 1472);
	assert_int_equal(b.n, 5);
	b.gso = true;
	b.gso_max = 0; /* the path refused GSO though its datagrams fit */
	for (int i = 0; i < 5; i++)
		add(&b, 1472);
	assert_int_equal(b.n, 10);
	ttt_txbatch_free(&b);
}

/* After the path refused 1472-byte datagrams (gso_max 1372, a 1400-byte
 * path over IPv4), only datagrams that fit it are grouped. */
static void path_limit_groups_only_fitting(void **state)
{
	struct ttt_txbatch b;

	(void)state;
	assert_true(ttt_txbatch_init(&b, 1 << 20));
	b.gso_max = 1372;
	for (int i = 0; i < 3; i++)
		add(&b, 1472);
	for (int i = 0; i < 3; i++)
		add(&b, 1372);
	assert_int_equal(b.n, 4);
	assert_int_equal(b.runs[3].count, 3);
	assert_int_equal(b.runs[3].seg, 1372);
	ttt_txbatch_path_reset(&b);
	for (int i = 0; i < 3; i++)
		add(&b, 1472);
	assert_int_equal(b.n, 5);
	assert_int_equal(b.runs[4].count, 3);
	ttt_txbatch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_sizes_make_one_run),
		cmocka_unit_test(bigger_starts_new_run),
		cmocka_unit_test(runs_respect_kernel_limits),
		cmocka_unit_test(full_batch_says_send),
		cmocka_unit_test(without_gso_one_datagram_per_run),
		cmocka_unit_test(path_limit_groups_only_fitting),
	};

	return cmocka_run_group_tests_name("txbatch", tests, NULL, NULL);
}
