/* SPDX-License-Identifier: MIT */
/* hmac_batch.c - HMAC-SHA256 of many messages at once
 *
 * Each message is a job of three segments, all run in one lane of a
 * multi-lane kernel: its full 64-byte blocks (read in place), its padded
 * tail (one or two blocks, copied into the job; a message under 120 bytes
 * is all tail), then the outer hash (one block: the inner digest, padded,
 * from the outer keyed state). Every call of the kernel advances all lanes
 * by the same number of blocks - the fewest any busy lane has left in its
 * segment - and a lane whose segment ends then moves to the next segment,
 * or, when its job is done, takes the next message. Messages are taken
 * longest first (a chunk of up to CHUNK at a time), so that lanes finish
 * close together; a lane with nothing left to do runs along on another
 * lane's blocks and its result is ignored.
 *
 * Once no message is waiting, the jobs still running may finish sooner on
 * a narrower kernel of the chain (e.g. 3 jobs left on 16 lanes: two-stream
 * SHA-NI): the cost of each kernel per step, measured at start, decides,
 * and the jobs move with their states. */
#include "ttt/crypto/hmac_batch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ttt/util/bytes.h"
#include "sha256_mb_impl.h"

#define BLOCK 64
#define MAXL TTT_SHA256_MB_MAX_LANES
#define CHUNK 64     /* messages sorted and scheduled together */
#define MAX_CHAIN 8

/* ---- padding and keying ---- */

/* Blocks of padding and length after rem (< 120) trailing bytes. */
static size_t tail_blocks(size_t rem)
{
	return rem + 9 > BLOCK ? 2 : 1;
}

/* Blocks of the inner hash of a message of len bytes (after the key block). */
static size_t inner_blocks(size_t len)
{
	return len / BLOCK + tail_blocks(len % BLOCK);
}

/* buf = the last rem bytes at tail, 0x80, zeros, and the bit length of a
 * message of total bytes, in one or two blocks; returns how many. */
static size_t pad_tail(uint8_t buf[2 * BLOCK], const uint8_t *tail, size_t rem, uint64_t total)
{
	size_t blocks = tail_blocks(rem);

	if (rem)
		memcpy(buf, tail, rem);
	buf[rem] = 0x80;
	memset(buf + rem + 1, 0, blocks * BLOCK - 8 - rem - 1);
	ttt_put_be64(buf + blocks * BLOCK - 8, total * 8);
	return blocks;
}

static void put_digest(uint8_t out[32], const uint32_t h[8])
{
	for (int i = 0; i < 8; i++)
		ttt_put_be32(out + 4 * i, h[i]);
}

/* The state after the 64-byte key block, each byte XOR pad. */
static void keyed_state(uint32_t h[8], const uint8_t block[BLOCK], uint8_t pad)
{
	const struct ttt_sha256_mb *e = &ttt_sha256_mb_portable;
	uint8_t x[BLOCK];
	const uint8_t *p[1] = { x };

	for (int i = 0; i < BLOCK; i++)
		x[i] = block[i] ^ pad;
	memcpy(h, ttt_sha256_mb_iv, sizeof(ttt_sha256_mb_iv));
	e->blocks(h, p, 1);
	sodium_memzero(x, sizeof(x));
}

/* out = SHA-256(m) on the portable kernel. */
static void sha256(uint8_t out[32], const uint8_t *m, size_t len)
{
	const struct ttt_sha256_mb *e = &ttt_sha256_mb_portable;
	uint8_t tail[2 * BLOCK];
	uint32_t h[8];
	const uint8_t *p[1] = { m };
	size_t full = len / BLOCK;

	memcpy(h, ttt_sha256_mb_iv, sizeof(h));
	if (full)
		e->blocks(h, p, full);
	p[0] = tail;
	e->blocks(h, p, pad_tail(tail, full ? m + full * BLOCK : m, len % BLOCK, len));
	put_digest(out, h);
	sodium_memzero(h, sizeof(h));
	sodium_memzero(tail, sizeof(tail));
}

void ttt_hmac_keyed_init(struct ttt_hmac_keyed *k, const uint8_t *key, size_t len)
{
	uint8_t block[BLOCK] = { 0 };

	if (len > BLOCK)
		sha256(block, key, len);
	else if (len)
		memcpy(block, key, len);
	keyed_state(k->inner, block, 0x36);
	keyed_state(k->outer, block, 0x5c);
	sodium_memzero(block, sizeof(block));
}

