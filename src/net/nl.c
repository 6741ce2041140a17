/* SPDX-License-Identifier: MIT */
/* nl.c - rtnetlink sockets for link, address and route changes */
#include "nl.h"

#include <netlink/netlink.h>
#include <netlink/route/link.h>

int ttt_nl_fail(struct ttt_err *err, int nlerr, const char *what)
{
	return ttt_err_set(err, "%s: %s", what, nl_geterror(nlerr));
}

struct nl_sock *ttt_nl_open(struct ttt_err *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk) {
		ttt_err_set(err, "out of memory for a netlink socket");
		return NULL;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		ttt_nl_fail(err, rc, "cannot open rtnetlink");
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

void ttt_nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}
