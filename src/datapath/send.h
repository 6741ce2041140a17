/* SPDX-License-Identifier: MIT */
/* send.h - the send direction: frames read from the tap go to the peer
 *
 * Its state is used by one thread at a time (loop.c holds its lock). */
#ifndef TTT_SEND_H
#define TTT_SEND_H

#include "path.h"

struct ttt_tx;

/* Tap packets read per ttt_tx_pump at most (then the caller looks around). */
#define TTT_TX_PUMP_READS 64

/* NULL when memory is short. Logs which MAC batches run on (measuring the
 * kernels now rather than on the first frames). */
struct ttt_tx *ttt_tx_new(struct ttt_path *path);
void ttt_tx_free(struct ttt_tx *tx);

/* Reads the tap until it is empty or TTT_TX_PUMP_READS packets were read,
 * sealing and sending as it goes; *sent grows by the datagrams sent.
 * Returns 0 when the tap was found empty (then nothing is left unsent),
 * 1 when more may be waiting, -1 when the tap or socket failed for good
 * (logged). */
int ttt_tx_pump(struct ttt_tx *tx, unsigned *sent);

/* Before the direction sleeps: sends a keepalive when one is due. Returns
 * how long (ms) it may sleep before looking again. */
int ttt_tx_idle(struct ttt_tx *tx);

#endif
