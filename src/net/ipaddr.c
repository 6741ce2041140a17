/* SPDX-License-Identifier: MIT */
/* ipaddr.c - interface addresses with libnl-route-3 */
#include "ttt/net/ipaddr.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <time.h>

#include "nl.h"

static int parse_cidr(const char *cidr, struct nl_addr **a, struct ttt_err *err)
{
	int rc = nl_addr_parse(cidr, AF_UNSPEC, a);

	if (rc < 0 || (nl_addr_get_family(*a) != AF_INET && nl_addr_get_family(*a) != AF_INET6)) {
		if (rc == 0)
			nl_addr_put(*a);
		return ttt_err_set(err, "'%s' is not an IP address with a prefix length", cidr);
	}
	return 0;
}

int ttt_ipaddr_add(int ifindex, const char *cidr, struct ttt_err *err)
{
	struct nl_sock *sk;
	struct rtnl_addr *ra;
	struct nl_addr *local;
	int rc;

	if (parse_cidr(cidr, &local, err) < 0)
		return -1;
	sk = ttt_nl_open(err);
	ra = rtnl_addr_alloc();
	rc = sk && ra ? 0 : -1;
	if (rc == 0) {
		rtnl_addr_set_ifindex(ra, ifindex);
		rtnl_addr_set_family(ra, nl_addr_get_family(local));
		rc = rtnl_addr_set_local(ra, local); /* also sets the prefix length */
		if (rc == 0)
			rc = rtnl_addr_add(sk, ra, 0);
		if (rc == -NLE_EXIST)
			rc = 0;
		if (rc < 0)
			ttt_nl_fail(err, rc, cidr);
	} else if (!ra) {
		ttt_err_set(err, "out of memory");
	}
	rtnl_addr_put(ra);
	nl_addr_put(local);
	ttt_nl_close(sk);
	return rc < 0 ? -1 : 0;
}

/* Calls fn for each address of ifindex until it returns non-zero. */
static int each_addr(int ifindex, int (*fn)(struct rtnl_addr *, void *), void *arg,
		     struct ttt_err *err)
{
	struct nl_sock *sk = ttt_nl_open(err);
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int rc;

	if (!sk)
		return -1;
	rc = rtnl_addr_alloc_cache(sk, &cache);
	if (rc < 0) {
		ttt_nl_close(sk);
		return ttt_nl_fail(err, rc, "cannot list addresses");
	}
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		if (rtnl_addr_get_ifindex(a) == ifindex && fn(a, arg))
			break;
	}
	nl_cache_free(cache);
	ttt_nl_close(sk);
	return 0;
}

struct match {
	struct nl_addr *want;
	bool found;
};

static int matches(struct rtnl_addr *a, void *arg)
{
	struct match *m = arg;
	struct nl_addr *local = rtnl_addr_get_local(a);

	m->found = local && nl_addr_cmp(local, m->want) == 0 &&
		   rtnl_addr_get_prefixlen(a) == (int)nl_addr_get_prefixlen(m->want);
	return m->found;
}

int ttt_ipaddr_has(int ifindex, const char *cidr, bool *found, struct ttt_err *err)
{
	struct match m = { .want = NULL, .found = false };
	int rc;

	if (parse_cidr(cidr, &m.want, err) < 0)
		return -1;
	rc = each_addr(ifindex, matches, &m, err);
	nl_addr_put(m.want);
	*found = m.found;
	return rc;
}

static int tentative(struct rtnl_addr *a, void *arg)
{
	bool *t = arg;

	*t = (rtnl_addr_get_flags(a) & IFA_F_TENTATIVE) != 0;
	return *t;
}

int ttt_ipaddr_settle(int ifindex, int timeout_ms, struct ttt_err *err)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 50 * 1000 * 1000 };

	for (int waited = 0;; waited += 50) {
		bool t = false;
		if (each_addr(ifindex, tentative, &t, err) < 0)
			return -1;
		if (!t)
			return 0;
		if (waited >= timeout_ms)
			return ttt_err_set(err, "IPv6 address still tentative after %d ms", timeout_ms);
		nanosleep(&tick, NULL);
	}
}
