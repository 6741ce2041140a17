/* args.c - parsing CNI_ARGS */
#include "cni/lib/args.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const char *const passive_keys[] = { "K8S_POD_NAMESPACE", "K8S_POD_NAME",
					    "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID", NULL };

static bool is_passive(const char *key, size_t len)
{
	for (int i = 0; passive_keys[i]; i++)
		if (strlen(passive_keys[i]) == len && memcmp(passive_keys[i], key, len) == 0)
			return true;
	return false;
}

/* The destination for a key we use, or NULL. */
static char *slot(struct cni_args *a, const char *key, size_t len)
{
	if (len == 3 && memcmp(key, "MAC", 3) == 0)
		return a->mac;
	if (len == 8 && memcmp(key, "TTT_PEER", 8) == 0)
		return a->peer;
	if (len == 10 && memcmp(key, "TTT_LISTEN", 10) == 0)
		return a->listen;
	return NULL;
}

/* The IgnoreUnknown setting, wherever it stands in the string. */
static bool ignore_unknown(const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "IgnoreUnknown=")) != NULL) {
		if (p == text || p[-1] == ';') {
			const char *v = p + strlen("IgnoreUnknown=");
			size_t n = strcspn(v, ";");
			return (n == 1 && *v == '1') || (n == 4 && strncasecmp(v, "true", 4) == 0);
		}
		p++;
	}
	return false;
}

static int take_pair(struct cni_args *a, const char *pair, size_t len, bool lenient,
		     struct cni_error *e)
{
	const char *eq = memchr(pair, '=', len);
	size_t klen, vlen;
	char *dst;

	if (!eq || eq == pair)
		return cni_fail(e, CNI_ERR_INVALID_ENV, "CNI_ARGS: '%.*s' is not KEY=VALUE", (int)len,
				pair);
	klen = (size_t)(eq - pair);
	vlen = len - klen - 1;
	dst = slot(a, pair, klen);
	if (!dst) {
		if (lenient || is_passive(pair, klen) ||
		    (klen == 13 && memcmp(pair, "IgnoreUnknown", 13) == 0))
			return 0;
		return cni_fail(e, CNI_ERR_INVALID_CONFIG,
				"CNI_ARGS: unknown key '%.*s' (set IgnoreUnknown=1 to allow it)",
				(int)klen, pair);
	}
	if (vlen >= CNI_ARG_MAX)
		return cni_fail(e, CNI_ERR_INVALID_ENV, "CNI_ARGS: the value of %.*s is too long",
				(int)klen, pair);
	memcpy(dst, eq + 1, vlen);
	dst[vlen] = '\0';
	return 0;
}

int cni_args_parse(const char *text, struct cni_args *a, struct cni_error *e)
{
	bool lenient = ignore_unknown(text);
	const char *p = text;

	memset(a, 0, sizeof(*a));
	while (*p) {
		size_t len = strcspn(p, ";");
		if (len > 0 && take_pair(a, p, len, lenient, e) < 0)
			return -1;
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}
