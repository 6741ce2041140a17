/* SPDX-License-Identifier: MIT */
/* options.h - ttt-worker's command line
 *
 *   ttt-worker [options] <key file> <local address> [peer address]
 *   ttt-worker --derive-key <link> <network key file> <new key file>
 *
 * Compatible with tinytaptunnel v1.4's usage, plus long options. */
#ifndef TTT_OPTIONS_H
#define TTT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ttt/util/err.h"
#include "ttt/util/log.h"

struct ttt_options {
	const char *keyfile;
	const char *local;
	const char *peer;   /* NULL: discovery */
	const char *ifname; /* NULL: the kernel picks tapN */
	unsigned mtu;    /* TTT_MTU_DEFAULT unless mtu_given */
	bool mtu_given;  /* --mtu: else the worker takes the MTU from the path (pmtu.h) */
	unsigned keepalive; /* seconds; 0: no keepalives */
	uint64_t window_ns;
	enum ttt_log_level log_level;
	int tap_fd;  /* -1: create a tap */
	int sock_fd; /* -1: bind a socket */
	int ready_fd; /* -1: none; else "ready\n" is written there once running */
	bool no_offload; /* a plain tap: no vnet header, TSO or checksum offload */
	bool supervise;  /* run as a supervisor restarting the worker (supervise.h) */
	const char *link;         /* NULL: the key file's key as is; else that link's key */
	const char *derive_key;   /* --derive-key: write this link's key file and exit */
	const char *replay_state; /* NULL, or the file keeping the replay filter's floor */
	int replay_fd;            /* -1, or the supervisor's page of that state (supervise.h) */
	const char *log_file;     /* NULL, or stderr's file, rotated at log_max bytes */
	unsigned long long log_max;
	const char *control_dir; /* NULL: <run dir>/sock (control.h); "none": no socket */
	const char *name;        /* the control socket's name; NULL: worker-<pid> */
	/* Set by a supervisor for its child (supervise.h) and by no command line
	 * option, as is replay_fd: the parser leaves them -1 and 0. */
	int control_fd;    /* -1, or the supervisor's listening control socket */
	unsigned restarts; /* how many times the supervisor restarted the worker */
	uint64_t since_ns; /* UNIX ns the supervisor started (0: not supervised) */
};

#define TTT_LOG_MAX_DEFAULT (1024ULL * 1024) /* bytes of log before it is rotated */

enum ttt_options_result {
	TTT_OPTIONS_RUN,   /* run with the options */
	TTT_OPTIONS_DONE,  /* --help or --version was printed: exit 0 */
	TTT_OPTIONS_USAGE, /* no arguments at all: print usage, exit non-zero */
	TTT_OPTIONS_ERROR, /* err says what is wrong */
};

/* Parses argv (getopt_long; resets its state, so it may be called again). */
enum ttt_options_result ttt_options_parse(int argc, char **argv, struct ttt_options *o,
					  struct ttt_err *err);

void ttt_options_usage(FILE *out, const char *prog);

/* Strict number parsers for the command line. */
int ttt_parse_mtu(const char *s, unsigned *mtu, struct ttt_err *err);
int ttt_parse_window(const char *s, uint64_t *window_ns, struct ttt_err *err);
int ttt_parse_fd(const char *s, int *fd, struct ttt_err *err);
int ttt_parse_bytes(const char *s, unsigned long long *bytes, struct ttt_err *err);
int ttt_parse_keepalive(const char *s, unsigned *seconds, struct ttt_err *err);

/* The limits, for numbers however they arrive (the command line, a JSON
 * configuration): on failure err says what a valid value is ("must be a
 * whole number from 68 to 65453"). */
int ttt_check_mtu(double v, unsigned *mtu, struct ttt_err *err);
int ttt_check_window(double seconds, uint64_t *window_ns, struct ttt_err *err);
int ttt_check_keepalive(double v, unsigned *seconds, struct ttt_err *err);

#define TTT_ARGV_MAX 48

/* A command line built by ttt_options_to_argv: v is NULL-terminated and
 * points into num and into the options' strings. */
struct ttt_argv {
	char *v[TTT_ARGV_MAX];
	char num[12][32];
};

/* The command line (prog first) that makes ttt-worker run with o: every
 * option set in o, then "--" and the positional arguments, so that no path
 * or address is ever taken for an option. Parsing it gives o back, but for
 * what only a supervisor sets (replay_fd, control_fd, restarts, since_ns),
 * which has no option: it is left out. */
void ttt_options_to_argv(const struct ttt_options *o, const char *prog, struct ttt_argv *out);

#endif
