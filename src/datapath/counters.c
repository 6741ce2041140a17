/* SPDX-License-Identifier: MIT */
/* counters.c - naming and printing the counters */
#include "counters.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const tx_names[TTT_TX_COUNT] = {
	[TTT_TX_FRAMES] = "frames",	  [TTT_TX_BYTES] = "bytes",
	[TTT_TX_NO_PEER] = "no_peer",	  [TTT_TX_OVERSIZE] = "oversize",
	[TTT_TX_SEND_ERROR] = "send_error", [TTT_TX_TAP_ERROR] = "tap_error",
	[TTT_TX_MALFORMED] = "malformed", [TTT_TX_GSO_REFUSED] = "gso_refused",
	[TTT_TX_RESEGMENTED] = "resegmented", [TTT_TX_KEEPALIVE] = "keepalive",
};

static const char *rx_name(unsigned i)
{
	switch (i) {
	case TTT_RX_FRAMES:
		return "frames";
	case TTT_RX_BYTES:
		return "bytes";
	case TTT_RX_TAP_ERROR:
		return "tap_error";
	case TTT_RX_RECV_ERROR:
		return "recv_error";
	case TTT_RX_PEER_CHANGES:
		return "peer_changes";
	case TTT_RX_KEEPALIVE:
		return "keepalive";
	default:
		return ttt_verdict_name((enum ttt_verdict)i);
	}
}

void ttt_counters_list(const struct ttt_counters *c, struct ttt_counter_value out[TTT_COUNTERS_TOTAL])
{
	for (unsigned i = 0; i < TTT_TX_COUNT; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "tx_%s", tx_names[i]);
		out[i].value = ttt_counter(&c->tx[i]);
	}
	for (unsigned i = 0; i < TTT_RX_COUNT; i++) {
		struct ttt_counter_value *v = &out[TTT_TX_COUNT + i];
		snprintf(v->name, sizeof(v->name), "rx_%s", rx_name(i));
		v->value = ttt_counter(&c->rx[i]);
	}
}

void ttt_counters_format(const struct ttt_counters *c, char *buf, size_t len)
{
	struct ttt_counter_value v[TTT_COUNTERS_TOTAL];
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	ttt_counters_list(c, v);
	for (unsigned i = 0; i < TTT_COUNTERS_TOTAL && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s=%" PRIu64, used ? " " : "", v[i].name,
				 v[i].value);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
