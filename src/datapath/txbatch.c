/* SPDX-License-Identifier: MIT */
/* txbatch.c - batched, GSO-grouped UDP sends */
#include "txbatch.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "ttt/net/io.h"
#include "ttt/net/pmtu.h"
#include "ttt/net/udp.h"

bool ttt_txbatch_init(struct ttt_txbatch *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->buf = malloc(cap);
	b->cap = cap;
	b->gso = true;
	b->gso_max = TTT_TX_GSO_ANY;
	return b->buf != NULL;
}

void ttt_txbatch_free(struct ttt_txbatch *b)
{
	free(b->buf);
	b->buf = NULL;
}

uint8_t *ttt_txbatch_slot(struct ttt_txbatch *b, size_t max)
{
	if (b->cap - b->used < max || b->n == TTT_TX_MAX_MSGS)
		return NULL;
	return b->buf + b->used;
}

/* Whether a datagram of len bytes can join the last run. */
static bool extends(const struct ttt_txbatch *b, const struct ttt_tx_run *r, size_t len)
{
	return b->gso && !r->closed && len <= r->seg && r->seg <= b->gso_max &&
	       r->count < TTT_TX_GSO_SEGS && r->bytes + len <= TTT_TX_GSO_BYTES;
}

void ttt_txbatch_commit(struct ttt_txbatch *b, size_t len, size_t frame_len)
{
	struct ttt_tx_run *r = b->n ? &b->runs[b->n - 1] : NULL;

	if (r && extends(b, r, len)) {
		r->closed = len < r->seg;
	} else {
		r = &b->runs[b->n++];
		memset(r, 0, sizeof(*r));
		r->start = b->used;
		r->seg = len;
	}
	r->bytes += len;
	r->count++;
	r->frame_bytes += frame_len;
	b->used += len;
	/* A full run list leaves no room: ttt_txbatch_slot then says send. */
}

static void prepare(struct ttt_txbatch *b, const struct ttt_sockaddr *to)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct msghdr *m = &b->msgs[i].msg_hdr;
		struct ttt_tx_run *r = &b->runs[i];

		memset(m, 0, sizeof(*m));
		b->iov[i].iov_base = b->buf + r->start;
		b->iov[i].iov_len = r->bytes;
		m->msg_iov = &b->iov[i];
		m->msg_iovlen = 1;
		m->msg_name = (void *)&to->u.sa;
		m->msg_namelen = to->len;
		if (r->count > 1)
			ttt_udp_set_segment(m, b->ctl[i].buf, (uint16_t)r->seg);
	}
}

/* The socket buffer is full: wait a little for room. */
static bool wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, 100) == 1;
}

/* Sends run i one datagram at a time (after the kernel refused GSO). */
static void send_singly(const struct ttt_txbatch *b, unsigned i, int fd,
			const struct ttt_sockaddr *to, struct ttt_tx_result *res)
{
	const struct ttt_tx_run *r = &b->runs[i];
	size_t off = 0;

	for (unsigned k = 0; k < r->count; k++) {
		size_t len = k + 1 < r->count ? r->seg : r->bytes - off;
		if (ttt_udp_send_one(fd, b->buf + r->start + off, len, to) < 0) {
			res->errors++;
		} else {
			res->frames++;
			res->bytes += len - TTT_HDR_LEN;
		}
		off += len;
	}
}

bool ttt_txbatch_reprobe(struct ttt_txbatch *b, const struct ttt_sockaddr *to,
			 unsigned *path_mtu)
{
	struct ttt_err err;
	unsigned mtu, over = ttt_pmtu_overhead(to);
	size_t was = b->gso_max;

	*path_mtu = 0;
	if (ttt_pmtu_route(to, &mtu, &err) < 0 || mtu <= over + TTT_HDR_LEN)
		b->gso_max = 0; /* nothing to go by: one datagram per message */
	else
		b->gso_max = mtu - over;
	if (b->gso_max)
		*path_mtu = mtu;
	return b->gso_max != was;
}

/* The kernel refused run i as GSO: learn the path's limit (once per send),
 * then send the run's datagrams one by one, which the kernel fragments
 * where they do not fit. */
static void refused_gso(struct ttt_txbatch *b, unsigned i, int fd, const struct ttt_sockaddr *to,
			struct ttt_tx_result *res, bool *probed)
{
	size_t was = b->gso_max;

	res->gso_refused++;
	if (!*probed) {
		*probed = true;
		(void)ttt_txbatch_reprobe(b, to, &res->path_mtu);
		/* The route takes these datagrams, yet GSO was refused: none until
		 * the next probe. */
		if (b->gso_max >= b->runs[i].seg)
			b->gso_max = 0;
		res->limit_changed |= b->gso_max != was;
	}
	send_singly(b, i, fd, to, res);
}

/* One sendmmsg() failure at message i: returns how many messages to skip
 * (0 to retry), or -1 when the socket is gone. */
static int failed_at(struct ttt_txbatch *b, unsigned i, int fd, const struct ttt_sockaddr *to,
		     struct ttt_tx_result *res, bool *waited, bool *probed)
{
	int e = errno;

	if (e == EINTR)
		return 0;
	if (e == EAGAIN || e == ENOBUFS) {
		if (!*waited) {
			*waited = true;
			if (wait_writable(fd))
				return 0;
		}
		for (unsigned k = i; k < b->n; k++) /* still full: drop the rest */
			res->errors += b->runs[k].count;
		return (int)(b->n - i);
	}
	if ((e == EMSGSIZE || e == EINVAL || e == EIO) && b->runs[i].count > 1) {
		refused_gso(b, i, fd, to, res, probed);
		return 1;
	}
	if (ttt_io_classify(e) == TTT_IO_FATAL) {
		res->fatal_errno = e;
		return -1;
	}
	res->errors += b->runs[i].count;
	return 1;
}

void ttt_txbatch_send(struct ttt_txbatch *b, int fd, const struct ttt_sockaddr *to,
		      struct ttt_tx_result *res)
{
	bool waited = false, probed = false;
	unsigned i = 0;

	memset(res, 0, sizeof(*res));
	prepare(b, to);
	while (i < b->n) {
		int sent;
		if (b->runs[i].count > 1 && b->runs[i].seg > b->gso_max) {
			send_singly(b, i++, fd, to, res); /* grouped before the path refused */
			continue;
		}
		sent = ttt_udp_send(fd, b->msgs + i, b->n - i);
		if (sent < 0) {
			int skip = failed_at(b, i, fd, to, res, &waited, &probed);
			if (skip < 0)
				break;
			i += (unsigned)skip;
			continue;
		}
		for (int k = 0; k < sent; k++, i++) {
			res->frames += b->runs[i].count;
			res->bytes += b->runs[i].frame_bytes;
		}
	}
	b->n = 0;
	b->used = 0;
}
