/* SPDX-License-Identifier: MIT */
/* ipam.h - asking the IPAM plugin, for an attachment or the whole network */
#ifndef CNI_IPAM_H
#define CNI_IPAM_H

#include <stdbool.h>

#include "ctx.h"
#include "state.h"
#include "cni/lib/delegate.h"
#include "cni/lib/error.h"

/* Runs the IPAM plugin for command on behalf of the attachment in st. */
int cni_ipam(const struct cni_ctx *c, const char *command, const struct cni_state *st,
	     char **out, struct cni_error *e);

/* The same in two halves, to overlap the IPAM plugin's start-up (a Go
 * program: about 10 ms) with slow kernel work of ours. A started call must
 * be finished; st must stay in place until then. */
struct cni_ipam_call {
	const struct cni_ctx *c;
	struct cni_delegate d;
	struct cni_running r;
};

int cni_ipam_start(const struct cni_ctx *c, const char *command, const struct cni_state *st,
		   struct cni_ipam_call *call, struct cni_error *e);
int cni_ipam_finish(struct cni_ipam_call *call, char **out, struct cni_error *e);

/* Whether the IPAM plugin's VERSION lists version. */
bool cni_ipam_speaks(const struct cni_ctx *c, const char *version);

/* Network-wide STATUS or GC, handed to the IPAM plugin when it speaks 1.1.0
 * (older ones do not know these verbs); 0 when there is nothing to ask. */
int cni_ipam_network(const struct cni_ctx *c, const char *command, struct cni_error *e);

#endif