/* ---- configuration: the chain of kernels and their costs ---- */

struct config {
	size_t len;
	const struct ttt_sha256_mb *chain[MAX_CHAIN]; /* lanes never increase */
	double cost[MAX_CHAIN];                       /* ns per call of one block */
	char name[MAX_CHAIN * 16];
};

/* ---- one batch ---- */

enum seg { BODY, TAIL, OUTER };

struct job {
	const uint8_t *p; /* its next block */
	size_t left;      /* blocks left in this segment */
	size_t msg;       /* index in the chunk */
	enum seg seg;
	uint32_t h[8];    /* its state while suspended */
	uint8_t buf[2 * BLOCK]; /* the padded tail, then the outer block */
};

struct batch {
	const struct ttt_hmac_keyed *k;
	const uint8_t *const *msg;
	const size_t *len;
	uint8_t *const *out;
	uint8_t order[CHUNK]; /* the chunk's messages, longest first */
	size_t n, next;       /* order[next..n) not started yet */
	struct job jobs[MAXL];
	struct job *free[MAXL], *susp[MAXL]; /* unused; started but not in a lane */
	size_t nfree, nsusp;
	size_t low; /* jobs[low..] have been used (free[] pops from the top) */
};

/* The lanes of one kernel: word i of lane l's state at st[i * lanes + l]. */
struct lanes {
	uint32_t st[8 * MAXL];
	struct job *job[MAXL];
	const uint8_t *p[MAXL];
	unsigned n;
};

static void get_col(const struct lanes *ln, unsigned l, uint32_t h[8])
{
	for (unsigned i = 0; i < 8; i++)
		h[i] = ln->st[i * ln->n + l];
}

static void set_col(struct lanes *ln, unsigned l, const uint32_t h[8])
{
	for (unsigned i = 0; i < 8; i++)
		ln->st[i * ln->n + l] = h[i];
}

/* Blocks job j still has to run, outer hash included. */
static size_t remaining(const struct batch *b, const struct job *j)
{
	if (j->seg == BODY)
		return j->left + tail_blocks(b->len[j->msg] % BLOCK) + 1;
	return j->left + (j->seg == TAIL);
}

/* The job's message from block done on goes, padded, into its buffer. */
static void enter_tail(struct batch *b, struct job *j, size_t done)
{
	size_t len = b->len[j->msg];
	const uint8_t *tail = done ? b->msg[j->msg] + done * BLOCK : b->msg[j->msg];

	j->seg = TAIL;
	j->left = pad_tail(j->buf, tail, len - done * BLOCK, (uint64_t)len + BLOCK);
	j->p = j->buf;
}

/* Starts message order[next] in j; its state is the inner keyed one. */
static void start_job(struct batch *b, struct job *j)
{
	size_t len;

	j->msg = b->order[b->next++];
	len = b->len[j->msg];
	if (len + 9 <= 2 * BLOCK) { /* all of it in the buffer: one kernel call, not two */
		enter_tail(b, j, 0);
		return;
	}
	j->seg = BODY;
	j->left = len / BLOCK;
	j->p = b->msg[j->msg];
}

/* out = the digest in lane l's state. */
static void col_digest(uint8_t out[32], const struct lanes *ln, unsigned l)
{
	for (unsigned i = 0; i < 8; i++) {
		uint32_t be = htonl(ln->st[i * ln->n + l]);
		memcpy(out + 4 * i, &be, sizeof(be));
	}
}

/* Lane l finished its job's segment: on to the next, or to the output. */
static void advance(struct batch *b, struct lanes *ln, unsigned l)
{
	struct job *j = ln->job[l];

	if (j->seg == BODY) {
		enter_tail(b, j, b->len[j->msg] / BLOCK);
	} else if (j->seg == TAIL) { /* the outer block: inner digest and padding */
		col_digest(j->buf, ln, l);
		j->buf[32] = 0x80;
		memset(j->buf + 33, 0, BLOCK - 8 - 33);
		ttt_put_be64(j->buf + BLOCK - 8, (BLOCK + 32) * 8);
		j->seg = OUTER;
		j->left = 1;
		j->p = j->buf;
		set_col(ln, l, b->k->outer);
	} else {
		col_digest(b->out[j->msg], ln, l);
		b->free[b->nfree++] = j;
		ln->job[l] = NULL;
	}
}

/* Gives every empty lane a suspended job or a new message; returns how
 * many lanes are busy. */
