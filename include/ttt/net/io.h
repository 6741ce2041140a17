/* SPDX-License-Identifier: MIT */
/* io.h - one policy for what an errno from the tap or the socket means
 *
 * The data path reads and writes its two descriptors through tap.h and
 * udp.h; every failure there is classified here, the same way for both. */
#ifndef TTT_IO_H
#define TTT_IO_H

enum ttt_io_error {
	TTT_IO_AGAIN,     /* nothing to read, or no room to write, right now */
	TTT_IO_INTR,      /* interrupted by a signal: try again at once */
	TTT_IO_TRANSIENT, /* this call failed; the descriptor still works */
	TTT_IO_FATAL,     /* the descriptor will never work again */
};

/* The class of errno e after a failed read, write, send or receive. */
enum ttt_io_error ttt_io_classify(int e);

#endif
