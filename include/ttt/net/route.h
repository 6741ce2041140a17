/* SPDX-License-Identifier: MIT */
/* route.h - routes through an interface (libnl-route-3), in the calling
 * thread's current network namespace */
#ifndef TTT_ROUTE_H
#define TTT_ROUTE_H

#include "ttt/util/err.h"

/* Adds a route to dst ("0.0.0.0/0", "198.20.0.0/16", "::/0") through the
 * interface, via gw when gw is not NULL (else a link-scope route). An
 * identical route that is already there is not an error. */
int ttt_route_add(int ifindex, const char *dst, const char *gw, struct ttt_err *err);

#endif