static unsigned fill(struct batch *b, struct lanes *ln)
{
	unsigned busy = 0;

	for (unsigned l = 0; l < ln->n; l++) {
		if (!ln->job[l] && b->nsusp) {
			ln->job[l] = b->susp[--b->nsusp];
			set_col(ln, l, ln->job[l]->h);
		} else if (!ln->job[l] && b->next < b->n) {
			ln->job[l] = b->free[--b->nfree];
			b->low = b->nfree < b->low ? b->nfree : b->low;
			start_job(b, ln->job[l]);
			set_col(ln, l, b->k->inner);
		}
		busy += ln->job[l] != NULL;
	}
	return busy;
}

/* One kernel call: every busy lane advances by the fewest blocks any busy
 * lane has left in its segment. */
static void step(struct batch *b, struct lanes *ln, const struct ttt_sha256_mb *e)
{
	const uint8_t *any = NULL;
	size_t k = SIZE_MAX;

	for (unsigned l = 0; l < ln->n; l++)
		if (ln->job[l]) {
			k = ln->job[l]->left < k ? ln->job[l]->left : k;
			any = ln->job[l]->p;
		}
	for (unsigned l = 0; l < ln->n; l++)
		ln->p[l] = ln->job[l] ? ln->job[l]->p : any; /* idle lanes hash along */
	e->blocks(ln->st, ln->p, k);
	for (unsigned l = 0; l < ln->n; l++) {
		struct job *j = ln->job[l];
		if (!j)
			continue;
		j->p += k * BLOCK;
		j->left -= k;
		if (j->left == 0)
			advance(b, ln, l);
	}
}

/* What is left: jobs running or suspended, their blocks (sum, most, fewest). */
struct work {
	size_t jobs, sum, max, min;
};

/* Adds a job of r blocks to w. */
static void add_work(struct work *w, size_t r)
{
	w->jobs++;
	w->sum += r;
	w->max = r > w->max ? r : w->max;
	w->min = r < w->min ? r : w->min;
}

/* Estimated ns for kernel i to finish w alone: the longest job, or the
 * blocks spread over its lanes, or whole rounds of the shortest. */
static double estimate(const struct config *c, size_t i, const struct work *w)
{
	size_t lanes = c->chain[i]->lanes, spread = (w->sum + lanes - 1) / lanes;
	size_t rounds = (w->jobs + lanes - 1) / lanes * w->min, steps = w->max;

	steps = spread > steps ? spread : steps;
	steps = rounds > steps ? rounds : steps;
	return c->cost[i] * (double)steps;
}

/* The kernel of the chain, from cur on, to run w on, when cur would have
 * `busy` lanes busy. A narrower one must both finish it all sooner
 * (estimate) and advance it faster right now (busy lanes per ns): the
 * current kernel may be the better one until more of its lanes go idle. */
static size_t pick(const struct config *c, size_t cur, size_t busy, const struct work *w)
{
	double rate = (double)busy / c->cost[cur];
	size_t best = cur;

	for (size_t i = cur + 1; i < c->len; i++) {
		size_t lanes = c->chain[i]->lanes < w->jobs ? c->chain[i]->lanes : w->jobs;
		if ((double)lanes / c->cost[i] > rate && estimate(c, i, w) < estimate(c, best, w))
			best = i;
	}
	return best;
}

/* With no message waiting: where to run the running and suspended jobs. */
static size_t next_kernel(const struct batch *b, const struct lanes *ln, const struct config *c,
			  size_t cur)
{
	struct work w = { 0, 0, 0, SIZE_MAX };
	size_t busy;

	for (unsigned l = 0; l < ln->n; l++)
		if (ln->job[l])
			add_work(&w, remaining(b, ln->job[l]));
	busy = w.jobs;
	for (size_t s = 0; s < b->nsusp; s++)
		add_work(&w, remaining(b, b->susp[s]));
	return pick(c, cur, busy, &w);
}

/* Where to start a chunk: the widest kernel, unless the chunk does not fill
 * it and a narrower one is better (as next_kernel would decide at once). */
static size_t first_kernel(const struct batch *b, const struct config *c)
{
	struct work w = { 0, 0, 0, SIZE_MAX };

	if (b->n >= c->chain[0]->lanes)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		add_work(&w, inner_blocks(b->len[i]) + 1);
	return pick(c, 0, w.jobs, &w);
}

/* Runs the chunk on kernel *ci of the chain until it is done (returns
 * false), or until the rest is better run on a narrower kernel: then the
 * running jobs are suspended, *ci is that kernel, and it returns true. */
