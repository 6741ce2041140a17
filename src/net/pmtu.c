/* SPDX-License-Identifier: MIT */
/* pmtu.c - the underlay's MTU, from the route or the interface */
#include "ttt/net/pmtu.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ttt/proto.h"

static bool is_mapped(const struct ttt_sockaddr *a)
{
	return a->u.sa.sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->u.in6.sin6_addr);
}

unsigned ttt_pmtu_overhead(const struct ttt_sockaddr *to)
{
	return to->u.sa.sa_family == AF_INET6 && !is_mapped(to) ? TTT_UDP6_OVERHEAD
								 : TTT_UDP4_OVERHEAD;
}

/* An IPv4-mapped address as plain IPv4 (a probe socket of its own family). */
static void unmap(const struct ttt_sockaddr *in, struct ttt_sockaddr *out)
{
	*out = *in;
	if (!is_mapped(in))
		return;
	memset(out, 0, sizeof(*out));
	out->u.in.sin_family = AF_INET;
	out->u.in.sin_port = in->u.in6.sin6_port;
	memcpy(&out->u.in.sin_addr, in->u.in6.sin6_addr.s6_addr + 12, 4);
	out->len = sizeof(out->u.in);
}

int ttt_pmtu_route(const struct ttt_sockaddr *peer, unsigned *mtu, struct ttt_err *err)
{
	struct ttt_sockaddr to;
	bool v6;
	int fd, v = 0;
	socklen_t len = sizeof(v);

	unmap(peer, &to);
	v6 = to.u.sa.sa_family == AF_INET6;
	fd = socket(to.u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot create a probe socket");
	/* connect() on UDP only looks the route up: nothing is sent. */
	if (connect(fd, &to.u.sa, to.len) < 0 ||
	    getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &v, &len) < 0) {
		ttt_err_sys(err, errno, "no route");
		close(fd);
		return -1;
	}
	close(fd);
	if (v <= 0)
		return ttt_err_set(err, "the route reports no MTU");
	*mtu = (unsigned)v;
	return 0;
}

static bool same_addr(const struct sockaddr *ifa, const struct ttt_sockaddr *local)
{
	if (ifa->sa_family != local->u.sa.sa_family)
		return false;
	if (ifa->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)(const void *)ifa)->sin_addr,
			      &local->u.in.sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)(const void *)ifa)->sin6_addr,
		      &local->u.in6.sin6_addr, 16) == 0;
}

static bool is_wildcard(const struct ttt_sockaddr *a)
{
	if (a->u.sa.sa_family == AF_INET)
		return a->u.in.sin_addr.s_addr == htonl(INADDR_ANY);
	return memcmp(&a->u.in6.sin6_addr, &in6addr_any, sizeof(in6addr_any)) == 0;
}

static int if_mtu(int fd, const char *name, unsigned *mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu <= 0)
		return -1;
	*mtu = (unsigned)ifr.ifr_mtu;
	return 0;
}

/* A tun or tap (ours or another tunnel's): not an underlay. */
static bool is_tun(int fd, const char *name)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&info;
	return ioctl(fd, SIOCETHTOOL, &ifr) == 0 && strcmp(info.driver, "tun") == 0;
}

/* One line of /proc/net/route or /proc/net/ipv6_route: whether it is a
 * usable default route, and its interface and MTU metric (0: none). */
static bool default_route(int family, const char *line, char ifname[IF_NAMESIZE], unsigned *mtu)
{
	char dst[40], mask[16];
	unsigned flags, plen;

	*mtu = 0;
	if (family == AF_INET)
		return sscanf(line, "%15s %8s %*s %x %*d %*d %*d %8s %u", ifname, dst, &flags, mask,
			      mtu) == 5 &&
		       strcmp(dst, "00000000") == 0 && strcmp(mask, "00000000") == 0 &&
		       (flags & RTF_UP);
	return sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x %15s", dst, &plen, &flags,
		      ifname) == 4 &&
	       plen == 0 && strspn(dst, "0") == 32 && (flags & RTF_UP) && !(flags & RTF_REJECT) &&
	       strcmp(ifname, "lo") != 0;
}

/* The smallest MTU of the family's default routes (the routes a peer
 * anywhere would be reached by), or 0 when there is none. */
