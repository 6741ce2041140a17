/* SPDX-License-Identifier: MIT */
/* resolve.c - host names from /etc/hosts, then DNS, without NSS (static build) */
#include "resolve.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ttt/util/bytes.h"

static void add(struct ttt_addrlist *out, int family, const void *addr)
{
	if (out->n == TTT_RESOLVE_MAX)
		return;
	out->family[out->n] = family;
	memset(out->addr[out->n], 0, sizeof(out->addr[0]));
	memcpy(out->addr[out->n], addr, family == AF_INET ? 4 : 16);
	out->n++;
}

/* One line of a hosts file: "address name [alias...]", '#' starts a comment. */
static void hosts_line(char *line, const char *name, int family, struct ttt_addrlist *out)
{
	unsigned char a[16];
	char *save = NULL, *tok, *hash = strchr(line, '#');
	int fam;

	if (hash)
		*hash = '\0';
	tok = strtok_r(line, " \t\r\n", &save);
	if (!tok)
		return;
	if (inet_pton(AF_INET, tok, a) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, tok, a) == 1)
		fam = AF_INET6;
	else
		return;
	if (family != AF_UNSPEC && family != fam)
		return;
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		if (strcasecmp(tok, name) == 0) {
			add(out, fam, a);
			return;
		}
	}
}

int ttt_hosts_lookup(const char *hosts_path, const char *name, int family,
		     struct ttt_addrlist *out)
{
	FILE *f = fopen(hosts_path, "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!f)
		return errno == ENOENT ? 0 : -1;
	errno = 0;
	while (getline(&line, &cap, f) >= 0)
		hosts_line(line, name, family, out);
	if (ferror(f))
		rc = -1;
	free(line);
	fclose(f);
	return rc;
}

int ttt_dns_answers(const unsigned char *msg, size_t len, int type, struct ttt_addrlist *out)
{
	const unsigned char *p = msg + 12, *end = msg + len;
	size_t want = type == ns_t_a ? 4 : 16;
	unsigned qd, an;

	if (len < 12 || (type != ns_t_a && type != ns_t_aaaa))
		return -1;
	qd = ttt_get_be16(msg + 4);
	an = ttt_get_be16(msg + 6);
	for (unsigned i = 0; i < qd; i++) { /* the questions: name, type, class */
		int n = dn_skipname(p, end);
		if (n < 0 || end - p - n < 4)
			return -1;
		p += n + 4;
	}
	for (unsigned i = 0; i < an; i++) { /* name, type, class, ttl, rdlength, rdata */
		int n = dn_skipname(p, end);
		size_t rdlen;
		if (n < 0 || end - p - n < 10)
			return -1;
		p += n;
		rdlen = ttt_get_be16(p + 8);
		if ((size_t)(end - p - 10) < rdlen)
			return -1;
		if ((int)ttt_get_be16(p) == type && ttt_get_be16(p + 2) == ns_c_in && rdlen == want)
			add(out, type == ns_t_a ? AF_INET : AF_INET6, p + 10);
		p += 10 + rdlen;
	}
	return 0;
}

/* Asks DNS for the A and/or AAAA records of name. Returns the worst
 * h_errno seen (0 when every query was answered). */
static int dns_lookup(const char *name, int family, struct ttt_addrlist *out)
{
	static const int types[2] = { ns_t_a, ns_t_aaaa };
	unsigned char buf[4096];
	struct __res_state st;
	int worst = 0;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0)
		return NO_RECOVERY;
	for (int i = 0; i < 2; i++) {
		int n;
		if (family != AF_UNSPEC && family != (types[i] == ns_t_a ? AF_INET : AF_INET6))
			continue;
		n = res_nsearch(&st, name, ns_c_in, types[i], buf, sizeof(buf));
		if (n < 0) {
			int h = st.res_h_errno;
			if (h == TRY_AGAIN || h == NO_RECOVERY || h == NETDB_INTERNAL || worst == 0)
				worst = h;
			continue;
		}
		(void)ttt_dns_answers(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf), types[i],
				      out); /* a malformed tail: keep what came before it */
	}
	res_nclose(&st);
	return worst;
}

/* The list as getaddrinfo results (numeric lookups: no NSS), so that the
 * caller frees it with freeaddrinfo, which frees node by node. */
static int to_addrinfo(const struct ttt_addrlist *l, const struct addrinfo *hints,
		       struct addrinfo **res)
{
	struct addrinfo h = *hints, *head = NULL, **tail = &head;

	h.ai_flags = (h.ai_flags | AI_NUMERICHOST) & ~AI_CANONNAME;
	for (size_t i = 0; i < l->n; i++) {
		char text[INET6_ADDRSTRLEN];
		struct addrinfo *one;
		if (!inet_ntop(l->family[i], l->addr[i], text, sizeof(text)) ||
		    getaddrinfo(text, NULL, &h, &one) != 0)
			continue;
		*tail = one;
		while (*tail)
			tail = &(*tail)->ai_next;
	}
	*res = head;
	return head ? 0 : -1;
}

int ttt_resolve_name_in(const char *hosts_path, const char *name, const struct addrinfo *hints,
			struct addrinfo **res, struct ttt_err *err)
{
	struct ttt_addrlist l = { .n = 0 };
	int h = 0;

	if (ttt_hosts_lookup(hosts_path, name, hints->ai_family, &l) < 0)
		return ttt_err_sys(err, errno, "cannot resolve '%s': cannot read %s", name,
				   hosts_path);
	if (l.n == 0)
		h = dns_lookup(name, hints->ai_family, &l);
	if (l.n > 0 && to_addrinfo(&l, hints, res) == 0)
		return 0;
	if (h == TRY_AGAIN || h == NO_RECOVERY || h == NETDB_INTERNAL)
		return ttt_err_set(err, "cannot resolve '%s': not in %s, and DNS failed (%s)", name,
				   hosts_path, hstrerror(h));
	return ttt_err_set(err, "cannot resolve '%s': not in %s, and DNS has no address for it "
				"(this static build reads %s and /etc/resolv.conf only)",
			   name, hosts_path, hosts_path);
}

int ttt_resolve_name(const char *name, const struct addrinfo *hints, struct addrinfo **res,
		     struct ttt_err *err)
{
	return ttt_resolve_name_in("/etc/hosts", name, hints, res, err);
}