static bool run_on(struct batch *b, const struct config *c, size_t *ci)
{
	const struct ttt_sha256_mb *e = c->chain[*ci];
	struct lanes ln;
	size_t st_size = 8 * e->lanes * sizeof(ln.st[0]);
	bool moved = false;

	ln.n = e->lanes;
	memset(ln.st, 0, st_size); /* idle lanes hash zeros, not stack garbage */
	for (unsigned l = 0; l < ln.n; l++)
		ln.job[l] = NULL;

	while (fill(b, &ln) > 0) {
		size_t to = b->next == b->n ? next_kernel(b, &ln, c, *ci) : *ci;
		if (to != *ci) {
			for (unsigned l = 0; l < ln.n; l++)
				if (ln.job[l]) {
					get_col(&ln, l, ln.job[l]->h);
					b->susp[b->nsusp++] = ln.job[l];
				}
			*ci = to;
			moved = true;
			break;
		}
		step(b, &ln, e);
	}
	sodium_memzero(ln.st, st_size);
	return moved;
}

/* Orders the chunk's messages by inner hash blocks, most first (insertion
 * sort: the common batch is already in order, equal lengths). */
static void sort_chunk(struct batch *b)
{
	size_t blocks[CHUNK];

	for (size_t i = 0; i < b->n; i++) {
		size_t v = inner_blocks(b->len[i]), j = i;
		while (j > 0 && blocks[j - 1] < v) {
			blocks[j] = blocks[j - 1];
			b->order[j] = b->order[j - 1];
			j--;
		}
		blocks[j] = v;
		b->order[j] = (uint8_t)i;
	}
}

static void run_chunk(const struct config *c, struct batch *b)
{
	size_t ci = first_kernel(b, c);

	b->next = 0;
	b->nsusp = 0;
	b->nfree = MAXL;
	for (size_t i = 0; i < MAXL; i++)
		b->free[i] = &b->jobs[i];
	sort_chunk(b);
	while (run_on(b, c, &ci))
		;
}

static void batch_run(const struct config *c, const struct ttt_hmac_keyed *k, size_t n,
		      const uint8_t *const msg[], const size_t len[], uint8_t *const out[])
{
	struct batch b; /* not zeroed: 6 KiB, and a batch may be one short message */

	b.k = k;
	b.low = MAXL;
	for (size_t off = 0; off < n; off += CHUNK) {
		b.msg = msg + off;
		b.len = len + off;
		b.out = out + off;
		b.n = n - off < CHUNK ? n - off : CHUNK;
		run_chunk(c, &b);
	}
	sodium_memzero(&b.jobs[b.low], (MAXL - b.low) * sizeof(b.jobs[0]));
}

/* ---- selection at start ---- */

#define MEASURE_REPS 7
#define MEASURE_LEN 1418

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct config auto_config, forced_config;
static const struct config *config = &auto_config;
static double step_cost[16]; /* ns per call of one block, by index in ttt_sha256_mb_all */

static double now_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
		return 0;
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void set_name(struct config *c)
{
	c->name[0] = '\0';
	for (size_t i = 0; i < c->len; i++) {
		if (i)
			strcat(c->name, "+");
		strcat(c->name, c->chain[i]->name);
	}
}

/* A chain of the given kernels with their measured costs. */
static void make_config(struct config *c, const struct ttt_sha256_mb *const *chain, size_t len)
{
	size_t count;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);

	c->len = len;
	for (size_t i = 0; i < len; i++) {
		c->chain[i] = chain[i];
		for (size_t j = 0; j < count; j++)
			if (all[j] == chain[i])
				c->cost[i] = step_cost[j];
	}
	set_name(c);
}

/* ns per call of one block on kernel e: the best of a few calls of 16. */
static double measure_step(const struct ttt_sha256_mb *e)
{
	static const uint8_t blocks[16 * BLOCK];
	uint32_t st[8 * MAXL] = { 0 };
	const uint8_t *p[MAXL];
	double best = 1e30;

	for (size_t l = 0; l < MAXL; l++)
		p[l] = blocks;
	for (int r = 0; r < MEASURE_REPS; r++) {
		double t = now_ns();
		e->blocks(st, p, 16);
		t = (now_ns() - t) / 16;
		best = t < best ? t : best;
	}
	return best;
}

