/* SPDX-License-Identifier: MIT */
/* link.c - interface changes with libnl-route-3 */
#include "ttt/net/link.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"

/* Looks ifname up; a missing interface sets err->code to ENODEV. */
static int get_link(struct nl_sock *sk, const char *ifname, struct rtnl_link **link,
		    struct ttt_err *err)
{
	char what[64];
	int rc = rtnl_link_get_kernel(sk, 0, ifname, link);

	if (rc == 0)
		return 0;
	snprintf(what, sizeof(what), "cannot find interface %s", ifname);
	ttt_nl_fail(err, rc, what);
	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV)
		err->code = ENODEV;
	return -1;
}

static int fill_change(struct rtnl_link *c, const struct ttt_link_change *chg)
{
	if (chg->mtu)
		rtnl_link_set_mtu(c, chg->mtu);
	if (chg->mac) {
		struct nl_addr *a = nl_addr_build(AF_LLC, chg->mac, TTT_ETH_ALEN);
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
	struct nl_sock *sk = ttt_nl_open(err);
	struct rtnl_link *link = NULL, *c = NULL;
	char what[64];
	int rc = -1;

	if (!sk)
		return -1;
	if (get_link(sk, ifname, &link, err) < 0)
		goto out;
	c = rtnl_link_alloc();
	rc = c ? fill_change(c, chg) : -NLE_NOMEM;
	if (rc == 0)
		rc = rtnl_link_change(sk, link, c, 0);
	if (rc < 0) {
		snprintf(what, sizeof(what), "cannot configure interface %s", ifname);
		ttt_nl_fail(err, rc, what);
		if (rc == -NLE_EXIST)
			err->code = EEXIST;
	}
out:
	rtnl_link_put(c);
	rtnl_link_put(link);
	ttt_nl_close(sk);
	return rc < 0 ? -1 : 0;
}

static void fill_info(struct rtnl_link *link, struct ttt_link_info *info)
{
	struct nl_addr *mac = rtnl_link_get_addr(link);
	const char *kind = rtnl_link_get_type(link);

	memset(info, 0, sizeof(*info));
	info->ifindex = rtnl_link_get_ifindex(link);
	info->mtu = rtnl_link_get_mtu(link);
	info->up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
	if (mac && nl_addr_get_len(mac) == TTT_ETH_ALEN)
		memcpy(info->mac, nl_addr_get_binary_addr(mac), TTT_ETH_ALEN);
	snprintf(info->kind, sizeof(info->kind), "%s", kind ? kind : "");
}

int ttt_link_get(const char *ifname, struct ttt_link_info *info, struct ttt_err *err)
{
	struct nl_sock *sk = ttt_nl_open(err);
	struct rtnl_link *link = NULL;
	int rc;

	if (!sk)
		return -1;
	rc = get_link(sk, ifname, &link, err);
	if (rc == 0)
		fill_info(link, info);
	rtnl_link_put(link);
	ttt_nl_close(sk);
	return rc;
}

int ttt_link_delete(const char *ifname, struct ttt_err *err)
{
	struct nl_sock *sk = ttt_nl_open(err);
	struct rtnl_link *link = NULL;
	char what[64];
	int rc;

	if (!sk)
		return -1;
	rc = get_link(sk, ifname, &link, err);
	if (rc == 0) {
		rc = rtnl_link_delete(sk, link);
		if (rc < 0) {
			snprintf(what, sizeof(what), "cannot delete interface %s", ifname);
			rc = ttt_nl_fail(err, rc, what);
		}
	}
	rtnl_link_put(link);
	ttt_nl_close(sk);
	return rc < 0 ? -1 : 0;
}
