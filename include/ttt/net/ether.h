/* SPDX-License-Identifier: MIT */
/* ether.h - Ethernet (MAC) addresses as text */
#ifndef TTT_ETHER_H
#define TTT_ETHER_H

#include <stdbool.h>
#include <stdint.h>

#include "ttt/proto.h" /* TTT_ETH_ALEN */

#define TTT_ETHER_STRLEN 18 /* "02:00:00:00:00:01" and a NUL */

/* Parses "02:00:00:00:00:01" (either case). Returns 0 or -1. */
int ttt_ether_parse(const char *text, uint8_t mac[TTT_ETH_ALEN]);

/* A unicast address that is not all zeros: usable for an interface. */
bool ttt_ether_assignable(const uint8_t mac[TTT_ETH_ALEN]);

/* Lower-case colon form. */
const char *ttt_ether_str(const uint8_t mac[TTT_ETH_ALEN], char buf[TTT_ETHER_STRLEN]);

#endif