/* ns for a batch of TTT_HMAC_BATCH_LEN messages of MEASURE_LEN bytes on e alone. */
static double measure_batch(const struct ttt_sha256_mb *e)
{
	static const uint8_t frame[MEASURE_LEN];
	static uint8_t macs[TTT_HMAC_BATCH_LEN][32];
	const uint8_t *msg[TTT_HMAC_BATCH_LEN];
	size_t len[TTT_HMAC_BATCH_LEN];
	uint8_t *out[TTT_HMAC_BATCH_LEN];
	struct ttt_hmac_keyed k;
	struct config c;

	make_config(&c, &e, 1);
	memcpy(k.inner, ttt_sha256_mb_iv, sizeof(k.inner));
	memcpy(k.outer, ttt_sha256_mb_iv, sizeof(k.outer));
	for (size_t i = 0; i < TTT_HMAC_BATCH_LEN; i++) {
		msg[i] = frame;
		len[i] = sizeof(frame);
		out[i] = macs[i];
	}
	double t = now_ns();
	batch_run(&c, &k, TTT_HMAC_BATCH_LEN, msg, len, out);
	return now_ns() - t;
}

/* Measures every usable kernel (the portable one only when alone), takes
 * the fastest on full batches, and chains after it the narrower ones that
 * are cheaper per call than the one before. */
static void select_auto(void)
{
	size_t count, nuse = 0, best = 0;
	const struct ttt_sha256_mb *const *all = ttt_sha256_mb_all(&count);
	const struct ttt_sha256_mb *use[16], *chain[MAX_CHAIN];
	double batch[16], last;

	for (size_t i = 0; i < count && i < 16; i++) {
		bool portable = all[i] == &ttt_sha256_mb_portable;
		if (ttt_sha256_mb_find(all[i]->name) || (portable && nuse == 0)) {
			step_cost[i] = measure_step(all[i]);
			if (!portable || nuse == 0) /* it is last: only when alone */
				use[nuse++] = all[i];
		}
	}
	for (size_t u = 0; u < nuse; u++)
		batch[u] = 1e30;
	for (int r = 0; r < MEASURE_REPS; r++) /* interleaved: a disturbance hits all */
		for (size_t u = 0; u < nuse; u++) {
			double t = measure_batch(use[u]);
			batch[u] = t < batch[u] ? t : batch[u];
		}
	for (size_t u = 1; u < nuse; u++)
		if (batch[u] < batch[best])
			best = u;
	make_config(&auto_config, &use[best], 1);
	chain[0] = use[best];
	last = auto_config.cost[0];
	for (size_t u = best + 1; u < nuse && auto_config.len < MAX_CHAIN; u++) {
		struct config one;
		make_config(&one, &use[u], 1);
		if (use[u]->lanes < chain[auto_config.len - 1]->lanes && one.cost[0] < last) {
			chain[auto_config.len++] = use[u];
			last = one.cost[0];
		}
	}
	make_config(&auto_config, chain, auto_config.len);
}

static void init(void)
{
	select_auto();
}

/* Measures and selects once, at the first call of any function below. */
static void setup(void)
{
	if (pthread_once(&once, init) != 0)
		abort(); /* cannot happen: once and init are valid */
}

/* ---- the interface ---- */

void ttt_hmac_batch(const struct ttt_hmac_keyed *k, size_t n, const uint8_t *const msg[],
		    const size_t len[], uint8_t *const out[])
{
	setup();
	batch_run(config, k, n, msg, len, out);
}

const char *ttt_hmac_batch_variant(void)
{
	setup();
	return config->chain[0]->name;
}

const char *ttt_hmac_batch_chain(void)
{
	setup();
	return config->name;
}

int ttt_hmac_batch_force(const char *variant)
{
	const struct ttt_sha256_mb *chain[MAX_CHAIN];
	char names[MAX_CHAIN * 16], *save = NULL;
	size_t len = 0;

	setup();
	if (strcmp(variant, "auto") == 0) {
		config = &auto_config;
		return 0;
	}
	if (strlen(variant) >= sizeof(names))
		goto refuse;
	strcpy(names, variant);
	for (char *name = strtok_r(names, "+", &save); name; name = strtok_r(NULL, "+", &save)) {
		if (len == MAX_CHAIN || !(chain[len] = ttt_sha256_mb_find(name)))
			goto refuse;
		if (len && chain[len]->lanes > chain[len - 1]->lanes)
			goto refuse;
		len++;
	}
	if (len == 0)
		goto refuse;
	make_config(&forced_config, chain, len);
	config = &forced_config;
	return 0;
refuse:
	errno = ENOTSUP;
	return -1;
}
