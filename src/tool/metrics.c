/* SPDX-License-Identifier: MIT */
/* metrics.c - the counters in Prometheus' text exposition format (0.0.4)
 *
 * One family at a time (HELP, TYPE, then a sample per tunnel), every sample
 * labelled tunnel (the control socket's name: unique on the node), network,
 * pod ("namespace/name") and interface, "" where unknown. Counter names map
 * to families: tx_frames -> tinytaptunnel_tx_frames_total, likewise bytes,
 * rx_peer_changes, the keepalives and the path MTU's (tx_gso_refused,
 * tx_resegmented); every other tx_X / rx_X (drops and errors) ->
 * tinytaptunnel_{tx,rx}_dropped_total{reason="X"}, zeros included so that
 * rate() has a series from the start. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"
#include "ttt/util/clock.h"

#define NS "tinytaptunnel_"

/* A label value, escaped as the format says (\\, \", \n). */
static void put_label(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* name{tunnel=...,network=...,pod=...,interface=...[,extra=...] */
static void labels(FILE *out, const char *metric, const struct tunnel *t)
{
	char pod[600];
	const char *iface = t->record ? tunnel_rec(t, "ifname") : tunnel_get(t, "interface");

	fprintf(out, NS "%s{", metric);
	put_label(out, "tunnel", t->name, true);
	put_label(out, "network", t->network, false);
	put_label(out, "pod", tunnel_pod(t, pod, sizeof(pod)), false);
	put_label(out, "interface", iface ? iface : "", false);
}

static void family(FILE *out, const char *metric, const char *type, const char *help)
{
	fprintf(out, "# HELP " NS "%s %s\n# TYPE " NS "%s %s\n", metric, help, metric, type);
}

static void sample(FILE *out, const char *metric, const struct tunnel *t, uint64_t v)
{
	labels(out, metric, t);
	fprintf(out, "} %" PRIu64 "\n", v);
}

/* UNIX seconds, with the nanoseconds. */
static void sample_time(FILE *out, const char *metric, const struct tunnel *t, uint64_t ns)
{
	labels(out, metric, t);
	fprintf(out, "} %" PRIu64 ".%09" PRIu64 "\n", ns / (uint64_t)TTT_NSEC_PER_SEC,
		ns % (uint64_t)TTT_NSEC_PER_SEC);
}

static void info(FILE *out, const struct tunnels *ts)
{
	family(out, "up", "gauge", "Whether the tunnel's worker answered on its control socket.");
	for (size_t i = 0; i < ts->n; i++)
		sample(out, "up", &ts->v[i], ts->v[i].answered);
	family(out, "info", "gauge",
	       "Always 1: what a tunnel is (container, link, listen and peer address).");
	for (size_t i = 0; i < ts->n; i++) {
		const struct tunnel *t = &ts->v[i];
		const char *listen = tunnel_listen(t), *peer = tunnel_get(t, "peer");
		labels(out, "info", t);
		put_label(out, "container", tunnel_rec(t, "containerID"), false);
		put_label(out, "link", tunnel_rec(t, "link"), false);
		put_label(out, "listen", listen ? listen : "", false);
		put_label(out, "peer", peer ? peer : "", false);
		fputs("} 1\n", out);
	}
}

static void times(FILE *out, const struct tunnels *ts)
{
	family(out, "start_time_seconds", "gauge", "When the tunnel started (UNIX time).");
	for (size_t i = 0; i < ts->n; i++)
		if (ts->v[i].answered)
			sample_time(out, "start_time_seconds", &ts->v[i],
				    tunnel_num(&ts->v[i], "started_ns"));
	family(out, "last_authenticated_time_seconds", "gauge",
	       "When the latest authentic datagram arrived (UNIX time; absent: none yet).");
	for (size_t i = 0; i < ts->n; i++)
		if (tunnel_num(&ts->v[i], "last_rx_ns"))
			sample_time(out, "last_authenticated_time_seconds", &ts->v[i],
				    tunnel_num(&ts->v[i], "last_rx_ns"));
	family(out, "restarts_total", "counter", "Restarts of the worker by its supervisor.");
	for (size_t i = 0; i < ts->n; i++)
		if (ts->v[i].answered)
			sample(out, "restarts_total", &ts->v[i], tunnel_num(&ts->v[i], "restarts"));
}

/* One plain counter family: key "tx_frames" -> tinytaptunnel_tx_frames_total. */
static void counter(FILE *out, const struct tunnels *ts, const char *key, const char *help)
{
	char metric[64];

	snprintf(metric, sizeof(metric), "%s_total", key);
	family(out, metric, "counter", help);
	for (size_t i = 0; i < ts->n; i++)
		if (tunnel_get(&ts->v[i], key))
			sample(out, metric, &ts->v[i], tunnel_num(&ts->v[i], key));
}

/* tinytaptunnel_<dir>_dropped_total{reason=...}: every drop counter of dir. */
static void drops(FILE *out, const struct tunnels *ts, const char *dir, const char *help)
{
	char metric[32];

	snprintf(metric, sizeof(metric), "%s_dropped_total", dir);
	family(out, metric, "counter", help);
	for (size_t i = 0; i < ts->n; i++) {
		const struct tunnel *t = &ts->v[i];
		for (size_t k = 0; t->answered && k < t->reply.n; k++) {
			const char *key = t->reply.kv[k].key;
			if (!tunnel_is_drop(key) || strncmp(key, dir, 2) != 0)
				continue;
			labels(out, metric, t);
			put_label(out, "reason", key + 3, false);
			fprintf(out, "} %" PRIu64 "\n", tunnel_num(t, key));
		}
	}
}

void metrics_write(FILE *out, const struct tunnels *ts)
{
	info(out, ts);
	times(out, ts);
	counter(out, ts, "tx_frames", "Frames sent to the peer.");
	counter(out, ts, "tx_bytes", "Bytes of frames sent to the peer (Ethernet frames, without "
				     "tunnel headers).");
	counter(out, ts, "rx_frames", "Authentic frames received from the peer and delivered.");
	counter(out, ts, "rx_bytes", "Bytes of frames received from the peer and delivered.");
	counter(out, ts, "rx_peer_changes", "Times the peer was learnt or moved (discovery).");
	counter(out, ts, "tx_keepalive", "Keepalives sent (--keepalive).");
	counter(out, ts, "rx_keepalive", "Authentic keepalives received (never delivered).");
	counter(out, ts, "tx_gso_refused", "Runs of datagrams the path refused as one UDP GSO send "
					   "(then sent one by one, fragmented by the kernel).");
	counter(out, ts, "tx_resegmented", "TCP superframes cut into smaller segments to fit the "
					   "path MTU.");
	drops(out, ts, "tx", "Frames from the interface not sent, and failures, by reason.");
	drops(out, ts, "rx", "Datagrams from the network dropped, and failures, by reason.");
}

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Writes the metrics to path atomically: a temporary file beside it,
 * synced, then renamed over it (node_exporter reads only *.prom). */
static int write_textfile(const char *dir, const char *path)
{
	char tmp[PATH_MAX];
	struct tunnels t;
	struct ttt_err err;
	FILE *f;
	int fd, bad;

	if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof(tmp))
		return tool_fail("metrics", "%s: path too long", path);
	if (tunnels_collect(dir, &t, &err) < 0)
		return tool_fail("metrics", "%s", err.msg);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		tool_fail("metrics", "cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		tunnels_free(&t);
		return -1;
	}
	metrics_write(f, &t);
	tunnels_free(&t);
	bad = fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) < 0) {
		tool_fail("metrics", "cannot write %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* Sleeps for seconds, or until told to stop. */
static void pause_for(unsigned seconds)
{
	struct timespec ts = { .tv_sec = seconds, .tv_nsec = 0 };

	while (!stopping && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Every interval seconds until SIGTERM/SIGINT, which removes the file (a
 * node without this writer must not keep exporting old numbers). */
static int textfile_loop(const char *dir, const char *path, unsigned interval)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	if (interval && (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0))
		return 1;
	for (;;) {
		int rc = write_textfile(dir, path);
		if (!interval)
			return rc < 0 ? 1 : 0;
		pause_for(interval);
		if (stopping)
			break;
	}
	(void)unlink(path);
	return 0;
}

static void metrics_usage(FILE *out)
{
	fprintf(out,
		"Usage: " TOOL_NAME " metrics [-d DIR] [--textfile FILE [--interval SECONDS]]\n"
		"\n"
		"The counters of every tunnel on this node in Prometheus' text format, labelled\n"
		"tunnel, network, pod and interface: on standard output, or written atomically\n"
		"to FILE for node_exporter's textfile collector (FILE must end in .prom), again\n"
		"every SECONDS until SIGTERM, which removes FILE.\n"
		"\n"
		"  -d, --dir DIR        the run directory (as for `" TOOL_NAME " show`)\n"
		"  --textfile FILE      write FILE (temporary file beside it, then renamed)\n"
		"  --interval SECONDS   rewrite it every SECONDS (1-3600; default: once)\n");
}

static int parse_interval(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 1 || v > 3600)
		return tool_fail("metrics", "--interval '%s' is not a number of seconds from 1 "
					    "to 3600", s);
	*out = (unsigned)v;
	return 0;
}

struct metrics_opts {
	const char *dir, *textfile;
	unsigned interval;
};

/* 1 run, 0 help printed, -1 bad usage. */
static int metrics_options(int argc, char **argv, struct metrics_opts *m)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' }, { "textfile", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		if (c == 'h') {
			metrics_usage(stdout);
			return 0;
		}
		if (c == 'd')
			m->dir = optarg;
		else if (c == 't')
			m->textfile = optarg;
		else if (c == 'i' && parse_interval(optarg, &m->interval) < 0)
			return -1;
		else if (c == '?' || c == ':')
			return tool_fail("metrics", "%s '%s' (see --help)",
					 c == ':' ? "missing value for" : "unknown option",
					 argv[optind - 1]);
	}
	if (optind < argc)
		return tool_fail("metrics", "unexpected argument '%s' (see --help)", argv[optind]);
	if (m->interval && !m->textfile)
		return tool_fail("metrics", "--interval needs --textfile");
	if (m->textfile && (strlen(m->textfile) < 6 ||
			    strcmp(m->textfile + strlen(m->textfile) - 5, ".prom") != 0))
		return tool_fail("metrics", "--textfile '%s': node_exporter reads only files "
					    "ending in .prom", m->textfile);
	return 1;
}

int cmd_metrics(int argc, char **argv)
{
	struct metrics_opts m = { .dir = NULL, .textfile = NULL, .interval = 0 };
	struct tunnels t;
	struct ttt_err err;
	int r = metrics_options(argc, argv, &m);

	if (r <= 0)
		return r == 0 ? 0 : 2;
	if (m.textfile)
		return textfile_loop(tool_dir(m.dir), m.textfile, m.interval);
	if (tunnels_collect(tool_dir(m.dir), &t, &err) < 0) {
		tool_fail("metrics", "%s", err.msg);
		return 1;
	}
	metrics_write(stdout, &t);
	tunnels_free(&t);
	return fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
}
