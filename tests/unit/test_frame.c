/* SPDX-License-Identifier: MIT */
/* test_frame.c - the v1.4 wire format against captured vectors, and every
 * reason a datagram is dropped */
#include "helpers.h"

#include <cjson/cJSON.h>

#include "ttt/util/clock.h"
#include "datapath/frame.h"
#include "ttt/crypto/keyfile.h"
#include "ttt/crypto/hmac.h"

#define MTU TTT_MTU_DEFAULT
#define WINDOW TTT_WINDOW_DEFAULT_NS
#define MAXD ttt_dgram_max(MTU)

struct vectors {
	cJSON *root;
	cJSON *list;
	struct ttt_hmac *hmac;
};

static int load_vectors(void **state)
{
	struct vectors *v = calloc(1, sizeof(*v));
	struct ttt_key *key = NULL;
	struct ttt_err err;
	char *json = slurp(vector_path("v1.4-wire.json"), NULL);

	assert_non_null(v);
	v->root = cJSON_Parse(json);
	free(json);
	assert_non_null(v->root);
	v->list = cJSON_GetObjectItem(v->root, "vectors");
	assert_true(cJSON_IsArray(v->list));
	if (ttt_keyfile_load(vector_path("preshared.key"), &key, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	v->hmac = ttt_hmac_new(key->bytes, key->len);
	ttt_key_free(key);
	assert_non_null(v->hmac);
	*state = v;
	return 0;
}

static int free_vectors(void **state)
{
	struct vectors *v = *state;

	cJSON_Delete(v->root);
	ttt_hmac_free(v->hmac);
	free(v);
	return 0;
}

/* From the hex field: the decimal one does not survive a double. */
static uint64_t vector_ts(const cJSON *o)
{
	const cJSON *s = cJSON_GetObjectItem(o, "timestamp_hex");

	assert_true(cJSON_IsString(s));
	return strtoull(s->valuestring, NULL, 16);
}

/* Every captured datagram opens at its capture time (+1 s), and sealing its
 * frame at its timestamp gives back the same bytes. */
static void vectors_round_trip(void **state)
{
	struct vectors *v = *state;
	const cJSON *item;
	int count = 0;

	cJSON_ArrayForEach(item, v->list) {
		size_t len;
		const cJSON *hex = cJSON_GetObjectItem(item, "udp_payload_hex");
		const cJSON *flen = cJSON_GetObjectItem(item, "frame_len");
		uint8_t *d = hex_decode(hex->valuestring, &len);
		uint64_t ts = vector_ts(item);
		uint8_t *again = malloc(len);

		assert_int_equal(len, TTT_HDR_LEN + (size_t)flen->valueint);
		assert_int_equal(ttt_frame_ts(d), ts);
		assert_int_equal(ttt_frame_open(v->hmac, d, len, MAXD, ts + TTT_NSEC_PER_SEC, WINDOW),
				 TTT_PASS);
		memcpy(again + TTT_HDR_LEN, d + TTT_HDR_LEN, len - TTT_HDR_LEN);
		ttt_frame_seal(v->hmac, again, len - TTT_HDR_LEN, ts);
		assert_memory_equal(again, d, len);
		free(again);
		free(d);
		count++;
	}
	assert_int_equal(count, 8);
}

/* The vectors' own sanity: ARP frames are 42 bytes, the largest 1432. */
static void vectors_cover_full_mtu(void **state)
{
	struct vectors *v = *state;
	const cJSON *item;
	int max = 0;

	cJSON_ArrayForEach(item, v->list) {
		int flen = cJSON_GetObjectItem(item, "frame_len")->valueint;
		if (flen > max)
			max = flen;
	}
	assert_int_equal(max, 1432);
	assert_int_equal(MAXD, 1472);
}

/* A datagram of frame_len bytes sealed at ts with the test key. */
static uint8_t *make(const struct ttt_hmac *hmac, size_t frame_len, uint64_t ts)
{
	uint8_t *d = malloc(TTT_HDR_LEN + frame_len + 1);

	assert_non_null(d);
	for (size_t i = 0; i < frame_len; i++)
		d[TTT_HDR_LEN + i] = (uint8_t)(i * 7 + 1);
	ttt_frame_seal(hmac, d, frame_len, ts);
	return d;
}

static const uint64_t NOW = 1795550851000000000ULL;

static enum ttt_verdict open_at(const struct ttt_hmac *hmac, const uint8_t *d, size_t len,
				uint64_t now)
{
	return ttt_frame_open(hmac, d, len, MAXD, now, WINDOW);
}

static void drop_short(void **state)
{
	struct vectors *v = *state;
	uint8_t *d = make(v->hmac, 60, NOW);

	assert_int_equal(open_at(v->hmac, d, 0, NOW), TTT_DROP_SHORT);
	assert_int_equal(open_at(v->hmac, d, 40, NOW), TTT_DROP_SHORT);
	assert_int_equal(ttt_frame_check_len(41, MAXD), TTT_PASS);
	free(d);
}

static void drop_oversize(void **state)
{
	struct vectors *v = *state;
	uint8_t *d = make(v->hmac, 1433, NOW);

	assert_int_equal(open_at(v->hmac, d, 1473, NOW), TTT_DROP_OVERSIZE);
	free(d);
	d = make(v->hmac, 1432, NOW);
	assert_int_equal(open_at(v->hmac, d, 1472, NOW), TTT_PASS);
	free(d);
}

static void drop_bad_mac(void **state)
{
	struct vectors *v = *state;
	uint8_t *d = make(v->hmac, 100, NOW);

	for (size_t bit = 0; bit < (TTT_HDR_LEN + 100) * 8; bit += 37) {
		d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 100, NOW), TTT_DROP_BAD_HMAC);
		d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* A MAC over the frame alone (without the timestamp) is not accepted. */
	ttt_hmac_compute(v->hmac, d + TTT_HDR_LEN, 100, d);
	assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 100, NOW), TTT_DROP_BAD_HMAC);
	free(d);
}

