/* SPDX-License-Identifier: MIT */
/* status.c - a worker's answer on its control socket */
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ttt/version.h"

void ttt_status_fill(struct ttt_control_out *o, void *arg)
{
	const struct ttt_status_info *in = arg;
	struct ttt_tunnel_status st;
	char a[TTT_ADDRSTRLEN];

	ttt_tunnel_status(in->tunnel, &st);
	ttt_control_put(o, "protocol", "%d", TTT_CONTROL_PROTOCOL);
	ttt_control_put(o, "version", "%s", TTT_VERSION);
	ttt_control_put(o, "name", "%s", in->name);
	ttt_control_put(o, "pid", "%ld", (long)getpid());
	if (in->supervisor > 0)
		ttt_control_put(o, "supervisor_pid", "%ld", (long)in->supervisor);
	ttt_control_put(o, "interface", "%s", in->ifname);
	ttt_control_put(o, "mtu", "%u", in->mtu);
	ttt_control_put(o, "listen", "%s", ttt_sockaddr_str(in->local, a));
	ttt_control_put(o, "peer_mode", "%s", in->fixed_peer ? "fixed" : "learnt");
	if (st.have_peer)
		ttt_control_put(o, "peer", "%s", ttt_sockaddr_str(&st.peer, a));
	ttt_control_put(o, "offload", "%d", in->offload ? 1 : 0);
	ttt_control_put(o, "started_ns", "%" PRIu64, in->started_ns);
	ttt_control_put(o, "restarts", "%u", in->restarts);
	ttt_control_put(o, "last_rx_ns", "%" PRIu64, st.last_rx_ns);
	if (in->log[0])
		ttt_control_put(o, "log", "%s", in->log);
	for (size_t i = 0; i < st.n_counters; i++)
		ttt_control_put(o, st.counters[i].name, "%" PRIu64, st.counters[i].value);
}

void ttt_status_log_path(char *out, size_t len)
{
	struct stat st;
	ssize_t n;

	out[0] = '\0';
	if (fstat(STDERR_FILENO, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	n = readlink("/proc/self/fd/2", out, len - 1);
	out[n > 0 && out[0] == '/' ? n : 0] = '\0';
}
