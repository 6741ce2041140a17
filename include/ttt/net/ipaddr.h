/* SPDX-License-Identifier: MIT */
/* ipaddr.h - IP addresses on an interface (libnl-route-3), in the calling
 * thread's current network namespace */
#ifndef TTT_IPADDR_H
#define TTT_IPADDR_H

#include <stdbool.h>

#include "ttt/util/err.h"

/* Adds "198.19.0.5/24" or "2001:db8::5/64" to the interface. An address
 * that is already there is not an error. */
int ttt_ipaddr_add(int ifindex, const char *cidr, struct ttt_err *err);

/* Whether the interface carries exactly this address and prefix length. */
int ttt_ipaddr_has(int ifindex, const char *cidr, bool *found, struct ttt_err *err);

/* Waits (at most timeout_ms) until no IPv6 address of the interface is
 * tentative, i.e. duplicate address detection has finished. */
int ttt_ipaddr_settle(int ifindex, int timeout_ms, struct ttt_err *err);

#endif
