/* SPDX-License-Identifier: MIT */
/* worker_main.c - ttt-worker: one tunnel between a tap and a UDP peer */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "replaystate.h"
#include "status.h"
#include "supervise.h"
#include "ttt/crypto/hmac.h"
#include "ttt/crypto/keyfile.h"
#include "ttt/crypto/linkkey.h"
#include "ttt/datapath/tunnel.h"
#include "ttt/net/addr.h"
#include "ttt/net/link.h"
#include "ttt/net/pmtu.h"
#include "ttt/net/tap.h"
#include "ttt/net/udp.h"
#include "ttt/util/clock.h"
#include "ttt/util/log.h"
#include "ttt/util/steptime.h"
#include "ttt/worker/options.h"

#define PROG "ttt-worker"

struct worker {
	struct ttt_options opt;
	int sock_fd, tap_fd, sig_fd;
	char ifname[IF_NAMESIZE];
	struct ttt_sockaddr local, peer;
	bool dual_stack, have_peer, offload;
	struct ttt_hmac *hmac;
	struct ttt_replay_state replay;
	uint64_t replay_floor;
	struct ttt_tunnel *tunnel;
	uint64_t started_ns;
	int control_fd;                       /* -1: no control socket */
	char control_path[TTT_CONTROL_PATH_MAX]; /* "": not ours to remove */
	char name[TTT_CONTROL_NAME_MAX + 1];
	char log[PATH_MAX];
	struct ttt_status_info status;
};

/* Binds (or adopts) the socket and resolves the peer for it. */
static int setup_socket(struct worker *w, struct ttt_err *err)
{
	struct ttt_endpoint local, peer;
	struct ttt_sockaddr want;
	char a[TTT_ADDRSTRLEN], b[TTT_ADDRSTRLEN];

	if (ttt_endpoint_parse(w->opt.local, &local, err) < 0)
		return ttt_err_prefix(err, "local address '%s'", w->opt.local);
	if (w->opt.peer && ttt_endpoint_parse(w->opt.peer, &peer, err) < 0)
		return ttt_err_prefix(err, "peer address '%s'", w->opt.peer);
	if (ttt_endpoint_resolve_local(&local, &want, err) < 0)
		return ttt_err_prefix(err, "local address '%s'", w->opt.local);
	if (w->opt.sock_fd >= 0) {
		if (ttt_udp_adopt(w->opt.sock_fd, &w->local, &w->dual_stack, err) < 0)
			return -1;
		w->sock_fd = w->opt.sock_fd;
		if (!ttt_sockaddr_equal(&want, &w->local))
			return ttt_err_set(err, "inherited socket is bound to %s, not %s",
					   ttt_sockaddr_str(&w->local, a), ttt_sockaddr_str(&want, b));
	} else {
		w->sock_fd = ttt_udp_open(&want, &w->local, &w->dual_stack, err);
		if (w->sock_fd < 0)
			return -1;
	}
	if (!w->opt.peer)
		return 0;
	if (ttt_endpoint_resolve_peer(&peer, &w->local, w->dual_stack, &w->peer, err) < 0)
		return ttt_err_prefix(err, "peer address '%s'", w->opt.peer);
	w->have_peer = true;
	return 0;
}

/* Without --mtu, the tap's MTU follows from the path (pmtu.h). */
static void choose_mtu(struct worker *w)
{
	struct ttt_pmtu_choice c;

	if (w->opt.mtu_given)
		return;
	ttt_pmtu_choose(&w->local, w->dual_stack, w->have_peer ? &w->peer : NULL, &c);
	w->opt.mtu = c.tap_mtu;
	if (c.found)
		ttt_info("MTU %u from the path (%s)", c.tap_mtu, c.how);
	else
		ttt_warn("cannot tell the path MTU (%s); using MTU %u", c.how, c.tap_mtu);
}

