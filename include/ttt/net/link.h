/* SPDX-License-Identifier: MIT */
/* link.h - network interface changes over rtnetlink (libnl-route-3)
 *
 * Every call works in the calling thread's current network namespace. */
#ifndef TTT_LINK_H
#define TTT_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "ttt/proto.h"
#include "ttt/util/err.h"

struct ttt_link_change {
	unsigned mtu;         /* 0: leave as is */
	const uint8_t *mac;   /* NULL: leave as is; else TTT_ETH_ALEN bytes */
	const char *new_name; /* NULL: keep the name */
	int netns_fd;         /* -1: stay; else move into this namespace */
	bool up;              /* bring the interface up */
};

#define TTT_LINK_CHANGE_INIT { .mtu = 0, .mac = NULL, .new_name = NULL, .netns_fd = -1, .up = false }

/* Applies chg to the interface called ifname, in one RTM_NEWLINK request.
 * err->code is ENODEV when there is no such interface, EEXIST when the new
 * name is taken. */
int ttt_link_change(const char *ifname, const struct ttt_link_change *chg, struct ttt_err *err);

struct ttt_link_info {
	int ifindex;
	unsigned mtu;
	uint8_t mac[TTT_ETH_ALEN];
	bool up;
	char kind[16]; /* "tun" for a tap, "veth", ...; empty for plain devices */
};

/* Reads the interface's state; err->code is ENODEV when it does not exist. */
int ttt_link_get(const char *ifname, struct ttt_link_info *info, struct ttt_err *err);

/* Deletes the interface; err->code is ENODEV when it does not exist. */
int ttt_link_delete(const char *ifname, struct ttt_err *err);

#endif
