/* SPDX-License-Identifier: MIT */
/* tool.h - `ttt`, the operator's tool: what its subcommands share
 *
 * The tunnels of a node are found in the run directory (control.h,
 * default /run/tinytaptunnel, the CNI plugin's default stateDir):
 *   <dir>/sock/<name>.sock        every worker's control socket, CNI or not
 *   <dir>/<network>/<cid>:<if>.json   the plugin's record of an attachment,
 *                                 whose tempName is its worker's socket name
 *   <dir>/<network>/old/          logs of removed attachments (logkeep.h) */
#ifndef TTT_TOOL_H
#define TTT_TOOL_H

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ttt/worker/control.h"

#define TOOL_NAME "ttt"

struct tunnel {
	char name[TTT_CONTROL_NAME_MAX + 1];
	char sock[PATH_MAX];  /* its control socket; "" when only a record names it */
	bool answered;        /* the worker answered get=1 */
	char error[640];      /* why it did not */
	char *reply_buf;      /* the reply, owned; reply points into it */
	struct ttt_control_reply reply;
	cJSON *record;        /* the CNI attachment's record, or NULL (standalone) */
	char network[256];    /* the record's network (its directory's name) */
	char record_path[PATH_MAX];
};

struct tunnels {
	struct tunnel *v;
	size_t n;
	uint64_t now_ns; /* UNIX ns when they were asked */
};

/* Asks every worker with a socket in <dir>/sock and reads every record in
 * <dir>/<network>/, pairing each record with its worker. Never fails for
 * one tunnel: what went wrong is in its error. Returns -1 (err set) only
 * when dir cannot be read at all or memory runs out. */
int tunnels_collect(const char *dir, struct tunnels *t, struct ttt_err *err);
void tunnels_free(struct tunnels *t);

/* A value the worker reported, or NULL. */
const char *tunnel_get(const struct tunnel *t, const char *key);
/* The same as a number (0 when absent or malformed). */
uint64_t tunnel_num(const struct tunnel *t, const char *key);
/* A string field of the record, or "" (also when it is of another type). */
const char *tunnel_rec(const struct tunnel *t, const char *key);
/* The address the worker listens on, or, when it does not answer, the one
 * the plugin chose for it (a port from a range); NULL when neither. */
const char *tunnel_listen(const struct tunnel *t);
/* "namespace/name" of the pod, or "" (out has 600 bytes). */
const char *tunnel_pod(const struct tunnel *t, char *out, size_t len);
/* Whether a reply key is a counter ("tx_..." or "rx_..."), and whether it
 * counts drops or errors (any counter but frames, bytes and peer changes). */
bool tunnel_is_counter(const char *key);
bool tunnel_is_drop(const char *key);

/* Subcommands: argc/argv start at the subcommand's name. Each returns the
 * exit status. */
int cmd_show(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_genkey(int argc, char **argv);
int cmd_derive_key(int argc, char **argv);

/* Output of show (show.c), --json (json.c), --gone (gone.c), metrics (metrics.c). */
void show_text(FILE *out, const struct tunnels *t);
int show_json(FILE *out, const struct tunnels *t);
int show_gone(FILE *out, const char *dir, bool json);
void metrics_write(FILE *out, const struct tunnels *t);

/* A duration in words: "3 minutes, 2 seconds". */
void format_duration(uint64_t ns, char *out, size_t len);

/* Prints "ttt <cmd>: <message>" on stderr; returns -1. */
__attribute__((format(printf, 2, 3)))
int tool_fail(const char *cmd, const char *fmt, ...);

/* The run directory from -d/--dir, else $TTT_RUN_DIR, else the default. */
const char *tool_dir(const char *given);

#endif