static unsigned default_route_mtu(int fd, int family)
{
	FILE *f = fopen(family == AF_INET ? "/proc/net/route" : "/proc/net/ipv6_route", "re");
	char line[512], ifname[IF_NAMESIZE];
	unsigned best = 0, m;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (default_route(family, line, ifname, &m) && (m || if_mtu(fd, ifname, &m) == 0) &&
		    (best == 0 || m < best))
			best = m;
	fclose(f);
	return best;
}

/* A wildcard: the default routes of the socket's families, else the
 * smallest MTU of the interfaces that are up (loopback and taps aside). */
static unsigned wildcard_mtu(int fd, const struct ttt_sockaddr *local, bool dual_stack,
			     const struct ifaddrs *list)
{
	unsigned best = 0, m;

	if (local->u.sa.sa_family == AF_INET || dual_stack)
		best = default_route_mtu(fd, AF_INET);
	if (local->u.sa.sa_family == AF_INET6 && (m = default_route_mtu(fd, AF_INET6)) != 0 &&
	    (best == 0 || m < best))
		best = m;
	if (best)
		return best;
	for (const struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6) ||
		    !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK) || is_tun(fd, i->ifa_name))
			continue;
		if (if_mtu(fd, i->ifa_name, &m) == 0 && (best == 0 || m < best))
			best = m;
	}
	return best;
}

int ttt_pmtu_local(const struct ttt_sockaddr *local, bool dual_stack, unsigned *mtu,
		   struct ttt_err *err)
{
	bool any = is_wildcard(local);
	struct ifaddrs *list, *i;
	unsigned best = 0, m;
	int fd;

	if (getifaddrs(&list) < 0)
		return ttt_err_sys(err, errno, "cannot list the interfaces");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* any socket takes these ioctls */
	if (fd >= 0 && any)
		best = wildcard_mtu(fd, local, dual_stack, list);
	for (i = list; fd >= 0 && !any && i; i = i->ifa_next)
		if (i->ifa_addr && same_addr(i->ifa_addr, local) && if_mtu(fd, i->ifa_name, &m) == 0)
			best = m;
	if (fd >= 0)
		close(fd);
	freeifaddrs(list);
	if (best == 0)
		return ttt_err_set(err, any ? "no default route and no interface up"
					    : "no interface holds the address");
	*mtu = best;
	return 0;
}

unsigned ttt_pmtu_tap_mtu(unsigned path_mtu, unsigned overhead)
{
	unsigned used = overhead + TTT_ETH_HLEN + TTT_HDR_LEN;

	if (path_mtu < used + TTT_MTU_MIN)
		return TTT_MTU_MIN;
	return path_mtu - used > TTT_MTU_DEFAULT ? TTT_MTU_DEFAULT : path_mtu - used;
}

void ttt_pmtu_choose(const struct ttt_sockaddr *local, bool dual_stack,
		     const struct ttt_sockaddr *peer, struct ttt_pmtu_choice *out)
{
	char name[TTT_ADDRSTRLEN];
	struct ttt_err route = { .msg = "", .code = 0 }, iface = { .msg = "", .code = 0 };
	unsigned overhead = peer ? ttt_pmtu_overhead(peer)
				 : local->u.sa.sa_family == AF_INET6 || dual_stack ? TTT_UDP6_OVERHEAD
										   : TTT_UDP4_OVERHEAD;
	const char *family = overhead == TTT_UDP6_OVERHEAD ? "IPv6" : "IPv4";

	memset(out, 0, sizeof(*out));
	out->tap_mtu = TTT_MTU_DEFAULT;
	if (peer && ttt_pmtu_route(peer, &out->path_mtu, &route) == 0)
		snprintf(out->how, sizeof(out->how), "route to %s: MTU %u, %s",
			 ttt_sockaddr_str(peer, name), out->path_mtu, family);
	else if (ttt_pmtu_local(local, dual_stack, &out->path_mtu, &iface) == 0)
		snprintf(out->how, sizeof(out->how), "%s %s: MTU %u, %s",
			 is_wildcard(local) ? "default route, or smallest interface, for" : "interface of",
			 ttt_sockaddr_str(local, name), out->path_mtu, family);
	if (out->path_mtu) {
		out->found = true;
		out->tap_mtu = ttt_pmtu_tap_mtu(out->path_mtu, overhead);
		return;
	}
	/* The reasons are short ("no route: Network is unreachable"); cut them anyway. */
	snprintf(out->how, sizeof(out->how), "%s%.60s%s%.60s", peer ? "route to the peer: " : "",
		 peer ? route.msg : "", peer ? "; " : "", iface.msg);
}
