/* SPDX-License-Identifier: MIT */
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

/* The plugin's slot for a key, or NULL. */
static const struct cni_arg *slot(const struct cni_arg *want, size_t n, const char *key,
				  size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(want[i].key) == len && memcmp(want[i].key, key, len) == 0)
			return &want[i];
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

static int take_pair(const struct cni_arg *want, size_t n, const char *pair, size_t len,
		     bool lenient, struct cni_error *e)
{
	const char *eq = memchr(pair, '=', len);
	const struct cni_arg *dst;
	size_t klen, vlen;

	if (!eq || eq == pair)
		return cni_fail(e, CNI_ERR_INVALID_ENV, "CNI_ARGS: '%.*s' is not KEY=VALUE", (int)len,
				pair);
	klen = (size_t)(eq - pair);
	vlen = len - klen - 1;
	dst = slot(want, n, pair, klen);
	if (!dst) {
		if (lenient || is_passive(pair, klen) ||
		    (klen == 13 && memcmp(pair, "IgnoreUnknown", 13) == 0))
			return 0;
		return cni_fail(e, CNI_ERR_INVALID_CONFIG,
				"CNI_ARGS: unknown key '%.*s' (set IgnoreUnknown=1 to allow it)",
				(int)klen, pair);
	}
	if (vlen >= dst->cap)
		return cni_fail(e, CNI_ERR_INVALID_ENV, "CNI_ARGS: the value of %.*s is too long",
				(int)klen, pair);
	memcpy(dst->value, eq + 1, vlen);
	dst->value[vlen] = '\0';
	return 0;
}

int cni_args_get(const char *text, const struct cni_arg *want, size_t n, struct cni_error *e)
{
	bool lenient = ignore_unknown(text);
	const char *p = text;

	for (size_t i = 0; i < n; i++)
		want[i].value[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, ";");
		if (len > 0 && take_pair(want, n, p, len, lenient, e) < 0)
			return -1;
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}
