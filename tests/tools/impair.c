/* SPDX-License-Identifier: MIT */
/* impair.c - a UDP relay that impairs what it forwards, for the tests (the
 * test kernel has no netem). It runs in a middle network namespace between
 * two peers, A and B, each of which is configured with the relay's address
 * on its side as its peer:
 *
 *   peer A  <-->  [LISTEN_A] impair [LISTEN_B]  <-->  peer B
 *
 * A datagram that arrives on LISTEN_A's socket from PEER_A is sent from
 * LISTEN_B's socket to PEER_B (direction "ab"), and the other way round
 * ("ba"). Datagrams from any other source are dropped (counted "foreign").
 * A peer given as `learn` is the source of the latest datagram on its side
 * (so a peer on an unknown port, or a worker in discovery mode, can sit on
 * that side); until then, datagrams for it are dropped (counted "nopeer").
 *
 * Usage: impair [options] LISTEN_A PEER_A LISTEN_B PEER_B
 *   addresses: 198.18.1.254:7000 or [2001:db8:1::fe]:7000 (sides may differ
 *   in family); a peer may be `learn`.
 *
 * Impairments. VALUE applies to both directions, ab:VALUE or ba:VALUE to one
 * (options may repeat: `--loss 0.1 --loss ba:0`). P is a probability 0..1.
 *   --loss P        drop the datagram
 *   --truncate P    cut it to a random shorter length, 0..len-1 bytes
 *   --corrupt P     flip one random bit anywhere in it (after truncation)
 *   --dup P         send it twice (two identical copies)
 *   --delay MS      hold every copy MS milliseconds (fractions allowed)
 *   --jitter MS     add a uniform -MS..+MS to the delay (at least 0 in all):
 *                   like netem, jitter alone reorders datagrams
 *   --reorder P     when no copy of this direction is held already, hold
 *                   this one back until K later ones have been sent ahead
 *                   of it, or for at most --reorder-ms; with P = 1 and K = 1
 *                   every pair is swapped: 2 1 4 3 ...
 *   --reorder-after K  (default 1)
 *   --reorder-ms MS    (default 100)
 * Applied in that order (loss, truncation, corruption, duplication, then
 * per copy delay and reordering). The draws come from splitmix64, one
 * stream per direction, so a run is reproducible for a given seed and
 * arrival order.
 *
 * Other options:
 *   --seed N            PRNG seed (default 1)
 *   --time SECONDS      exit after this long (default 60; at most 86400)
 *   --max-held N        at most N copies waiting (delayed or held) at once
 *                       (default 4096); beyond, copies are dropped ("overflow")
 *   --max-held-bytes N  and at most N bytes of them (default 64 MiB)
 *   -h, --help
 *
 * Output (stdout, one line each): `impair: ready a=LISTEN_A b=LISTEN_B` once
 * both sockets are bound; a statistics line on SIGUSR1 and at exit:
 *   stats: ab_received=N ab_forwarded=N ... ba_received=N ... elapsed_ms=N cpu_ms=N
 * with, per direction (ab_, ba_):
 *   received    datagrams read from the incoming side's socket (any source)
 *   foreign     ... from a source other than that side's peer: dropped
 *   nopeer      ... while the other side's peer was not learnt yet: dropped
 *   dropped     lost by --loss
 *   truncated, corrupted, duplicated   datagrams so impaired
 *   reordered   copies held back by --reorder
 *   overflow    copies dropped because --max-held(-bytes) was reached
 *   forwarded   copies sent (duplicates count twice)
 *   txfail      copies the kernel refused to send (after one 10 ms retry)
 *   pending     copies waiting now; at exit, those discarded unsent
 *   sockdrops   datagrams the kernel dropped on the incoming socket (full)
 *   bytes_in, bytes_out
 * so that received = foreign + nopeer + dropped + copies - duplicated, and
 * copies = forwarded + overflow + txfail + pending.
 * SIGTERM, SIGINT and SIGHUP end it cleanly (status 0), as does the time
 * limit; a usage error exits with 2, a failure to set up with 1.
 *
 * Datagrams up to 65535 bytes are relayed one by one: UDP_GRO is never
 * enabled, so every datagram (even one a peer sent as part of a GSO batch)
 * is impaired individually. Non-blocking sockets under ppoll(), recvmmsg()
 * and sendmmsg() in batches, a min-heap of delayed copies. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32              /* datagrams per recvmmsg() */
