/* SPDX-License-Identifier: MIT */
/* options.c - parsing ttt-worker's command line */
#include "ttt/worker/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ttt/crypto/linkkey.h"
#include "ttt/net/tap.h"
#include "ttt/proto.h"
#include "ttt/util/clock.h"
#include "ttt/version.h"
#include "ttt/worker/control.h"

void ttt_options_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [options] <key file> <local address> [peer address]\n"
		"       %s --derive-key <link> <network key file> <new key file>\n"
		"\n"
		"Joins a tap interface to a peer over UDP; every frame travels as one datagram\n"
		"authenticated with HMAC-SHA256 (tinytaptunnel v1.4 wire format).\n"
		"\n"
		"  <key file>       base64 preshared key; created (32 random bytes, mode 0600)\n"
		"                   when it does not exist\n"
		"  <local address>  :9123, 0.0.0.0:9123, 198.18.0.1:9123, [2001:db8::1]:9123,\n"
		"                   [::]:9123 or host:9123\n"
		"  [peer address]   where to send; without it the peer is learnt from the\n"
		"                   latest authenticated datagram\n"
		"\n"
		"Options:\n"
		"  --ifname NAME     name of the tap (default: the kernel picks tapN)\n"
		"  --mtu N           MTU of the tap, %d-%d (default: from the path to the\n"
		"                    peer, e.g. 1418 over IPv4 at 1500, 1398 over IPv6; at\n"
		"                    most %d; %d when the path tells nothing)\n"
		"  --window SECONDS  accept timestamps this far from now (default 3.0)\n"
		"  --keepalive SECS  send an authenticated keepalive when nothing was sent for\n"
		"                    SECS seconds (keeps NAT mappings open; default 0: off)\n"
		"  --tap-fd N        use the inherited tap descriptor N instead of creating one\n"
		"  --socket-fd N     use the inherited bound UDP socket N; <local address> must\n"
		"                    name the address it is bound to\n"
		"  --no-offload      do not take TCP superframes (TSO) from the tap; every\n"
		"                    frame is read and written one by one\n"
		"  --supervise       run the worker as a child and restart it when it dies of a\n"
		"                    signal, keeping inherited descriptors (the tap) open\n"
		"  --ready-fd N      write \"ready\" to descriptor N and close it once the\n"
		"                    tunnel runs (for whoever started the worker)\n"
		"  --link ID         use the key of link ID, derived from the key file's key\n"
		"                    (HKDF-SHA256); both ends of a link name the same ID\n"
		"  --derive-key ID   write the key of link ID, derived from <network key\n"
		"                    file>, into <new key file> (0600, never overwritten) for\n"
		"                    a peer that takes a plain key file (v1.4), then exit\n"
		"  --replay-state FILE  keep the replay filter's high-water mark in FILE, so\n"
		"                    that a restart refuses what was accepted before it; without\n"
		"                    it a start refuses datagrams stamped before start + window\n"
		"  --log-file FILE   log into FILE (stderr), rotated to FILE.1 above --log-max\n"
		"  --log-max BYTES   size at which --log-file is rotated (default %llu)\n"
		"  --control-dir DIR where to create the control socket that `ttt show` asks\n"
		"                    (default $TTT_RUN_DIR/sock, TTT_RUN_DIR=/run/tinytaptunnel;\n"
		"                    \"none\": no control socket)\n"
		"  --name NAME       the control socket's name: DIR/NAME.sock (default\n"
		"                    worker-<pid>)\n"
		"  -v, --verbose     log more (debug)\n"
		"  -q, --quiet       log less (-q warnings, -qq errors only)\n"
		"  -h, --help        print this help\n"
		"  -V, --version     print the version\n"
		"\n"
		"Signals: SIGUSR1 prints the counters; SIGTERM, SIGINT and SIGHUP stop it.\n",
		prog, prog, TTT_MTU_MIN, TTT_MTU_MAX, TTT_MTU_DEFAULT, TTT_MTU_DEFAULT,
		TTT_LOG_MAX_DEFAULT);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v > max ? -1 : 0;
}

int ttt_check_mtu(double v, unsigned *mtu, struct ttt_err *err)
{
	if (!isfinite(v) || v != floor(v) || v < TTT_MTU_MIN || v > TTT_MTU_MAX)
		return ttt_err_set(err, "must be a whole number from %d to %d", TTT_MTU_MIN,
				   TTT_MTU_MAX);
	*mtu = (unsigned)v;
	return 0;
}

