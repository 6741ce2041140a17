/* SPDX-License-Identifier: MIT */
/* status.h - what a worker answers on its control socket (control.h) */
#ifndef TTT_STATUS_H
#define TTT_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ttt/datapath/tunnel.h"
#include "ttt/net/addr.h"
#include "ttt/worker/control.h"

struct ttt_status_info {
	const char *name;   /* the control socket's name */
	const char *ifname; /* the tap, as named in its namespace */
	unsigned mtu;
	const struct ttt_sockaddr *local;
	bool fixed_peer; /* false: the peer is learnt (discovery) */
	bool offload;
	uint64_t started_ns; /* UNIX ns the tunnel started (its supervisor, if any) */
	unsigned restarts;   /* by the supervisor */
	pid_t supervisor;    /* 0: none */
	const char *log;     /* the log file (our stderr); "" when it is not a file */
	const struct ttt_tunnel *tunnel;
};

/* Writes the reply to a get: the fields above, the peer, the time of the
 * latest authentic datagram and every counter (a ttt_control_serve fill
 * function; arg is a struct ttt_status_info). */
void ttt_status_fill(struct ttt_control_out *o, void *arg);

/* Our stderr's path when it is a regular file, else "" (len > 0). */
void ttt_status_log_path(char *out, size_t len);

#endif
