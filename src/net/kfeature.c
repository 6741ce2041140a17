/* SPDX-License-Identifier: MIT */
/* kfeature.c - probing the kernel's UDP offloads */
#include "ttt/net/kfeature.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>

#include "ttt/util/log.h"

/* UDP_SEGMENT's getsockopt side came with the option itself (Linux 4.18);
 * before it, ENOPROTOOPT. */
bool ttt_kernel_udp_gso(int fd)
{
	socklen_t len;
	int v = 0;

	len = sizeof(v);
	return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &v, &len) == 0;
}

/* UDP_GRO's getsockopt side is younger (Linux 5.12) than the option: set it
 * instead, as udp.c does (setting it twice changes nothing). */
bool ttt_kernel_udp_gro(int fd)
{
	int on = 1;

	return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
}

bool ttt_kernel_udp_offloads(int fd)
{
	bool gso = ttt_kernel_udp_gso(fd);

	if (!gso)
		ttt_info("the kernel has no UDP segmentation offload (UDP_SEGMENT, Linux 4.18): "
			 "sending datagrams one by one");
	if (!ttt_kernel_udp_gro(fd))
		ttt_info("the kernel has no UDP receive offload (UDP_GRO, Linux 5.0): "
			 "receiving datagrams one by one");
	return gso;
}