int ttt_check_window(double seconds, uint64_t *window_ns, struct ttt_err *err)
{
	if (!isfinite(seconds) || seconds <= 0 || seconds > TTT_WINDOW_MAX_SECONDS)
		return ttt_err_set(err, "must be a number of seconds above 0, up to %d",
				   TTT_WINDOW_MAX_SECONDS);
	*window_ns = (uint64_t)(seconds * (double)TTT_NSEC_PER_SEC + 0.5);
	return 0;
}

int ttt_check_keepalive(double v, unsigned *seconds, struct ttt_err *err)
{
	if (!isfinite(v) || v != floor(v) || v < 0 || v > TTT_KEEPALIVE_MAX_SECONDS)
		return ttt_err_set(err, "must be a whole number of seconds from 0 (off) to %d",
				   TTT_KEEPALIVE_MAX_SECONDS);
	*seconds = (unsigned)v;
	return 0;
}

int ttt_parse_keepalive(const char *s, unsigned *seconds, struct ttt_err *err)
{
	unsigned long v;

	if (parse_ulong(s, ULONG_MAX, &v) < 0)
		v = ULONG_MAX; /* not digits: refused by the range check below */
	if (ttt_check_keepalive(v > TTT_KEEPALIVE_MAX_SECONDS ? -1.0 : (double)v, seconds, err) < 0)
		return ttt_err_prefix(err, "keepalive '%s'", s);
	return 0;
}

int ttt_parse_mtu(const char *s, unsigned *mtu, struct ttt_err *err)
{
	unsigned long v;

	if (parse_ulong(s, ULONG_MAX, &v) < 0)
		v = 0; /* not digits: refused by the range check below */
	if (ttt_check_mtu(v > TTT_MTU_MAX ? (double)TTT_MTU_MAX + 1 : (double)v, mtu, err) < 0)
		return ttt_err_prefix(err, "MTU '%s'", s);
	return 0;
}

int ttt_parse_window(const char *s, uint64_t *window_ns, struct ttt_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno)
		v = 0; /* not a number: refused by the range check below */
	if (ttt_check_window(v, window_ns, err) < 0)
		return ttt_err_prefix(err, "window '%s'", s);
	return 0;
}

int ttt_parse_fd(const char *s, int *fd, struct ttt_err *err)
{
	unsigned long v;

	if (parse_ulong(s, INT_MAX, &v) < 0)
		return ttt_err_set(err, "descriptor '%s' is not a number", s);
	*fd = (int)v;
	return 0;
}

int ttt_parse_bytes(const char *s, unsigned long long *bytes, struct ttt_err *err)
{
	unsigned long v;

	if (parse_ulong(s, ULONG_MAX, &v) < 0 || v < 4096)
		return ttt_err_set(err, "size '%s' is not a number of bytes of at least 4096", s);
	*bytes = v;
	return 0;
}

enum { OPT_IFNAME = 256, OPT_MTU, OPT_WINDOW, OPT_TAP_FD, OPT_SOCKET_FD, OPT_READY_FD,
       OPT_NO_OFFLOAD, OPT_SUPERVISE, OPT_LINK, OPT_DERIVE_KEY, OPT_REPLAY_STATE,
       OPT_LOG_FILE, OPT_LOG_MAX, OPT_CONTROL_DIR, OPT_NAME, OPT_KEEPALIVE };

static const struct option long_options[] = {
	{ "ifname", required_argument, NULL, OPT_IFNAME },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "keepalive", required_argument, NULL, OPT_KEEPALIVE },
	{ "tap-fd", required_argument, NULL, OPT_TAP_FD },
	{ "socket-fd", required_argument, NULL, OPT_SOCKET_FD },
	{ "ready-fd", required_argument, NULL, OPT_READY_FD },
	{ "no-offload", no_argument, NULL, OPT_NO_OFFLOAD },
	{ "supervise", no_argument, NULL, OPT_SUPERVISE },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "derive-key", required_argument, NULL, OPT_DERIVE_KEY },
	{ "replay-state", required_argument, NULL, OPT_REPLAY_STATE },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "log-max", required_argument, NULL, OPT_LOG_MAX },
	{ "control-dir", required_argument, NULL, OPT_CONTROL_DIR },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void defaults(struct ttt_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mtu = TTT_MTU_DEFAULT;
	o->window_ns = TTT_WINDOW_DEFAULT_NS;
	o->log_level = TTT_LOG_INFO;
	o->tap_fd = -1;
	o->sock_fd = -1;
	o->ready_fd = -1;
	o->replay_fd = -1;
	o->log_max = TTT_LOG_MAX_DEFAULT;
	o->control_fd = -1;
}

/* A path option's value: not empty. */
static int take_path(const char *arg, const char *what, const char **out, struct ttt_err *err)
{
	if (!*arg)
		return ttt_err_set(err, "the %s path is empty", what);
	*out = arg;
	return 1;
}

