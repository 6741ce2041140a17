/* SPDX-License-Identifier: MIT */
/* teardown.h - removing an attachment, from its record */
#ifndef CNI_TEARDOWN_H
#define CNI_TEARDOWN_H

#include "ctx.h"
#include "state.h"
#include "store.h"
#include "cni/lib/error.h"

/* Removes everything a record says may exist: the worker, the tap (only if
 * it still is ours), the IPAM lease, then the record. Best effort: every
 * step is tried; the first failure is reported and the record is kept
 * when the IPAM lease could not be released. */
int cni_teardown(const struct cni_ctx *c, const struct cni_store *s, struct cni_state *st,
		 struct cni_error *e);

#endif
