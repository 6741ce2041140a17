/* SPDX-License-Identifier: MIT */
/* supervise.h - ttt-worker --supervise: keep a worker running
 *
 * The supervisor runs the worker as its child (a fork of itself running
 * the worker, as without --supervise) and restarts it when it dies of a signal - a crash, or
 * kill -9 - at most TTT_SUPERVISE_BURST times in TTT_SUPERVISE_PERIOD_S
 * seconds. It holds the inherited tap and socket descriptors meanwhile, so
 * a tap handed over by the CNI plugin, and the addresses on it, outlive the
 * crash. A child that exits (stopped, or failed for good: its tap gone) is
 * not restarted: the supervisor exits with its status. SIGTERM, SIGINT and
 * SIGHUP stop both; SIGUSR1 is passed on. Readiness (--ready-fd) is passed
 * on once, when the first child reports it. */
#ifndef TTT_SUPERVISE_H
#define TTT_SUPERVISE_H

#include "ttt/worker/options.h"

#define TTT_SUPERVISE_BURST 10
#define TTT_SUPERVISE_PERIOD_S 60
#define TTT_SUPERVISE_DELAY_MS 100

/* o is the supervisor's own command line (with --supervise); each child
 * exits with run(o'), o' the same options but for --supervise, --ready-fd
 * (a pipe to the supervisor), the control socket and the replay state
 * (the supervisor's file or memfd), set in o' directly: the child is a
 * fork, and none of these has a command line option. Returns the exit
 * status. */
int ttt_supervise(const struct ttt_options *o, int (*run)(const struct ttt_options *o));

#endif