/* The control socket's options (--control-dir, --name); 1 to go on, -1 on
 * error. */
static int take_control(int c, const char *arg, struct ttt_options *o, struct ttt_err *err)
{
	if (c == OPT_CONTROL_DIR) {
		if (arg[0] != '/' && strcmp(arg, "none") != 0)
			return ttt_err_set(err, "--control-dir '%s' is not an absolute path or "
						"\"none\"", arg);
		o->control_dir = arg;
		return 1;
	}
	if (!ttt_control_name_valid(arg))
		return ttt_err_set(err, "--name '%s': 1 to %d letters, digits or '_.:@-', "
					"not starting with '.'", arg, TTT_CONTROL_NAME_MAX);
	o->name = arg;
	return 1;
}

/* One option; returns 1 to go on, 0 when done (help/version), -1 on error. */
static int take_option(int c, const char *arg, struct ttt_options *o, struct ttt_err *err)
{
	if (c == OPT_CONTROL_DIR || c == OPT_NAME)
		return take_control(c, arg, o, err);
	switch (c) {
	case OPT_IFNAME:
		if (!ttt_ifname_valid(arg))
			return ttt_err_set(err, "'%s' is not a valid interface name", arg);
		o->ifname = arg;
		return 1;
	case OPT_MTU:
		o->mtu_given = true;
		return ttt_parse_mtu(arg, &o->mtu, err) < 0 ? -1 : 1;
	case OPT_KEEPALIVE:
		return ttt_parse_keepalive(arg, &o->keepalive, err) < 0 ? -1 : 1;
	case OPT_WINDOW:
		return ttt_parse_window(arg, &o->window_ns, err) < 0 ? -1 : 1;
	case OPT_TAP_FD:
		return ttt_parse_fd(arg, &o->tap_fd, err) < 0 ? -1 : 1;
	case OPT_SOCKET_FD:
		return ttt_parse_fd(arg, &o->sock_fd, err) < 0 ? -1 : 1;
	case OPT_READY_FD:
		return ttt_parse_fd(arg, &o->ready_fd, err) < 0 ? -1 : 1;
	case OPT_NO_OFFLOAD:
		o->no_offload = true;
		return 1;
	case OPT_SUPERVISE:
		o->supervise = true;
		return 1;
	case OPT_LINK:
	case OPT_DERIVE_KEY:
		if (!ttt_link_id_valid(arg))
			return ttt_err_set(err, "link '%.64s' is not 1-%d printable characters without "
						"spaces", arg, TTT_LINK_ID_MAX);
		*(c == OPT_LINK ? &o->link : &o->derive_key) = arg;
		return 1;
	case OPT_REPLAY_STATE:
		return take_path(arg, "--replay-state", &o->replay_state, err);
	case OPT_LOG_FILE:
		return take_path(arg, "--log-file", &o->log_file, err);
	case OPT_LOG_MAX:
		return ttt_parse_bytes(arg, &o->log_max, err) < 0 ? -1 : 1;
	case 'v':
		o->log_level = TTT_LOG_DEBUG;
		return 1;
	case 'q':
		o->log_level = o->log_level > TTT_LOG_WARN ? TTT_LOG_WARN : TTT_LOG_ERROR;
		return 1;
	case 'h':
		ttt_options_usage(stdout, "ttt-worker");
		return 0;
	case 'V':
		printf("ttt-worker %s\n", TTT_VERSION);
		return 0;
	default:
		return ttt_err_set(err, "unknown option (see --help)");
	}
}

/* --derive-key <link> <network key file> <new key file> */
static enum ttt_options_result take_derive(int n, char **args, struct ttt_options *o,
					   struct ttt_err *err)
{
	if (n != 2) {
		ttt_err_set(err, "--derive-key expects <network key file> <new key file>, got %d "
				 "argument%s (see --help)", n, n == 1 ? "" : "s");
		return TTT_OPTIONS_ERROR;
	}
	o->keyfile = args[0];
	o->local = args[1]; /* the new key file */
	if (!*o->keyfile || !*o->local) {
		ttt_err_set(err, "a key file path is empty");
		return TTT_OPTIONS_ERROR;
	}
	return TTT_OPTIONS_RUN;
}

