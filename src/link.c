/* link.c - interface changes with libnl-route-3 */
#include "ttt/link.h"

#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

static int nl_fail(struct ttt_err *err, int nlerr, const char *what, const char *ifname)
{
	return ttt_err_set(err, "%s %s: %s", what, ifname, nl_geterror(nlerr));
}

static int fill_change(struct rtnl_link *c, const struct ttt_link_change *chg)
{
	if (chg->mtu)
		rtnl_link_set_mtu(c, chg->mtu);
	if (chg->mac) {
		struct nl_addr *a = nl_addr_build(AF_LLC, chg->mac, TTT_MAC_ADDR_LEN);
		if (!a)
			return -NLE_NOMEM;
		rtnl_link_set_addr(c, a);
		nl_addr_put(a);
	}
	if (chg->new_name)
		rtnl_link_set_name(c, chg->new_name);
	if (chg->netns_fd >= 0)
		rtnl_link_set_ns_fd(c, chg->netns_fd);
	if (chg->up)
		rtnl_link_set_flags(c, IFF_UP);
	return 0;
}

int ttt_link_change(const char *ifname, const struct ttt_link_change *chg, struct ttt_err *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL, *c = NULL;
	int rc;

	if (!sk)
		return ttt_err_set(err, "out of memory for a netlink socket");
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(sk);
		return nl_fail(err, rc, "cannot open rtnetlink for", ifname);
	}
	rc = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (rc < 0) {
		nl_fail(err, rc, "cannot find interface", ifname);
		goto out;
	}
	c = rtnl_link_alloc();
	rc = c ? fill_change(c, chg) : -NLE_NOMEM;
	if (rc == 0)
		rc = rtnl_link_change(sk, link, c, 0);
	if (rc < 0)
		nl_fail(err, rc, "cannot configure interface", ifname);
out:
	rtnl_link_put(c);
	rtnl_link_put(link);
	nl_socket_free(sk);
	return rc < 0 ? -1 : 0;
}