static void drop_bad_key(void **state)
{
	struct vectors *v = *state;
	static const uint8_t other[32] = { 1 };
	struct ttt_hmac *wrong = ttt_hmac_new(other, sizeof(other));
	uint8_t *d = make(wrong, 100, NOW);

	assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 100, NOW), TTT_DROP_BAD_HMAC);
	ttt_hmac_free(wrong);
	free(d);
}

static void window_edges(void **state)
{
	struct vectors *v = *state;
	uint8_t *d = make(v->hmac, 60, NOW);
	size_t len = TTT_HDR_LEN + 60;

	assert_int_equal(open_at(v->hmac, d, len, NOW + 2500000000ULL), TTT_PASS);
	assert_int_equal(open_at(v->hmac, d, len, NOW + WINDOW), TTT_PASS); /* exactly 3.0 s */
	assert_int_equal(open_at(v->hmac, d, len, NOW + WINDOW + 1), TTT_DROP_STALE);
	assert_int_equal(open_at(v->hmac, d, len, NOW - WINDOW), TTT_PASS);
	assert_int_equal(open_at(v->hmac, d, len, NOW - WINDOW - 1), TTT_DROP_FUTURE);
	assert_int_equal(open_at(v->hmac, d, len, NOW - 3600 * TTT_NSEC_PER_SEC), TTT_DROP_FUTURE);
	free(d);
}

static void extreme_timestamps(void **state)
{
	struct vectors *v = *state;
	static const uint64_t odd[] = { 0, 1ULL << 63, UINT64_MAX, (1ULL << 63) - 1 };
	static const enum ttt_verdict want[] = { TTT_DROP_STALE, TTT_DROP_FUTURE, TTT_DROP_FUTURE,
						 TTT_DROP_FUTURE };

	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		uint8_t *d = make(v->hmac, 60, odd[i]);
		assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 60, NOW), want[i]);
		free(d);
	}
}

static void runt_frames(void **state)
{
	struct vectors *v = *state;
	uint8_t *d = make(v->hmac, 13, NOW);

	assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 13, NOW), TTT_DROP_RUNT);
	free(d);
	d = make(v->hmac, 1, NOW);
	assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 1, NOW), TTT_DROP_RUNT);
	free(d);
	d = make(v->hmac, 14, NOW);
	assert_int_equal(open_at(v->hmac, d, TTT_HDR_LEN + 14, NOW), TTT_PASS);
	free(d);
}

static void timestamp_is_big_endian(void **state)
{
	struct vectors *v = *state;
	uint8_t *d = make(v->hmac, 20, 0x0102030405060708ULL);
	static const uint8_t be[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	assert_memory_equal(d + TTT_HMAC_LEN, be, 8);
	free(d);
}

/* The keepalive frame: an Ethernet header to the pause group address with
 * the experimental EtherType; recognised exactly, at any length >= 14. */
static void keepalive_frame(void **state)
{
	uint8_t f[64];

	(void)state;
	memset(f, 0xee, sizeof(f));
	ttt_frame_keepalive(f);
	assert_memory_equal(f, "\x01\x80\xc2\x00\x00\x01\x02\x00\x00\x00\x00\x00\x88\xb5", 14);
	assert_int_equal(f[14], 0xee); /* nothing written past the header */
	assert_true(ttt_frame_is_keepalive(f, TTT_KEEPALIVE_LEN));
	assert_true(ttt_frame_is_keepalive(f, 60));
	assert_false(ttt_frame_is_keepalive(f, 13));
	f[5] = 0x0e; /* LLDP's group address: not ours */
	assert_false(ttt_frame_is_keepalive(f, 14));
	f[5] = 0x01;
	f[13] = 0xb6; /* another EtherType */
	assert_false(ttt_frame_is_keepalive(f, 14));
	f[13] = 0xb5;
	f[0] = 0xff; /* broadcast, as tttpeer's test frames */
	assert_false(ttt_frame_is_keepalive(f, 14));
}

static void verdict_names(void **state)
{
	(void)state;
	assert_string_equal(ttt_verdict_name(TTT_DROP_BAD_HMAC), "bad_mac");
	assert_string_equal(ttt_verdict_name(TTT_DROP_REPLAY), "replay");
	assert_string_equal(ttt_verdict_name(TTT_VERDICT_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors_round_trip),
		cmocka_unit_test(vectors_cover_full_mtu),
		cmocka_unit_test(drop_short),
		cmocka_unit_test(drop_oversize),
		cmocka_unit_test(drop_bad_mac),
		cmocka_unit_test(drop_bad_key),
		cmocka_unit_test(window_edges),
		cmocka_unit_test(extreme_timestamps),
		cmocka_unit_test(runt_frames),
		cmocka_unit_test(timestamp_is_big_endian),
		cmocka_unit_test(verdict_names),
		cmocka_unit_test(keepalive_frame),
	};

	return cmocka_run_group_tests_name("frame", tests, load_vectors, free_vectors);
}
