/* SPDX-License-Identifier: MIT */
/* route.c - routes with libnl-route-3 */
#include "ttt/net/route.h"

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>

#include "nl.h"

static int parse(const char *text, struct nl_addr **a, struct ttt_err *err)
{
	if (nl_addr_parse(text, AF_UNSPEC, a) < 0)
		return ttt_err_set(err, "'%s' is not an IP address or prefix", text);
	return 0;
}

/* A route to dst out of ifindex (via gw when not NULL). */
static struct rtnl_route *build(int ifindex, struct nl_addr *dst, struct nl_addr *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

	if (!r || !nh) {
		rtnl_route_put(r);
		if (nh)
			rtnl_route_nh_free(nh);
		return NULL;
	}
	rtnl_route_set_family(r, (uint8_t)nl_addr_get_family(dst));
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_set_dst(r, dst);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(r, nh); /* the route owns it now */
	return r;
}

int ttt_route_add(int ifindex, const char *dst_text, const char *gw_text, struct ttt_err *err)
{
	struct nl_addr *dst = NULL, *gw = NULL;
	struct rtnl_route *r = NULL;
	struct nl_sock *sk = NULL;
	int rc = -1;

	if (parse(dst_text, &dst, err) < 0 || (gw_text && parse(gw_text, &gw, err) < 0))
		goto out;
	if (gw && nl_addr_get_family(gw) != nl_addr_get_family(dst)) {
		ttt_err_set(err, "gateway %s is not of the family of %s", gw_text, dst_text);
		goto out;
	}
	r = build(ifindex, dst, gw);
	sk = r ? ttt_nl_open(err) : NULL;
	if (!r)
		ttt_err_set(err, "out of memory");
	if (!sk)
		goto out;
	rc = rtnl_route_add(sk, r, NLM_F_EXCL);
	if (rc == -NLE_EXIST)
		rc = 0;
	if (rc < 0)
		ttt_nl_fail(err, rc, dst_text);
out:
	rtnl_route_put(r);
	nl_addr_put(dst);
	nl_addr_put(gw);
	ttt_nl_close(sk);
	return rc < 0 ? -1 : 0;
}
