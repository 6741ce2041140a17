/* SPDX-License-Identifier: MIT */
/* ether.c - MAC address text */
#include "ttt/net/ether.h"

#include <stdio.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ttt_ether_parse(const char *text, uint8_t mac[TTT_ETH_ALEN])
{
	for (int i = 0; i < TTT_ETH_ALEN; i++) {
		const char *p = text + 3 * i;
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
		if (hi < 0 || lo < 0 || p[2] != (i < TTT_ETH_ALEN - 1 ? ':' : '\0'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

bool ttt_ether_assignable(const uint8_t mac[TTT_ETH_ALEN])
{
	uint8_t any = 0;

	for (int i = 0; i < TTT_ETH_ALEN; i++)
		any |= mac[i];
	return any != 0 && !(mac[0] & 1);
}

const char *ttt_ether_str(const uint8_t mac[TTT_ETH_ALEN], char buf[TTT_ETHER_STRLEN])
{
	snprintf(buf, TTT_ETHER_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}