#define OUT_MAX (4 * BATCH)   /* copies per sendmmsg() */
#define BUF_SIZE 65536        /* one received datagram, at most */
#define SOCK_BUF (4 << 20)    /* socket buffers, each way */
#define NS_PER_MS 1000000ull
#define ADDR_TEXT 64          /* "[ipv6]:port" */

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

/* Direction d goes from side d to side 1 - d. */
enum { AB = 0, BA = 1 };

/* The settings of one direction (IMP_OPTS names them). */
enum { LOSS, TRUNCATE, CORRUPT, DUP, REORDER, DELAY_MS, JITTER_MS, REORDER_MS, REORDER_AFTER, NPARAM };

struct impair {
	double p[NPARAM];
};

struct stats {
	uint64_t received, foreign, nopeer, dropped, truncated, corrupted;
	uint64_t duplicated, reordered, overflow, forwarded, txfail, pending;
	uint64_t sockdrops, bytes_in, bytes_out;
};

struct side {
	int fd;
	struct sockaddr_storage local, peer;
	socklen_t local_len, peer_len;
	bool learn, known;
	char name; /* 'A' or 'B' */
};

/* A copy waiting in the heap (delayed) or held back (reordering). */
struct pending {
	uint64_t due, order; /* order breaks ties: first in, first out */
	int dir;
	size_t len;
	unsigned char data[];
};

struct heap {
	struct pending **v;
	size_t n, cap;
};

/* Copies to send from one side's socket to that side's peer. */
struct out {
	struct mmsghdr msgs[OUT_MAX];
	struct iovec iov[OUT_MAX];
	struct pending *own[OUT_MAX]; /* freed once sent; NULL: a receive buffer */
	unsigned n;
};

struct relay {
	struct side side[2];
	struct impair imp[2];
	struct stats st[2];
	uint64_t rng[2];
	struct heap heap;
	struct pending *held[2];
	uint64_t held_until[2];
	unsigned passed[2];
	size_t npending, pending_bytes, max_held, max_bytes;
	uint64_t order, seed, start, end;
	double time_limit;
	struct out out[2];
	unsigned char *rxbuf; /* BATCH * BUF_SIZE */
	struct mmsghdr rmsgs[BATCH];
	struct iovec riov[BATCH];
	struct sockaddr_storage rfrom[BATCH];
	union {
		size_t align; /* a cmsghdr's */
		char buf[CMSG_SPACE(sizeof(uint32_t))];
	} rctl[BATCH];
};

static volatile sig_atomic_t stop_signal, stats_signal;

/* --- small helpers ---------------------------------------------------------- */

/* Monotonic time in nanoseconds. */
static uint64_t now_ns(void)
{
	struct timespec t = { 0, 0 };

	(void)clock_gettime(CLOCK_MONOTONIC, &t); /* cannot fail: a valid clock, a valid pointer */
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* splitmix64: the next 64 random bits of stream *s. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* True with probability p (no draw when p is 0 or 1). */
static bool chance(uint64_t *s, double p)
{
	if (p <= 0)
		return false;
	if (p >= 1)
		return true;
	return (double)(next_rand(s) >> 11) * 0x1.0p-53 < p;
}

/* Milliseconds (at least 0) to nanoseconds. */
static uint64_t ms_to_ns(double ms)
{
	return (uint64_t)(ms * (double)NS_PER_MS);
}

/* "a.b.c.d:port" or "[v6]:port" of an address, into buf (ADDR_TEXT). */
static void addr_text(const struct sockaddr_storage *a, char *buf)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a;
		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		snprintf(buf, ADDR_TEXT, "[%s]:%u", host, ntohs(s->sin6_port));
	} else {
		const struct sockaddr_in *s = (const struct sockaddr_in *)a;
		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		snprintf(buf, ADDR_TEXT, "%s:%u", host, ntohs(s->sin_port));
	}
}

