/* plugin.h - one invocation of the plugin, and its commands
 *
 * main.c reads the environment, CNI_ARGS and the configuration into a
 * context, runs one command over it and prints the result or the error. */
#ifndef CNI_PLUGIN_H
#define CNI_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "state.h"
#include "cni/lib/args.h"
#include "cni/lib/delegate.h"
#include "cni/lib/env.h"
#include "cni/lib/error.h"

struct cni_ctx {
	struct cni_env env;
	struct cni_args args;
	struct cni_config cfg;
	const char *conf; /* stdin as read, handed on to the IPAM plugin */
	size_t conf_len;
	FILE *out;        /* where results go (stdout) */
};

int cni_cmd_add(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_del(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_check(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_status(struct cni_ctx *c, struct cni_error *e);
int cni_cmd_gc(struct cni_ctx *c, struct cni_error *e);

/* Removes everything a record says may exist: the worker, the tap (only if
 * it still is ours), the IPAM lease, then the record. Best effort: every
 * step is tried; the first failure is reported and the record is kept
 * when the IPAM lease could not be released. */
int cni_teardown(const struct cni_ctx *c, const struct cni_store *s, struct cni_state *st,
		 struct cni_error *e);

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
