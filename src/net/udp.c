/* SPDX-License-Identifier: MIT */
/* udp.c - opening or adopting the UDP socket */
#include "ttt/net/udp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

/* Lets the kernel hand over many same-size datagrams from one sender in a
 * single receive (a UDP_GRO control message gives their size). */
static void enable_gro(int fd)
{
	int on = 1;

	(void)setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)); /* best effort */
}

int ttt_udp_recv(int fd, struct mmsghdr *msgs, unsigned n)
{
	return recvmmsg(fd, msgs, n, MSG_DONTWAIT, NULL);
}

size_t ttt_udp_gro_size(const struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		int v;
		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO)
			continue;
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		return v > 0 ? (size_t)v : 0;
	}
	return 0;
}

int ttt_udp_send(int fd, struct mmsghdr *msgs, unsigned n)
{
	return sendmmsg(fd, msgs, n, MSG_DONTWAIT);
}

int ttt_udp_send_one(int fd, const void *buf, size_t len, const struct ttt_sockaddr *to)
{
	return sendto(fd, buf, len, MSG_DONTWAIT, &to->u.sa, to->len) < 0 ? -1 : 0;
}

void ttt_udp_set_segment(struct msghdr *m, void *ctl, uint16_t seg)
{
	struct cmsghdr *c = ctl;

	m->msg_control = ctl;
	m->msg_controllen = CMSG_SPACE(sizeof(seg));
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
}

void ttt_udp_grow_buffers(int fd, int bytes)
{
	/* The *FORCE variants ignore net.core.[rw]mem_max but need CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

static bool is_v6_any(const struct ttt_sockaddr *a)
{
	return a->u.sa.sa_family == AF_INET6 &&
	       memcmp(&a->u.in6.sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0;
}

static int bind_one(const struct ttt_sockaddr *local, bool dual, struct ttt_err *err)
{
	char name[TTT_ADDRSTRLEN];
	int off = 0, fd;

	fd = socket(local->u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot create a UDP socket for %s",
				   ttt_sockaddr_str(local, name));
	if (dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0) {
		ttt_err_sys(err, errno, "cannot make %s dual-stack", ttt_sockaddr_str(local, name));
		close(fd);
		return -1;
	}
	if (bind(fd, &local->u.sa, local->len) < 0) {
		ttt_err_sys(err, errno, "cannot listen on %s", ttt_sockaddr_str(local, name));
		close(fd);
		return -1;
	}
	return fd;
}

int ttt_udp_open(const struct ttt_sockaddr *local, struct ttt_sockaddr *bound,
		 bool *dual_stack, struct ttt_err *err)
{
	bool dual = is_v6_any(local);
	struct ttt_sockaddr v4any;
	int fd;

	fd = bind_one(local, dual, err);
	if (fd < 0 && dual && err->code == EAFNOSUPPORT) {
		memset(&v4any, 0, sizeof(v4any));
		v4any.u.in.sin_family = AF_INET;
		v4any.u.in.sin_port = local->u.in6.sin6_port;
		v4any.len = sizeof(v4any.u.in);
		fd = bind_one(&v4any, false, err);
		local = &v4any;
		dual = false;
	}
	if (fd < 0)
		return -1;
	ttt_udp_grow_buffers(fd, TTT_UDP_BUFFER_BYTES);
	enable_gro(fd);
	*bound = *local;
	*dual_stack = dual;
	return fd;
}

static int sock_int(int fd, int level, int name, int *value)
{
	socklen_t len = sizeof(*value);

	return getsockopt(fd, level, name, value, &len);
}

int ttt_udp_adopt(int fd, struct ttt_sockaddr *bound, bool *dual_stack, struct ttt_err *err)
{
	int type = 0, v6only = 1;
	socklen_t len = sizeof(bound->u);

	if (fcntl(fd, F_GETFD) < 0)
		return ttt_err_sys(err, errno, "inherited socket descriptor %d", fd);
	if (sock_int(fd, SOL_SOCKET, SO_TYPE, &type) < 0)
		return ttt_err_sys(err, errno, "inherited descriptor %d is not a socket", fd);
	memset(bound, 0, sizeof(*bound));
	if (type != SOCK_DGRAM || getsockname(fd, &bound->u.sa, &len) < 0 ||
	    (bound->u.sa.sa_family != AF_INET && bound->u.sa.sa_family != AF_INET6))
		return ttt_err_set(err, "inherited descriptor %d is not a UDP socket", fd);
	bound->len = len;
	if ((bound->u.sa.sa_family == AF_INET && bound->u.in.sin_port == 0) ||
	    (bound->u.sa.sa_family == AF_INET6 && bound->u.in6.sin6_port == 0))
		return ttt_err_set(err, "inherited socket %d is not bound to a port", fd);
	if (bound->u.sa.sa_family == AF_INET6 && sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only) < 0)
		return ttt_err_sys(err, errno, "inherited socket %d", fd);
	*dual_stack = bound->u.sa.sa_family == AF_INET6 && !v6only;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return ttt_err_sys(err, errno, "inherited socket %d", fd);
	ttt_udp_grow_buffers(fd, TTT_UDP_BUFFER_BYTES);
	enable_gro(fd);
	return 0;
}
