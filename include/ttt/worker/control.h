/* SPDX-License-Identifier: MIT */
/* control.h - a worker's control socket: how `ttt show` asks it about itself
 *
 * Every worker listens on a Unix stream socket <dir>/<name>.sock (the
 * directory 0700, the socket 0600, both its owner's: root's), modelled on
 * WireGuard's userspace API. A client sends
 *
 *     get=1\n\n
 *
 * and the worker answers with lines "key=value\n" ending in "errno=0\n\n"
 * (errno=22 and nothing else for a request it does not understand), then
 * closes. Keys are [a-z0-9_], values single-line printable text. The
 * directory is the registry of the tunnels on a node: `ttt show` lists it.
 * Nothing here runs on the data path: the worker answers from its main
 * thread, reading counters the data path keeps anyway. */
#ifndef TTT_CONTROL_H
#define TTT_CONTROL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "ttt/util/err.h"

/* The run directory: $TTT_RUN_DIR when set to an absolute path, else this
 * (the CNI plugin's default state directory). */
#define TTT_RUN_DIR_DEFAULT "/run/tinytaptunnel"
#define TTT_RUN_DIR_ENV "TTT_RUN_DIR"
#define TTT_CONTROL_SUBDIR "sock" /* control sockets: <run dir>/sock */
#define TTT_CONTROL_SUFFIX ".sock"
#define TTT_CONTROL_NAME_MAX 64        /* characters in a name */
#define TTT_CONTROL_PATH_MAX 108       /* sizeof(sockaddr_un.sun_path) */
#define TTT_CONTROL_REQUEST_MAX 256    /* longer requests are refused */
#define TTT_CONTROL_REPLY_MAX 16384    /* longer replies are refused */
#define TTT_CONTROL_KEYS_MAX 128       /* lines in a reply */
#define TTT_CONTROL_KEY_MAX 48         /* characters in a key */
#define TTT_CONTROL_TIMEOUT_MS 1000    /* for a whole exchange, either side */
#define TTT_CONTROL_PROTOCOL 1

/* The run directory (see above). */
const char *ttt_run_dir(void);

/* <run dir>/sock into out (PATH_MAX bytes). */
void ttt_control_dir_default(char *out, size_t len);

/* A name: 1 to TTT_CONTROL_NAME_MAX of [A-Za-z0-9_.:@-], not starting with '.'. */
bool ttt_control_name_valid(const char *name);

/* <dir>/<name>.sock into out; -1 (err set) when it does not fit a socket
 * address. */
int ttt_control_path(const char *dir, const char *name, char out[TTT_CONTROL_PATH_MAX],
		     struct ttt_err *err);

/* Creates dir (0700, and its missing parents) unless it exists, refuses it
 * when it is not a directory of ours closed to group and others, and
 * listens on <dir>/<name>.sock (0600), replacing a socket nobody answers on
 * (a dead worker's), never a live one (err->code EADDRINUSE). The socket is
 * bound under a temporary name and renamed into place, so a visible socket
 * always answers. Returns the listening descriptor (non-blocking,
 * close-on-exec) with its path in path. */
int ttt_control_listen(const char *dir, const char *name, char path[TTT_CONTROL_PATH_MAX],
		       struct ttt_err *err);

/* What a worker (or its supervisor) listens on, from its options:
 * control_dir NULL for the default directory, "none" for no socket, or a
 * directory; name NULL for "worker-<pid>". name_out receives the name in
 * any case. Returns the listening descriptor, or -1 with path "" (err's
 * message empty for "none", else what went wrong). */
int ttt_control_open(const char *control_dir, const char *name,
		     char name_out[TTT_CONTROL_NAME_MAX + 1], char path[TTT_CONTROL_PATH_MAX],
		     struct ttt_err *err);

/* --- the request ---------------------------------------------------------- */

/* Parses the request received so far (len bytes, not NUL-terminated).
 * Returns 1 for a complete "get=1" request, 0 when more bytes are needed,
 * -1 for anything else (an unknown key or value, a malformed line, more
 * than TTT_CONTROL_REQUEST_MAX bytes). */
int ttt_control_parse_request(const char *buf, size_t len);

/* --- the reply ------------------------------------------------------------ */

/* A reply being written: lines appended to buf; overflow set when one did
 * not fit (the reply is then refused rather than cut). */
struct ttt_control_out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

/* Appends "key=value\n"; control characters in the value become '?'. */
__attribute__((format(printf, 3, 4)))
void ttt_control_put(struct ttt_control_out *o, const char *key, const char *fmt, ...);

struct ttt_control_kv {
	const char *key, *value;
};

/* A parsed reply: pointers into the buffer that was parsed. */
struct ttt_control_reply {
	size_t n;
	struct ttt_control_kv kv[TTT_CONTROL_KEYS_MAX];
	int errnum; /* the errno line's value */
};

/* Parses a reply in place (buf holds len bytes and one more for a NUL):
 * every line key=value with a valid key and printable value, at most
 * TTT_CONTROL_KEYS_MAX of them, the last one errno=N, then an empty line
 * and nothing after it. Returns 0, or -1 with err saying what is wrong. */
int ttt_control_parse_reply(char *buf, size_t len, struct ttt_control_reply *r,
			    struct ttt_err *err);

/* The value of key in r, or NULL. */
const char *ttt_control_get(const struct ttt_control_reply *r, const char *key);

/* --- both ends ------------------------------------------------------------ */

/* Serves one client of the listening socket lfd, if one is waiting: reads
 * its request (within TTT_CONTROL_TIMEOUT_MS), answers a get with what fill
 * writes into o followed by errno=0, anything else with errno=22. Clients
 * of another user than ours (and root) are refused. Never blocks longer
 * than the timeout; failures only end the exchange. */
void ttt_control_serve(int lfd, void (*fill)(struct ttt_control_out *o, void *arg), void *arg);

/* Connects to the socket at path, sends get=1 and reads the reply into buf
 * (cap bytes; NUL-terminated), all within TTT_CONTROL_TIMEOUT_MS. Returns
 * the reply's length, or -1 with err set (err->code ECONNREFUSED: nobody
 * listens there, a dead worker's socket). */
long ttt_control_query(const char *path, char *buf, size_t cap, struct ttt_err *err);

#endif
