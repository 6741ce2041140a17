/* SPDX-License-Identifier: MIT */
/* txbatch.h - datagrams on their way to the peer, sent many per system call
 *
 * Datagrams are written one after another into one buffer. Runs of equal
 * size (the segments of one TCP superframe, say) become a single message
 * with UDP_SEGMENT, which the kernel splits (UDP GSO); all messages go out
 * in one sendmmsg().
 *
 * The kernel refuses a GSO run (EMSGSIZE) whose datagrams exceed the path
 * MTU it knows: the route's, or a smaller one an ICMP "fragmentation
 * needed" / "packet too big" taught it. Then the run goes out one datagram
 * at a time, which the kernel fragments as it would v1.4's, nothing is
 * lost, and the path MTU is read back from the route (pmtu.h): from then on
 * only datagrams that fit it are grouped (gso_max), and the sender cuts TCP
 * superframes into segments that fit (send.c), so GSO goes on at the
 * smaller size. The limit is read again from time to time
 * (ttt_txbatch_reprobe), since the kernel forgets a learnt path MTU after a
 * while. */
#ifndef TTT_TXBATCH_H
#define TTT_TXBATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ttt/net/addr.h"
#include "ttt/net/udp.h"

#define TTT_TX_MAX_MSGS 64
#define TTT_TX_GSO_SEGS 64        /* the kernel's UDP_MAX_SEGMENTS */
#define TTT_TX_GSO_BYTES 65507    /* the largest UDP payload over IPv4 */
#define TTT_TX_GSO_ANY SIZE_MAX   /* gso_max while the path refused nothing */

struct ttt_tx_run {
	size_t start, bytes, seg; /* offset in buf, total length, datagram size */
	unsigned count;           /* datagrams */
	uint64_t frame_bytes;     /* frame bytes (without the 40-byte headers) */
	bool closed;              /* ended with a shorter datagram */
};

struct ttt_txbatch {
	uint8_t *buf;
	size_t cap, used;
	bool gso;       /* the kernel has UDP_SEGMENT (kfeature.h): else never GSO */
	size_t gso_max; /* largest datagram in a GSO run: TTT_TX_GSO_ANY until the
			   path refused one; 0: no GSO until the next probe */
	unsigned n;
	struct ttt_tx_run runs[TTT_TX_MAX_MSGS];
	struct mmsghdr msgs[TTT_TX_MAX_MSGS];
	struct iovec iov[TTT_TX_MAX_MSGS];
	union {
		char buf[TTT_UDP_CTL_LEN];
		struct cmsghdr align;
	} ctl[TTT_TX_MAX_MSGS];
};

struct ttt_tx_result {
	uint64_t frames, bytes, errors; /* datagrams sent (frame bytes), refused */
	uint64_t gso_refused;           /* GSO runs refused, then sent one by one */
	int fatal_errno;                /* set when the socket is unusable */
	bool limit_changed;             /* gso_max has a new value */
	unsigned path_mtu;              /* what the route said (0: nothing) */
};

/* A batch of cap bytes; false on ENOMEM. */
bool ttt_txbatch_init(struct ttt_txbatch *b, size_t cap);
void ttt_txbatch_free(struct ttt_txbatch *b);

/* Where the next datagram (up to max bytes) goes, or NULL when the batch
 * is full and must be sent first. */
uint8_t *ttt_txbatch_slot(struct ttt_txbatch *b, size_t max);

/* Adds the datagram just written at the slot (len bytes, frame_len of them
 * the frame). */
void ttt_txbatch_commit(struct ttt_txbatch *b, size_t len, size_t frame_len);

static inline bool ttt_txbatch_empty(const struct ttt_txbatch *b)
{
	return b->n == 0;
}

/* Reads the path MTU to `to` again and sets gso_max from it; true when
 * gso_max changed (*path_mtu: what the route said, 0 when nothing). */
bool ttt_txbatch_reprobe(struct ttt_txbatch *b, const struct ttt_sockaddr *to,
			 unsigned *path_mtu);

/* Forgets what the path refused (a new peer, a new path). */
static inline void ttt_txbatch_path_reset(struct ttt_txbatch *b)
{
	b->gso_max = TTT_TX_GSO_ANY;
}

/* Sends everything to `to` over fd and empties the batch. */
void ttt_txbatch_send(struct ttt_txbatch *b, int fd, const struct ttt_sockaddr *to,
		      struct ttt_tx_result *res);

#endif