/* Parses "a.b.c.d:port" or "[v6]:port" (port 1..65535). 0, or -1. */
static int parse_addr(const char *text, struct sockaddr_storage *a, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(text, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon || colon == text)
		return -1;
	hl = (size_t)(colon - text);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, text, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 1 || port > 65535)
		return -1;
	memset(a, 0, sizeof(*a));
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)a;
		host[hl - 1] = '\0';
		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s);
		return inet_pton(AF_INET6, host + 1, &s->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)a;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

/* Whether two addresses of the same family have the same address and port. */
static bool same_addr(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return false;
	if (x->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)x, *b = (const void *)y;
		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	const struct sockaddr_in *a = (const void *)x, *b = (const void *)y;
	return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/* --- pending copies and the heap --------------------------------------------- */

/* A copy of buf[0..len) to wait, or NULL (counted as overflow) past the caps. */
static struct pending *pending_new(struct relay *r, int d, const unsigned char *buf, size_t len)
{
	struct pending *p;

	if (r->npending >= r->max_held || r->pending_bytes + len > r->max_bytes ||
	    !(p = malloc(sizeof(*p) + len))) {
		r->st[d].overflow++;
		return NULL;
	}
	p->dir = d;
	p->len = len;
	p->order = r->order++;
	p->due = 0;
	memcpy(p->data, buf, len);
	r->npending++;
	r->pending_bytes += len;
	return p;
}

/* Frees a copy made by pending_new. */
static void pending_free(struct relay *r, struct pending *p)
{
	r->npending--;
	r->pending_bytes -= p->len;
	free(p);
}

/* Whether a is due before b (the heap's order). */
static bool before(const struct pending *a, const struct pending *b)
{
	return a->due < b->due || (a->due == b->due && a->order < b->order);
}

/* Adds p to the heap (whose capacity is max_held: it never overflows). */
static void heap_push(struct heap *h, struct pending *p)
{
	size_t i = h->n++;

	while (i > 0 && before(p, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = p;
}

/* Removes and returns the earliest copy (the heap must not be empty). */
static struct pending *heap_pop(struct heap *h)
{
	struct pending *top = h->v[0], *last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
			c++;
		if (!before(h->v[c], last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n > 0)
		h->v[i] = last;
	return top;
}

/* --- sending ------------------------------------------------------------------ */

/* Waits up to ms for fd to become writable. */
static void wait_writable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	(void)poll(&p, 1, ms);
}

/* Sends what is batched on side s's socket, counts it, frees owned copies. */
static void out_flush(struct relay *r, int s)
{
	struct out *o = &r->out[s];
	struct stats *st = &r->st[1 - s];
	bool retried = false;
	unsigned i = 0;

	for (unsigned k = 0; k < o->n; k++) {
		o->msgs[k].msg_hdr.msg_name = &r->side[s].peer;
		o->msgs[k].msg_hdr.msg_namelen = r->side[s].peer_len;
	}
	while (i < o->n) {
		int k = sendmmsg(r->side[s].fd, o->msgs + i, o->n - i, 0);
		if (k > 0) {
			for (int j = 0; j < k; j++)
				st->bytes_out += o->iov[i + (unsigned)j].iov_len;
			st->forwarded += (unsigned)k;
			i += (unsigned)k;
		} else if (k < 0 && errno == EINTR) {
			continue;
		} else if (k < 0 && (errno == EAGAIN || errno == ENOBUFS) && !retried) {
			retried = true;
			wait_writable(r->side[s].fd, 10);
		} else {
			st->txfail++;
			i++;
		}
	}
	for (unsigned k = 0; k < o->n; k++)
		if (o->own[k])
			pending_free(r, o->own[k]);
	o->n = 0;
}

/* Sends what is batched on both sides. */
static void flush_all(struct relay *r)
{
	out_flush(r, 0);
	out_flush(r, 1);
}

/* Batches one copy of direction d for sending (owned: freed once sent). */
static void out_add(struct relay *r, int d, unsigned char *buf, size_t len, struct pending *owned)
{
	int s = 1 - d;
	struct out *o = &r->out[s];

	if (o->n == OUT_MAX)
		out_flush(r, s);
	o->iov[o->n] = (struct iovec){ .iov_base = buf, .iov_len = len };
	memset(&o->msgs[o->n], 0, sizeof(o->msgs[o->n]));
	o->msgs[o->n].msg_hdr.msg_iov = &o->iov[o->n];
	o->msgs[o->n].msg_hdr.msg_iovlen = 1;
	o->own[o->n] = owned;
	o->n++;
}

/* Sends the copy held back in direction d, if any. */
static void release_held(struct relay *r, int d)
{
	struct pending *p = r->held[d];

	if (!p)
		return;
	r->held[d] = NULL;
	out_add(r, d, p->data, p->len, p);
}

/* A copy of direction d is due now: held back (reordering) or sent. It is
 * either p (owned) or, when p is NULL, buf[0..len) (a receive buffer). */
static void emit(struct relay *r, int d, unsigned char *buf, size_t len, struct pending *p, uint64_t now)
{
	const struct impair *im = &r->imp[d];

	if (!r->held[d] && chance(&r->rng[d], im->p[REORDER])) {
		if (!p && !(p = pending_new(r, d, buf, len)))
			return;
		r->held[d] = p;
		r->passed[d] = 0;
		r->held_until[d] = now + ms_to_ns(im->p[REORDER_MS]);
		r->st[d].reordered++;
		return;
	}
	if (p)
		out_add(r, d, p->data, p->len, p);
	else
		out_add(r, d, buf, len, NULL);
	if (r->held[d] && ++r->passed[d] >= (unsigned)im->p[REORDER_AFTER])
		release_held(r, d);
}

/* Delay plus jitter for one copy of direction d, in ns (at least 0). */
static uint64_t delay_sample(struct relay *r, int d)
{
	const struct impair *im = &r->imp[d];
	int64_t v = (int64_t)ms_to_ns(im->p[DELAY_MS]);
	uint64_t j = ms_to_ns(im->p[JITTER_MS]);

	if (j > 0)
		v += (int64_t)(next_rand(&r->rng[d]) % (2 * j + 1)) - (int64_t)j;
	return v > 0 ? (uint64_t)v : 0;
}

/* One copy of direction d: now, or into the heap when delayed. */
static void schedule(struct relay *r, int d, unsigned char *buf, size_t len, uint64_t now)
{
	uint64_t delay = delay_sample(r, d);
	struct pending *p;

	if (delay == 0) {
		emit(r, d, buf, len, NULL, now);
		return;
	}
	if (!(p = pending_new(r, d, buf, len)))
		return;
	p->due = now + delay;
	heap_push(&r->heap, p);
}

/* Applies direction d's impairments to one datagram (in place) and
 * schedules its copies. */
static void impair_one(struct relay *r, int d, unsigned char *buf, size_t len, uint64_t now)
{
	const struct impair *im = &r->imp[d];
	struct stats *st = &r->st[d];
	uint64_t *rng = &r->rng[d];
	int copies = 1;

	if (chance(rng, im->p[LOSS])) {
		st->dropped++;
		return;
	}
	if (len > 0 && chance(rng, im->p[TRUNCATE])) {
		len = (size_t)(next_rand(rng) % len);
		st->truncated++;
	}
	if (len > 0 && chance(rng, im->p[CORRUPT])) {
		uint64_t bit = next_rand(rng) % ((uint64_t)len * 8);
		buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		st->corrupted++;
	}
	if (chance(rng, im->p[DUP])) {
		copies = 2;
		st->duplicated++;
	}
	for (int c = 0; c < copies; c++)
		schedule(r, d, buf, len, now);
}

/* --- receiving ---------------------------------------------------------------- */

/* Whether a datagram from `from` on side d may go on (learns a `learn`
 * peer; counts foreign sources and a missing other peer). */
static bool accept_source(struct relay *r, int d, const struct sockaddr_storage *from, socklen_t len)
{
	struct side *in = &r->side[d];
	char text[ADDR_TEXT];

	if (in->learn && (!in->known || !same_addr(&in->peer, from))) {
		in->peer = *from;
		in->peer_len = len;
		in->known = true;
		addr_text(from, text);
		fprintf(stderr, "impair: peer %c is now %s\n", in->name, text);
	} else if (!in->learn && !same_addr(&in->peer, from)) {
		r->st[d].foreign++;
		return false;
	}
	if (!r->side[1 - d].known) {
		r->st[d].nopeer++;
		return false;
	}
	return true;
}

/* The socket's cumulative drop count, when the message carries it. */
static void note_drops(struct stats *st, struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		uint32_t v;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		st->sockdrops = v;
	}
}

/* Reads one batch from side d and relays it. Returns how many it read. */
static int drain(struct relay *r, int d)
{
	uint64_t now;
	int n;

	for (int i = 0; i < BATCH; i++) {
		r->riov[i] = (struct iovec){ .iov_base = r->rxbuf + (size_t)i * BUF_SIZE, .iov_len = BUF_SIZE };
		memset(&r->rmsgs[i], 0, sizeof(r->rmsgs[i]));
		r->rmsgs[i].msg_hdr.msg_iov = &r->riov[i];
		r->rmsgs[i].msg_hdr.msg_iovlen = 1;
		r->rmsgs[i].msg_hdr.msg_name = &r->rfrom[i];
		r->rmsgs[i].msg_hdr.msg_namelen = sizeof(r->rfrom[i]);
		r->rmsgs[i].msg_hdr.msg_control = r->rctl[i].buf;
		r->rmsgs[i].msg_hdr.msg_controllen = sizeof(r->rctl[i].buf);
	}
	n = recvmmsg(r->side[d].fd, r->rmsgs, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0; /* EAGAIN, EINTR; or an error queued for the socket */
	now = now_ns();
	for (int i = 0; i < n; i++) {
		struct msghdr *h = &r->rmsgs[i].msg_hdr;
		size_t len = r->rmsgs[i].msg_len;
		r->st[d].received++;
		r->st[d].bytes_in += len;
		note_drops(&r->st[d], h);
		if (accept_source(r, d, &r->rfrom[i], h->msg_namelen))
			impair_one(r, d, r->riov[i].iov_base, len, now);
	}
	flush_all(r); /* before the buffers are read into again */
	return n;
}

/* --- timers, statistics, the loop --------------------------------------------- */

/* Emits the delayed copies that are due and releases overdue held ones. */
static void run_timers(struct relay *r)
{
	uint64_t now = now_ns();

	while (r->heap.n > 0 && r->heap.v[0]->due <= now) {
		struct pending *p = heap_pop(&r->heap);
		emit(r, p->dir, NULL, 0, p, now);
	}
	for (int d = 0; d < 2; d++)
		if (r->held[d] && r->held_until[d] <= now)
			release_held(r, d);
	flush_all(r);
}

/* The next moment something is due: a delayed copy, a held one, or the end. */
static uint64_t next_deadline(const struct relay *r)
{
	uint64_t t = r->end;

	if (r->heap.n > 0 && r->heap.v[0]->due < t)
		t = r->heap.v[0]->due;
	for (int d = 0; d < 2; d++)
		if (r->held[d] && r->held_until[d] < t)
			t = r->held_until[d];
	return t;
}

/* Counts the copies waiting now, per direction, as pending. */
static void count_pending(struct relay *r)
{
	r->st[AB].pending = r->st[BA].pending = 0;
	for (size_t i = 0; i < r->heap.n; i++)
		r->st[r->heap.v[i]->dir].pending++;
	for (int d = 0; d < 2; d++)
		r->st[d].pending += r->held[d] != NULL;
}

/* Prints one direction's statistics, each as " PREFIX_NAME=VALUE". */
static void print_direction(const char *prefix, const struct stats *s)
{
	static const char *const names[] = {
		"received", "forwarded", "dropped", "duplicated", "reordered",
		"corrupted", "truncated", "foreign", "nopeer", "overflow",
		"txfail", "pending", "sockdrops", "bytes_in", "bytes_out",
	};
	const uint64_t v[] = {
		s->received, s->forwarded, s->dropped, s->duplicated, s->reordered,
		s->corrupted, s->truncated, s->foreign, s->nopeer, s->overflow,
		s->txfail, s->pending, s->sockdrops, s->bytes_in, s->bytes_out,
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == sizeof(v) / sizeof(v[0]),
		       "a name for every statistic");

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		printf(" %s_%s=%llu", prefix, names[i], (unsigned long long)v[i]);
}

/* Prints the statistics line. */
static void print_stats(const struct relay *r)
{
	static const char *const prefix[2] = { "ab", "ba" };
	struct rusage ru;
	uint64_t cpu_ms = 0;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu_ms = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
			 (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	fputs("stats:", stdout);
	for (int d = 0; d < 2; d++)
		print_direction(prefix[d], &r->st[d]);
	printf(" elapsed_ms=%llu cpu_ms=%llu\n", (unsigned long long)((now_ns() - r->start) / NS_PER_MS),
	       (unsigned long long)cpu_ms);
	fflush(stdout);
}

/* Relays until the time limit or a stop signal. 0, or -1 on a poll failure. */
static int run(struct relay *r, const sigset_t *waitmask)
{
	while (!stop_signal) {
		uint64_t now = now_ns(), due;
		struct pollfd pfd[2];
		struct timespec ts;
		int rounds = 0, got;

		if (now >= r->end)
			break;
		due = next_deadline(r);
		due = due > now ? due - now : 0;
		ts.tv_sec = (time_t)(due / 1000000000ull);
		ts.tv_nsec = (long)(due % 1000000000ull);
		for (int s = 0; s < 2; s++)
			pfd[s] = (struct pollfd){ .fd = r->side[s].fd, .events = POLLIN };
		if (ppoll(pfd, 2, &ts, waitmask) < 0 && errno != EINTR) {
			perror("impair: ppoll");
			return -1;
		}
		if (stats_signal) {
			stats_signal = 0;
			count_pending(r);
			print_stats(r);
		}
		do {
			got = drain(r, AB) + drain(r, BA);
			run_timers(r);
		} while (got > 0 && ++rounds < 16);
	}
	return 0;
}

/* --- setup ---------------------------------------------------------------------- */

/* Notes a signal for the loop (SIGUSR1: statistics; the others: stop). */
static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_signal = 1;
	else
		stop_signal = 1;
}

/* Blocks the signals we handle (they are taken only inside ppoll, which
 * waits with *waitmask) and installs the handler. 0, or -1. */
static int setup_signals(sigset_t *waitmask)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(waitmask, sigs[i]);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

/* A socket buffer of SOCK_BUF bytes (forced as root; else what is allowed). */
static void big_buffer(int fd, int opt_force, int opt)
{
	int bytes = SOCK_BUF;

	if (setsockopt(fd, SOL_SOCKET, opt_force, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

/* Opens and binds side s's non-blocking socket. 0, or -1 (reported). */
static int open_side(struct side *sd)
{
	int on = 1;
	char text[ADDR_TEXT];

	addr_text(&sd->local, text);
	sd->fd = socket(sd->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sd->fd < 0) {
		fprintf(stderr, "impair: socket for %s: %s\n", text, strerror(errno));
		return -1;
	}
	if ((sd->local.ss_family == AF_INET6 &&
	     setsockopt(sd->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0) ||
	    setsockopt(sd->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)) < 0 ||
	    bind(sd->fd, (struct sockaddr *)&sd->local, sd->local_len) < 0) {
		fprintf(stderr, "impair: bind %s: %s\n", text, strerror(errno));
		return -1;
	}
	big_buffer(sd->fd, SO_RCVBUFFORCE, SO_RCVBUF);
	big_buffer(sd->fd, SO_SNDBUFFORCE, SO_SNDBUF);
	return 0;
}

/* Prints the usage (the header comment, short) to f. */
static void usage(FILE *f)
{
	fputs("usage: impair [options] LISTEN_A PEER_A LISTEN_B PEER_B\n"
	      "  A datagram from PEER_A to LISTEN_A goes on from LISTEN_B to PEER_B, and back.\n"
	      "  Addresses: 198.18.1.254:7000 or [2001:db8:1::fe]:7000; a peer may be `learn`\n"
	      "  (the source of the latest datagram on that side).\n"
	      "Impairments: VALUE for both directions, ab:VALUE or ba:VALUE for one; P in 0..1\n"
	      "  --loss P  --truncate P  --corrupt P (one bit)  --dup P\n"
	      "  --delay MS  --jitter MS (uniform -MS..+MS added to the delay)\n"
	      "  --reorder P  --reorder-after K (1)  --reorder-ms MS (100): when none is held,\n"
	      "      hold a copy back until K later ones went ahead of it, or MS passed\n"
	      "Other: --seed N (1)  --time SECONDS (60)  --max-held N (4096)\n"
	      "  --max-held-bytes N (67108864)  -h, --help\n"
	      "Prints `impair: ready ...`, then one `stats: ...` line on SIGUSR1 and at exit.\n"
	      "SIGTERM, SIGINT, SIGHUP or the time limit end it (status 0).\n",
	      f);
}

/* Parses a number within [lo, hi]. 0, or -1. */
static int parse_num(const char *text, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* Sets setting `which` from "V", "ab:V" or "ba:V", V in [lo, hi]. 0, or -1. */
static int set_impair(struct relay *r, int which, const char *arg, double lo, double hi)
{
	bool dirs[2] = { true, true };
	double v;

	if (strncmp(arg, "ab:", 3) == 0 || strncmp(arg, "ba:", 3) == 0) {
		dirs[arg[0] == 'a' ? BA : AB] = false;
		arg += 3;
	}
	if (parse_num(arg, lo, hi, &v) < 0)
		return -1;
	for (int d = 0; d < 2; d++)
		if (dirs[d])
			r->imp[d].p[which] = v;
	return 0;
}

/* Side sd from its LISTEN and PEER arguments. 0, or -1 (reported). */
static int parse_side(struct side *sd, const char *listen, const char *peer)
{
	if (parse_addr(listen, &sd->local, &sd->local_len) < 0) {
		fprintf(stderr, "impair: bad address '%s'\n", listen);
		return -1;
	}
	if (strcmp(peer, "learn") == 0) {
		sd->learn = true;
		return 0;
	}
	if (parse_addr(peer, &sd->peer, &sd->peer_len) < 0 ||
	    sd->peer.ss_family != sd->local.ss_family) {
		fprintf(stderr, "impair: bad peer '%s' (an address of the family of '%s', or learn)\n",
			peer, listen);
		return -1;
	}
	sd->known = true;
	return 0;
}

/* Parses a decimal integer within [lo, hi]. 0, or -1. */
static int parse_uint(const char *text, unsigned long long lo, unsigned long long hi,
		      unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The impairment options, indexed like struct impair, with their ranges. */
static const struct {
	const char *name;
	double lo, hi;
} IMP_OPTS[NPARAM] = {
	[LOSS] = { "loss", 0, 1 },
	[TRUNCATE] = { "truncate", 0, 1 },
	[CORRUPT] = { "corrupt", 0, 1 },
	[DUP] = { "dup", 0, 1 },
	[REORDER] = { "reorder", 0, 1 },
	[DELAY_MS] = { "delay", 0, 600000 },
	[JITTER_MS] = { "jitter", 0, 600000 },
	[REORDER_MS] = { "reorder-ms", 0, 600000 },
	[REORDER_AFTER] = { "reorder-after", 1, 1000000 },
};

enum { O_IMPAIR = 256, O_SEED, O_TIME, O_MAX_HELD, O_MAX_BYTES, NLONGOPTS = NPARAM + 6 };

/* Fills getopt_long's table: the impairments at their indexes, then the rest. */
static void option_table(struct option *o)
{
	for (int i = 0; i < NPARAM; i++)
		o[i] = (struct option){ IMP_OPTS[i].name, required_argument, NULL, O_IMPAIR };
	o[NPARAM] = (struct option){ "seed", required_argument, NULL, O_SEED };
	o[NPARAM + 1] = (struct option){ "time", required_argument, NULL, O_TIME };
	o[NPARAM + 2] = (struct option){ "max-held", required_argument, NULL, O_MAX_HELD };
	o[NPARAM + 3] = (struct option){ "max-held-bytes", required_argument, NULL, O_MAX_BYTES };
	o[NPARAM + 4] = (struct option){ "help", no_argument, NULL, 'h' };
	o[NPARAM + 5] = (struct option){ NULL, 0, NULL, 0 };
}

/* Applies option c (long option index idx) with value arg. 0, or -1. */
static int set_option(struct relay *r, int c, int idx, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case O_IMPAIR:
		return set_impair(r, idx, arg, IMP_OPTS[idx].lo, IMP_OPTS[idx].hi);
	case O_TIME:
		return parse_num(arg, 0.001, 86400, &r->time_limit);
	case O_SEED:
		if (parse_uint(arg, 0, UINT64_MAX, &v) < 0)
			return -1;
		r->seed = v;
		return 0;
	case O_MAX_HELD:
		if (parse_uint(arg, 1, 1000000, &v) < 0)
			return -1;
		r->max_held = (size_t)v;
		return 0;
	case O_MAX_BYTES:
		if (parse_uint(arg, 65536, 1ull << 34, &v) < 0)
			return -1;
		r->max_bytes = (size_t)v;
		return 0;
	default:
		return -1;
	}
}

/* Parses the options and the four addresses into r. 0, 1 (help), or -1. */
static int parse_args(struct relay *r, int argc, char **argv)
{
	struct option longopts[NLONGOPTS];
	int c, idx = 0;

	option_table(longopts);
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?')
			return -1;
		if (set_option(r, c, idx, optarg) < 0) {
			fprintf(stderr, "impair: bad value '%s' for --%s\n", optarg, longopts[idx].name);
			return -1;
		}
	}
	if (argc - optind != 4) {
		fprintf(stderr, "impair: expected LISTEN_A PEER_A LISTEN_B PEER_B\n");
		return -1;
	}
	for (int s = 0; s < 2; s++)
		if (parse_side(&r->side[s], argv[optind + 2 * s], argv[optind + 2 * s + 1]) < 0)
			return -1;
	return 0;
}

/* Sets r's defaults (before the options). */
static void defaults(struct relay *r)
{
	for (int d = 0; d < 2; d++) {
		r->imp[d].p[REORDER_AFTER] = 1;
		r->imp[d].p[REORDER_MS] = 100;
		r->side[d].fd = -1;
		r->side[d].name = d == AB ? 'A' : 'B';
	}
	r->seed = 1;
	r->time_limit = 60;
	r->max_held = 4096;
	r->max_bytes = 64u << 20;
}

/* Frees every copy still waiting; counted as pending (discarded). */
static void discard_pending(struct relay *r)
{
	for (int d = 0; d < 2; d++)
		r->st[d].pending = 0;
	while (r->heap.n > 0) {
		struct pending *p = heap_pop(&r->heap);
		r->st[p->dir].pending++;
		pending_free(r, p);
	}
	for (int d = 0; d < 2; d++)
		if (r->held[d]) {
			r->st[d].pending++;
			pending_free(r, r->held[d]);
			r->held[d] = NULL;
		}
}

/* Opens both sides and allocates the buffers. 0, or -1 (reported). */
static int setup(struct relay *r)
{
	char a[ADDR_TEXT], b[ADDR_TEXT];

	for (int s = 0; s < 2; s++)
		if (open_side(&r->side[s]) < 0)
			return -1;
	r->heap.cap = r->max_held;
	r->heap.v = calloc(r->heap.cap, sizeof(*r->heap.v));
	r->rxbuf = malloc((size_t)BATCH * BUF_SIZE);
	if (!r->heap.v || !r->rxbuf) {
		fprintf(stderr, "impair: out of memory\n");
		return -1;
	}
	r->rng[AB] = r->seed ^ 0x243f6a8885a308d3ull;
	r->rng[BA] = r->seed ^ 0x13198a2e03707344ull;
	r->start = now_ns();
	r->end = r->start + (uint64_t)(r->time_limit * 1e9);
	addr_text(&r->side[AB].local, a);
	addr_text(&r->side[BA].local, b);
	printf("impair: ready a=%s b=%s\n", a, b);
	fflush(stdout);
	return 0;
}

/* Closes the sockets and frees r and its buffers. */
static void teardown(struct relay *r)
{
	for (int s = 0; s < 2; s++)
		if (r->side[s].fd >= 0)
			close(r->side[s].fd);
	free(r->heap.v);
	free(r->rxbuf);
	free(r);
}

int main(int argc, char **argv)
{
	struct relay *r = calloc(1, sizeof(*r));
	sigset_t waitmask;
	int rc;

	if (!r) {
		fprintf(stderr, "impair: out of memory\n");
		return 1;
	}
	defaults(r);
	rc = parse_args(r, argc, argv);
	if (rc != 0) {
		usage(rc > 0 ? stdout : stderr);
		free(r);
		return rc > 0 ? 0 : 2;
	}
	if (setup_signals(&waitmask) < 0 || setup(r) < 0) {
		teardown(r);
		return 1;
	}
	rc = run(r, &waitmask);
	discard_pending(r);
	print_stats(r);
	teardown(r);
	return rc < 0 ? 1 : 0;
}
