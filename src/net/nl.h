/* SPDX-License-Identifier: MIT */
/* nl.h - an rtnetlink socket in the calling thread's current namespace */
#ifndef TTT_NL_H
#define TTT_NL_H

#include "ttt/util/err.h"

struct nl_sock;

/* Connected NETLINK_ROUTE socket, or NULL with err set. */
struct nl_sock *ttt_nl_open(struct ttt_err *err);
void ttt_nl_close(struct nl_sock *sk);

/* Sets err from a (negative) libnl error code. Returns -1. */
int ttt_nl_fail(struct ttt_err *err, int nlerr, const char *what);

#endif
