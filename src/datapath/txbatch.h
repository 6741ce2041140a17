/* SPDX-License-Identifier: MIT */
/* txbatch.h - datagrams on their way to the peer, sent many per system call
 *
 * Datagrams are written one after another into one buffer. Runs of equal
 * size (the segments of one TCP superframe, say) become a single message
 * with UDP_SEGMENT, which the kernel splits (UDP GSO); all messages go out
 * in one sendmmsg(). Where GSO is refused (a path MTU below the datagram
 * size, as over IPv6 with the default MTU), the batch falls back to one
 * message per datagram for good. */
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

struct ttt_tx_run {
	size_t start, bytes, seg; /* offset in buf, total length, datagram size */
	unsigned count;           /* datagrams */
	uint64_t frame_bytes;     /* frame bytes (without the 40-byte headers) */
	bool closed;              /* ended with a shorter datagram */
};

struct ttt_txbatch {
	uint8_t *buf;
	size_t cap, used;
	bool gso; /* UDP_SEGMENT still in use */
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
	int fatal_errno;                /* set when the socket is unusable */
	bool gso_disabled;              /* GSO was just given up */
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

/* Sends everything to `to` over fd and empties the batch. */
void ttt_txbatch_send(struct ttt_txbatch *b, int fd, const struct ttt_sockaddr *to,
		      struct ttt_tx_result *res);

#endif