static enum ttt_options_result take_positional(int n, char **args, struct ttt_options *o,
					       struct ttt_err *err)
{
	if (o->derive_key)
		return take_derive(n, args, o, err);
	if (n < 2 || n > 3) {
		ttt_err_set(err, "expected <key file> <local address> [peer address], got %d "
				 "argument%s (see --help)", n, n == 1 ? "" : "s");
		return TTT_OPTIONS_ERROR;
	}
	o->keyfile = args[0];
	o->local = args[1];
	o->peer = n == 3 ? args[2] : NULL;
	if (!*o->keyfile) {
		ttt_err_set(err, "the key file path is empty");
		return TTT_OPTIONS_ERROR;
	}
	if (o->ifname && o->tap_fd >= 0) {
		ttt_err_set(err, "--ifname cannot be used with --tap-fd");
		return TTT_OPTIONS_ERROR;
	}
	return TTT_OPTIONS_RUN;
}

enum ttt_options_result ttt_options_parse(int argc, char **argv, struct ttt_options *o,
					  struct ttt_err *err)
{
	int c;

	defaults(o);
	if (argc <= 1)
		return TTT_OPTIONS_USAGE;
	optind = 0; /* full reinitialisation of getopt's state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vqhV", long_options, NULL)) != -1) {
		int r;
		if (c == '?' || c == ':') {
			ttt_err_set(err, "%s '%s' (see --help)",
				    c == ':' ? "missing value for option" : "unknown option",
				    argv[optind - 1]);
			return TTT_OPTIONS_ERROR;
		}
		r = take_option(c, optarg, o, err);
		if (r <= 0)
			return r == 0 ? TTT_OPTIONS_DONE : TTT_OPTIONS_ERROR;
	}
	return take_positional(argc - optind, argv + optind, o, err);
}

/* Appends "--name" and, unless NULL, its value. */
static void put_opt(struct ttt_argv *a, int *k, const char *name, const char *value)
{
	a->v[(*k)++] = (char *)name;
	if (value)
		a->v[(*k)++] = (char *)value;
}

/* Appends "--name N" with N in a->num[*slot]. */
static void put_num(struct ttt_argv *a, int *k, int *slot, const char *name, unsigned long long v)
{
	snprintf(a->num[*slot], sizeof(a->num[*slot]), "%llu", v);
	put_opt(a, k, name, a->num[(*slot)++]);
}


static void put_control(struct ttt_argv *a, int *k, const struct ttt_options *o)
{
	if (o->control_dir)
		put_opt(a, k, "--control-dir", o->control_dir);
	if (o->name)
		put_opt(a, k, "--name", o->name);
}

void ttt_options_to_argv(const struct ttt_options *o, const char *prog, struct ttt_argv *out)
{
	int k = 0, slot = 0;

	memset(out, 0, sizeof(*out));
	out->v[k++] = (char *)prog;
	if (o->supervise)
		put_opt(out, &k, "--supervise", NULL);
	if (o->no_offload)
		put_opt(out, &k, "--no-offload", NULL);
	if (o->ifname)
		put_opt(out, &k, "--ifname", o->ifname);
	if (o->tap_fd >= 0)
		put_num(out, &k, &slot, "--tap-fd", (unsigned long long)o->tap_fd);
	if (o->sock_fd >= 0)
		put_num(out, &k, &slot, "--socket-fd", (unsigned long long)o->sock_fd);
	if (o->ready_fd >= 0)
		put_num(out, &k, &slot, "--ready-fd", (unsigned long long)o->ready_fd);
	if (o->link)
		put_opt(out, &k, "--link", o->link);
	if (o->replay_state)
		put_opt(out, &k, "--replay-state", o->replay_state);
	if (o->log_file)
		put_opt(out, &k, "--log-file", o->log_file);
	if (o->log_max != TTT_LOG_MAX_DEFAULT)
		put_num(out, &k, &slot, "--log-max", o->log_max);
	put_control(out, &k, o);
	if (o->mtu_given)
		put_num(out, &k, &slot, "--mtu", o->mtu);
	if (o->keepalive)
		put_num(out, &k, &slot, "--keepalive", o->keepalive);
	snprintf(out->num[slot], sizeof(out->num[slot]), "%llu.%09llu",
		 (unsigned long long)(o->window_ns / TTT_NSEC_PER_SEC),
		 (unsigned long long)(o->window_ns % TTT_NSEC_PER_SEC));
	put_opt(out, &k, "--window", out->num[slot++]);
	if (o->log_level != TTT_LOG_INFO)
		put_opt(out, &k, o->log_level == TTT_LOG_DEBUG ? "-v"
				 : o->log_level == TTT_LOG_WARN ? "-q"
								 : "-qq",
			NULL);
	out->v[k++] = (char *)"--";
	out->v[k++] = (char *)o->keyfile;
	out->v[k++] = (char *)o->local;
	if (o->peer)
		out->v[k++] = (char *)o->peer;
	out->v[k] = NULL;
}
