/* SPDX-License-Identifier: MIT */
/* io.c - classifying I/O errors */
#include "ttt/net/io.h"

#include <errno.h>

enum ttt_io_error ttt_io_classify(int e)
{
	switch (e) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return TTT_IO_AGAIN;
	case EINTR:
		return TTT_IO_INTR;
	case EBADF:    /* closed under us */
	case EBADFD:   /* a tap whose namespace was deleted */
	case ENOTSOCK: /* not the socket we were given */
	case EFAULT:   /* a bug: never retry */
		return TTT_IO_FATAL;
	default:       /* ICMP errors, full buffers, a refused frame, ... */
		return TTT_IO_TRANSIENT;
	}
}