static int setup_key(struct worker *w, struct ttt_err *err)
{
	struct ttt_keyfile_info info = { .created = false, .mode = 0 };
	struct ttt_key *key = NULL;

	if (ttt_keyfile_load_or_create(w->opt.keyfile, &key, &info, err) < 0)
		return -1;
	if (info.created)
		ttt_info("generated a new key in %s (mode 0600)", w->opt.keyfile);
	else if (ttt_keyfile_mode_is_loose(info.mode))
		ttt_warn("key file %s is accessible by group or others (mode %04o); "
			 "chmod 600 it", w->opt.keyfile, (unsigned)info.mode);
	if (w->opt.link) {
		struct ttt_key *link = NULL;
		int rc = ttt_link_key_derive(key, w->opt.link, &link, err);
		ttt_key_free(key);
		if (rc < 0)
			return -1;
		key = link;
	}
	w->hmac = ttt_hmac_new(key->bytes, key->len);
	ttt_key_free(key);
	if (!w->hmac)
		return ttt_err_set(err, "out of secure memory for the key");
	return 0;
}

/* ns since the epoch as "2026-11-26T01:07:03.123Z". */
static const char *utc_str(uint64_t ns, char out[32])
{
	time_t secs = (time_t)(ns / TTT_NSEC_PER_SEC);
	struct tm tm;
	char day[24];

	if (!gmtime_r(&secs, &tm) || strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return "?";
	snprintf(out, 32, "%s.%03uZ", day, (unsigned)(ns % TTT_NSEC_PER_SEC / 1000000));
	return out;
}

/* Says once, at start, what the worker refuses and until when. */
static void log_floor(const struct worker *w, uint64_t now)
{
	char until[32];
	double ahead = ((double)w->replay_floor - (double)now) / 1e9;
	/* A supervisor's own page (a memfd: it takes seals, a state file does
	 * not) holds start + window for its first child: a cold start too. */
	bool cold = !w->replay.page || (w->opt.replay_fd >= 0 && w->opt.restarts == 0 &&
					fcntl(w->opt.replay_fd, F_GET_SEALS) >= 0);

	if (w->replay_floor <= now - w->opt.window_ns || w->replay_floor == 0)
		return; /* nothing a datagram inside the window could be refused for */
	if (cold)
		ttt_info("%s: datagrams stamped within the next %.1f s are refused (until %s), as "
			 "a predecessor may have accepted them", w->replay.page ? "a supervisor's "
			 "first worker without --replay-state" : "no --replay-state", ahead,
			 utc_str(w->replay_floor, until));
	else
		ttt_info("after a restart: refusing datagrams stamped up to %.3f s from now (until "
			 "%s), the last accepted before it", ahead, utc_str(w->replay_floor, until));
}

/* What a predecessor may have accepted: refused (see replaystate.h). */
static int setup_replay(struct worker *w, struct ttt_err *err)
{
	uint64_t now = ttt_realtime_ns();

	if (w->opt.replay_fd >= 0 && ttt_replay_state_adopt(&w->replay, w->opt.replay_fd, err) < 0)
		return -1;
	if (w->opt.replay_state && ttt_replay_state_open(&w->replay, w->opt.replay_state, err) < 0)
		return -1;
	w->replay_floor = w->replay.page ? ttt_replay_state_floor(&w->replay)
					 : now + w->opt.window_ns;
	log_floor(w, now);
	return 0;
}

static int setup_tap(struct worker *w, struct ttt_err *err)
{
	struct ttt_link_change chg = TTT_LINK_CHANGE_INIT;

	if (w->opt.tap_fd >= 0) {
		if (ttt_tap_adopt(w->opt.tap_fd, w->ifname, &w->offload, err) < 0)
			return -1;
		w->tap_fd = w->opt.tap_fd;
		return 0; /* the caller configured it, maybe in another namespace */
	}
	w->offload = !w->opt.no_offload;
	w->tap_fd = ttt_tap_open(w->opt.ifname, w->offload ? TTT_TAP_OFFLOAD : 0, w->ifname, err);
	if (w->tap_fd < 0)
		return -1;
	chg.mtu = w->opt.mtu;
	chg.up = true;
	return ttt_link_change(w->ifname, &chg, err);
}

static int setup_signals(struct worker *w, struct ttt_err *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	/* Blocked before any thread starts, so every thread inherits the mask. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return ttt_err_sys(err, errno, "cannot block signals");
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return ttt_err_sys(err, errno, "cannot ignore SIGPIPE");
	w->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (w->sig_fd < 0)
		return ttt_err_sys(err, errno, "cannot create a signalfd");
	return 0;
}

static int start_tunnel(struct worker *w, struct ttt_err *err)
{
	struct ttt_tunnel_config cfg = {
		.tap_fd = w->tap_fd,
		.sock_fd = w->sock_fd,
		.hmac = w->hmac,
		.mtu = w->opt.mtu,
		.window_ns = w->opt.window_ns,
		.keepalive_s = w->opt.keepalive,
		.peer = w->have_peer ? &w->peer : NULL,
		.replay_capacity = 0,
		.replay_floor = w->replay_floor,
		.replay_hwm = w->replay.page ? &w->replay.page->hwm : NULL,
		.offload = w->offload,
	};

	return ttt_tunnel_start(&cfg, &w->tunnel, err);
}

/* Network inputs are checked before the key file, so a bad address never
 * leaves a freshly generated key behind. */
static int start(struct worker *w, struct ttt_err *err)
{
	char a[TTT_ADDRSTRLEN], b[TTT_ADDRSTRLEN];

	if (setup_signals(w, err) < 0 || setup_socket(w, err) < 0)
		return -1;
	choose_mtu(w);
	if (setup_key(w, err) < 0 || setup_replay(w, err) < 0 || setup_tap(w, err) < 0 ||
	    start_tunnel(w, err) < 0)
		return -1;
	ttt_info("Created tunnel at interface %s with MTU %u", w->ifname, w->opt.mtu);
	ttt_info("listening on %s, %s %s", ttt_sockaddr_str(&w->local, a),
		 w->have_peer ? "peer" : "learning the peer from authenticated datagrams",
		 w->have_peer ? ttt_sockaddr_str(&w->peer, b) : "");
	return 0;
}

/* Tells whoever started us that the tunnel runs. */
static void signal_ready(struct worker *w)
{
	static const char msg[] = "ready\n";
	int fd = w->opt.ready_fd;

	if (fd < 0)
		return;
	if (write(fd, msg, sizeof(msg) - 1) != (ssize_t)sizeof(msg) - 1)
		ttt_warn("cannot report readiness on descriptor %d: %s", fd, strerror(errno));
	close(fd);
}

/* The supervisor's listening control socket (opt.control_fd, set by
 * supervise.c in its child), which stays its to remove. */
static void adopt_control(struct worker *w)
{
	int listening = 0;
	socklen_t len = sizeof(listening);

	snprintf(w->name, sizeof(w->name), "%s", w->opt.name ? w->opt.name : "");
	if (getsockopt(w->opt.control_fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    !listening) {
		ttt_warn("the supervisor's control socket (fd %d) is not listening: no control "
			 "socket", w->opt.control_fd);
		return;
	}
	w->control_fd = w->opt.control_fd;
	(void)fcntl(w->control_fd, F_SETFD, FD_CLOEXEC);
}

/* Our own control socket, or the supervisor's. A tunnel without one still
 * runs: the failure is logged. */
static void setup_control(struct worker *w)
{
	struct ttt_err err;

	if (w->opt.control_fd >= 0) {
		adopt_control(w);
		return;
	}
	w->control_fd = ttt_control_open(w->opt.control_dir, w->opt.name, w->name,
					 w->control_path, &err);
	if (w->control_fd < 0 && err.msg[0])
		ttt_warn("no control socket (ttt show will not list this tunnel): %s", err.msg);
}

static void setup_status(struct worker *w)
{
	struct ttt_status_info *s = &w->status;

	ttt_status_log_path(w->log, sizeof(w->log));
	s->name = w->name;
	s->ifname = w->ifname;
	s->mtu = w->opt.mtu;
	s->local = &w->local;
	s->fixed_peer = w->have_peer;
	s->offload = w->offload;
	s->started_ns = w->opt.since_ns ? w->opt.since_ns : w->started_ns;
	s->restarts = w->opt.restarts;
	s->supervisor = w->opt.since_ns ? getppid() : 0;
	s->log = w->log;
	s->tunnel = w->tunnel;
}

static void log_stats(struct worker *w, enum ttt_log_level level)
{
	char line[1400];

	ttt_tunnel_stats(w->tunnel, line, sizeof(line));
	ttt_log(level, "stats: %s", line);
}

/* Waits for a signal or a failing direction. Returns the exit status. */
static int run(struct worker *w)
{
	struct pollfd pfd[3] = {
		{ .fd = w->sig_fd, .events = POLLIN },
		{ .fd = ttt_tunnel_fail_fd(w->tunnel), .events = POLLIN },
		{ .fd = w->control_fd, .events = POLLIN },
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(pfd, w->control_fd >= 0 ? 3 : 2, -1) < 0 && errno != EINTR) {
			ttt_error("poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[1].revents)
			return 1;
		if (w->control_fd >= 0 && pfd[2].revents)
			ttt_control_serve(w->control_fd, ttt_status_fill, &w->status);
		if (!pfd[0].revents)
			continue;
		if (read(w->sig_fd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGUSR1) {
			log_stats(w, TTT_LOG_ALWAYS);
			continue;
		}
		ttt_info("stopping on signal %u", si.ssi_signo);
		return 0;
	}
}

static void teardown(struct worker *w)
{
	if (w->tunnel) {
		log_stats(w, TTT_LOG_INFO);
		ttt_tunnel_stop(w->tunnel);
	}
	if (w->tap_fd >= 0)
		close(w->tap_fd);
	if (w->sock_fd >= 0)
		close(w->sock_fd);
	if (w->sig_fd >= 0)
		close(w->sig_fd);
	if (w->control_fd >= 0)
		close(w->control_fd);
	if (w->control_path[0])
		(void)unlink(w->control_path);
	ttt_hmac_free(w->hmac); /* wipes the keyed state */
	ttt_replay_state_close(&w->replay);
}

/* --derive-key: the key file of one link, for its other end. */
static int derive_key(const struct ttt_options *o)
{
	struct ttt_err err;

	if (ttt_keyfile_derive(o->keyfile, o->derive_key, o->local, &err) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err.msg);
		return 1;
	}
	printf("wrote the key of link %s to %s (mode 0600)\n", o->derive_key, o->local);
	return 0;
}

/* --log-file: stderr goes to the file, which is rotated at --log-max. */
static int setup_log(const struct ttt_options *o)
{
	struct stat a, b;
	int fd;

	if (!o->log_file)
		return 0;
	fd = open(o->log_file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open log file %s: %s\n", PROG, o->log_file,
			strerror(errno));
		return -1;
	}
	if (fstat(fd, &a) < 0 || !S_ISREG(a.st_mode)) {
		fprintf(stderr, "%s: log file %s is not a regular file\n", PROG, o->log_file);
		close(fd);
		return -1;
	}
	if (fstat(STDERR_FILENO, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		(void)dup2(fd, STDERR_FILENO); /* already there when the plugin opened it */
	close(fd);
	return ttt_log_rotate_at(o->log_file, o->log_max);
}

/* The worker proper: standalone, or as the child of --supervise. */
static int run_worker(const struct ttt_options *o)
{
	struct worker w = { .opt = *o, .sock_fd = -1, .tap_fd = -1, .sig_fd = -1,
			    .replay = { -1, NULL }, .control_fd = -1 };
	struct ttt_err err = { .msg = "", .code = 0 };
	int status = 1;

	ttt_steptime("worker", "run");
	if (w.opt.ready_fd >= 0 && fcntl(w.opt.ready_fd, F_SETFD, FD_CLOEXEC) < 0) {
		fprintf(stderr, "%s: --ready-fd %d: %s\n", PROG, w.opt.ready_fd, strerror(errno));
		return 2;
	}
	w.started_ns = ttt_realtime_ns();
	if (start(&w, &err) < 0) {
		ttt_error("%s", err.msg);
	} else {
		setup_control(&w);
		setup_status(&w);
		ttt_steptime("worker", "ready");
		signal_ready(&w);
		status = run(&w);
	}
	teardown(&w);
	return status;
}

int main(int argc, char **argv)
{
	struct ttt_options opt;
	struct ttt_err err = { .msg = "", .code = 0 };

	ttt_steptime("worker", "main");
	switch (ttt_options_parse(argc, argv, &opt, &err)) {
	case TTT_OPTIONS_DONE:
		return 0;
	case TTT_OPTIONS_USAGE:
		ttt_options_usage(stderr, PROG);
		return 2;
	case TTT_OPTIONS_ERROR:
		fprintf(stderr, "%s: %s\n", PROG, err.msg);
		return 2;
	case TTT_OPTIONS_RUN:
		break;
	}
	if (opt.derive_key)
		return derive_key(&opt);
	ttt_log_init(PROG, opt.log_level);
	if (setup_log(&opt) < 0)
		return 2;
	if (opt.supervise)
		return ttt_supervise(&opt, run_worker);
	return run_worker(&opt);
}
