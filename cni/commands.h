/* SPDX-License-Identifier: MIT */
/* commands.h - the plugin's verbs, one file each (cmd_<verb>.c)
 *
 * Each runs over the context of one invocation, prints its result to
 * c->out on success, and on failure returns -1 with e set. */
#ifndef CNI_COMMANDS_H
#define CNI_COMMANDS_H

#include "ctx.h"
#include "cni/lib/error.h"

int cni_cmd_add(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_del(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_check(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_status(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_gc(struct cni_ctx *c, struct cni_error *e);

#endif
