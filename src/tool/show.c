/* SPDX-License-Identifier: MIT */
/* show.c - `ttt show`: every tunnel of the node, for people */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "tool.h"
#include "ttt/util/clock.h"

/* Record fields shown in their own words (or internal); others are listed
 * as they are, so fields added to the record later still show. */
static const char *const known_fields[] = {
	"containerID", "ifname", "netns", "ready", "tempName", "ipamStarted",
	"workerPid", "workerStart", "mac", "podNamespace", "podName", "moved", "ifindex",
	"listen", "peer", "link", NULL,
};

/* s with control characters as '?' (names come from files and workers). */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void field(FILE *out, const char *label, const char *value)
{
	fprintf(out, "  %s: ", label);
	put_clean(out, value);
	fputc('\n', out);
}

void format_duration(uint64_t ns, char *out, size_t len)
{
	static const struct { const char *name; uint64_t secs; } units[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 }, { "second", 1 },
	};
	uint64_t s = ns / TTT_NSEC_PER_SEC;
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < 4 && used < len; i++) {
		uint64_t n = s / units[i].secs;
		int k;
		if (n == 0 && !(i == 3 && used == 0))
			continue;
		s %= units[i].secs;
		k = snprintf(out + used, len - used, "%s%" PRIu64 " %s%s", used ? ", " : "", n,
			     units[i].name, n == 1 ? "" : "s");
		if (k < 0)
			return;
		used += (size_t)k;
	}
}

static void format_bytes(uint64_t b, char *out, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	int u = -1;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%" PRIu64 " B", b);
	else
		snprintf(out, len, "%.2f %s", v, units[u]);
}

static void show_record(FILE *out, const struct tunnel *t)
{
	const char *netns = tunnel_rec(t, "netns");
	char pod[600], iface[PATH_MAX + 64];
	const cJSON *ready = cJSON_GetObjectItemCaseSensitive(t->record, "ready");

	field(out, "network", t->network);
	field(out, "container", tunnel_rec(t, "containerID"));
	if (tunnel_pod(t, pod, sizeof(pod))[0])
		field(out, "pod", pod);
	snprintf(iface, sizeof(iface), "%s%s%s", tunnel_rec(t, "ifname"), netns[0] ? " in " : "",
		 netns);
	field(out, "interface", iface);
	if (cJSON_GetObjectItemCaseSensitive(t->record, "link"))
		field(out, "link", tunnel_rec(t, "link")[0] ? tunnel_rec(t, "link")
							     : "none (the key file's key as is)");
	if (!cJSON_IsTrue(ready))
		field(out, "attachment", "not complete (ADD under way, or interrupted)");
}

/* What the plugin chose for a worker that does not answer: the listen
 * address (a port taken from a range) and the peer, from the record. */
static void show_chosen(FILE *out, const struct tunnel *t)
{
	if (tunnel_rec(t, "listen")[0])
		field(out, "listen", tunnel_rec(t, "listen"));
	if (tunnel_rec(t, "peer")[0])
		field(out, "peer", tunnel_rec(t, "peer"));
}

/* The record's other fields, as they are. */
static void show_extra(FILE *out, const struct tunnel *t)
{
	const cJSON *f;
	char num[32];

	cJSON_ArrayForEach(f, t->record) {
		size_t i = 0;
		while (known_fields[i] && strcmp(known_fields[i], f->string) != 0)
			i++;
		if (known_fields[i])
			continue;
		if (cJSON_IsString(f))
			field(out, f->string, f->valuestring);
		else if (cJSON_IsNumber(f) && snprintf(num, sizeof(num), "%.17g", f->valuedouble) > 0)
			field(out, f->string, num);
		else if (cJSON_IsBool(f))
			field(out, f->string, cJSON_IsTrue(f) ? "true" : "false");
	}
}

static void show_times(FILE *out, const struct tunnel *t, uint64_t now)
{
	uint64_t started = tunnel_num(t, "started_ns"), last = tunnel_num(t, "last_rx_ns");
	char d[96], line[160];

	format_duration(now > started ? now - started : 0, d, sizeof(d));
	snprintf(line, sizeof(line), "%s; restarts: %" PRIu64, d, tunnel_num(t, "restarts"));
	field(out, "uptime", line);
	if (!last) {
		field(out, "latest authenticated datagram", "none yet");
		return;
	}
	format_duration(now > last ? now - last : 0, d, sizeof(d));
	snprintf(line, sizeof(line), "%s ago", d);
	field(out, "latest authenticated datagram", line);
}

static void show_counters(FILE *out, const struct tunnel *t)
{
	char rx[32], tx[32], line[200];
	size_t used = 0;

	format_bytes(tunnel_num(t, "rx_bytes"), rx, sizeof(rx));
	format_bytes(tunnel_num(t, "tx_bytes"), tx, sizeof(tx));
	snprintf(line, sizeof(line), "%s received (%" PRIu64 " frames), %s sent (%" PRIu64 " frames)",
		 rx, tunnel_num(t, "rx_frames"), tx, tunnel_num(t, "tx_frames"));
	field(out, "transfer", line);
	for (size_t i = 0; i < t->reply.n; i++) {
		const struct ttt_control_kv *kv = &t->reply.kv[i];
		if (!tunnel_is_drop(kv->key) || strcmp(kv->value, "0") == 0)
			continue;
		fprintf(out, used++ ? ", %s %s" : "  drops: %s %s", kv->key, kv->value);
	}
	if (used)
		fputc('\n', out);
	if (tunnel_num(t, "rx_peer_changes"))
		field(out, "peer changes", tunnel_get(t, "rx_peer_changes"));
	if (tunnel_num(t, "tx_keepalive") || tunnel_num(t, "rx_keepalive")) {
		snprintf(line, sizeof(line), "%" PRIu64 " sent, %" PRIu64 " received",
			 tunnel_num(t, "tx_keepalive"), tunnel_num(t, "rx_keepalive"));
		field(out, "keepalives", line);
	}
	if (tunnel_num(t, "tx_gso_refused")) {
		snprintf(line, sizeof(line), "smaller than our datagrams: %" PRIu64 " GSO runs refused, "
			 "%" PRIu64 " TCP superframes cut to fit", tunnel_num(t, "tx_gso_refused"),
			 tunnel_num(t, "tx_resegmented"));
		field(out, "path MTU", line);
	}
}

static void show_worker(FILE *out, const struct tunnel *t, uint64_t now)
{
	const char *peer = tunnel_get(t, "peer"), *mode = tunnel_get(t, "peer_mode");
	const char *log = tunnel_get(t, "log"), *sup = tunnel_get(t, "supervisor_pid");
	char line[160];

	if (!t->record)
		field(out, "interface", tunnel_get(t, "interface") ? tunnel_get(t, "interface") : "?");
	field(out, "listen", tunnel_get(t, "listen") ? tunnel_get(t, "listen") : "?");
	if (!peer)
		field(out, "peer", "none yet (learnt from the first authenticated datagram)");
	else {
		snprintf(line, sizeof(line), "%s%s", peer,
			 mode && strcmp(mode, "learnt") == 0 ? " (learnt)" : "");
		field(out, "peer", line);
	}
	show_times(out, t, now);
	show_counters(out, t);
	if (log)
		field(out, "log", log);
	snprintf(line, sizeof(line), "%s%s%s%s", tunnel_get(t, "pid") ? tunnel_get(t, "pid") : "?",
		 sup ? " (supervisor " : "", sup ? sup : "", sup ? ")" : "");
	field(out, "pid", line);
}

void show_text(FILE *out, const struct tunnels *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		const struct tunnel *t = &ts->v[i];
		if (i)
			fputc('\n', out);
		fputs("tunnel: ", out);
		put_clean(out, t->name[0] ? t->name : "(unnamed)");
		fputc('\n', out);
		if (t->record)
			show_record(out, t);
		if (t->answered) {
			show_worker(out, t, ts->now_ns);
		} else {
			if (t->record)
				show_chosen(out, t);
			field(out, "worker", t->error);
		}
		if (t->record)
			show_extra(out, t);
	}
}

static void show_usage(FILE *out)
{
	fprintf(out,
		"Usage: " TOOL_NAME " show [-d DIR] [--json | --prometheus | --gone [--json]]\n"
		"\n"
		"Every tunnel on this node: CNI attachments (network, container, pod, interface,\n"
		"link identity) and standalone workers alike, each asked through its control socket in DIR/sock:\n"
		"listen and peer address, uptime and restarts, the latest authenticated datagram,\n"
		"frames and bytes each way, and every drop counter that is not zero.\n"
		"\n"
		"  -d, --dir DIR   the run directory (default $TTT_RUN_DIR, else "
		TTT_RUN_DIR_DEFAULT ";\n"
		"                  a CNI network's stateDir)\n"
		"  --json          the same as JSON, every counter included\n"
		"  --prometheus    the same in Prometheus' text format (as `" TOOL_NAME " metrics`)\n"
		"  --gone          the kept logs of removed attachments, newest last\n");
}

enum show_mode { SHOW_TEXT, SHOW_JSON, SHOW_PROMETHEUS };

/* Parses show's options: 1 run, 0 help printed, -1 bad usage. */
static int show_options(int argc, char **argv, const char **dir, enum show_mode *mode,
			bool *gone)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' }, { "gone", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			*dir = optarg;
			break;
		case 'j':
			*mode = *mode == SHOW_TEXT ? SHOW_JSON : *mode;
			break;
		case 'p':
			*mode = SHOW_PROMETHEUS;
			break;
		case 'g':
			*gone = true;
			break;
		case 'h':
			show_usage(stdout);
			return 0;
		default:
			return tool_fail("show", "%s '%s' (see --help)",
					 c == ':' ? "missing value for" : "unknown option",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return tool_fail("show", "unexpected argument '%s' (see --help)", argv[optind]);
	if (*gone && *mode == SHOW_PROMETHEUS)
		return tool_fail("show", "--gone and --prometheus do not go together");
	return 1;
}

int cmd_show(int argc, char **argv)
{
	enum show_mode mode = SHOW_TEXT;
	const char *given = NULL, *dir;
	struct tunnels t;
	struct ttt_err err;
	bool gone = false;
	int r = show_options(argc, argv, &given, &mode, &gone), rc = 0;

	if (r <= 0)
		return r == 0 ? 0 : 2;
	dir = tool_dir(given);
	if (gone)
		return show_gone(stdout, dir, mode == SHOW_JSON) < 0 ? 1 : 0;
	if (tunnels_collect(dir, &t, &err) < 0) {
		tool_fail("show", "%s", err.msg);
		return 1;
	}
	if (mode == SHOW_JSON)
		rc = show_json(stdout, &t) < 0 ? 1 : 0;
	else if (mode == SHOW_PROMETHEUS)
		metrics_write(stdout, &t);
	else
		show_text(stdout, &t);
	tunnels_free(&t);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = -tool_fail("show", "cannot write the output");
	return rc;
}
