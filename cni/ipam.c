/* SPDX-License-Identifier: MIT */
/* ipam.c - asking the IPAM plugin, on behalf of an attachment or of the
 * whole network */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipam.h"
#include "cni/lib/delegate.h"
#include "cni/lib/version.h"

/* The highest version we speak that the IPAM plugin lists, not above ours;
 * NULL when there is none. */
static const char *best_common(const struct cni_ctx *c)
{
	char in[64], *out = NULL;
	struct cni_error ignored;
	struct cni_delegate d = { .type = c->cfg.ipam_type, .command = "VERSION",
				  .path = c->env.path, .conf = in };
	const char *best = NULL;

	d.conf_len = (size_t)snprintf(in, sizeof(in), "{\"cniVersion\":\"%s\"}",
				      c->cfg.cni_version);
	if (cni_delegate_run(&d, &out, &ignored) < 0)
		return NULL;
	for (int i = 0; cni_versions[i]; i++) {
		char needle[32];
		snprintf(needle, sizeof(needle), "\"%s\"", cni_versions[i]);
		if (strstr(out, needle) && cni_version_cmp(cni_versions[i], c->cfg.cni_version) <= 0)
			best = cni_versions[i];
	}
	free(out);
	return best;
}

/* Our configuration with cniVersion replaced (malloc'd text). */
static char *with_version(const struct cni_ctx *c, const char *version)
{
	cJSON *root = cJSON_ParseWithLength(c->conf, c->conf_len);
	char *text = NULL;

	if (root && cJSON_ReplaceItemInObjectCaseSensitive(root, "cniVersion",
							   cJSON_CreateString(version)))
		text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

int cni_ipam_start(const struct cni_ctx *c, const char *command, const struct cni_state *st,
		   struct cni_ipam_call *call, struct cni_error *e)
{
	call->c = c;
	call->d = (struct cni_delegate){
		.type = c->cfg.ipam_type,
		.command = command,
		.container_id = st->container_id,
		.netns = st->netns[0] ? st->netns : NULL,
		.ifname = st->ifname,
		.path = c->env.path,
		.conf = c->conf,
		.conf_len = c->conf_len,
	};
	return cni_delegate_start(&call->d, &call->r, e);
}

int cni_ipam_finish(struct cni_ipam_call *call, char **out, struct cni_error *e)
{
	const char *older;
	char *conf;
	int rc = cni_delegate_finish(&call->r, out, e);

	if (rc == 0 || e->code != CNI_ERR_INCOMPATIBLE_VERSION)
		return rc;
	/* An IPAM plugin older than our configuration: speak its version. */
	older = best_common(call->c);
	if (!older || !(conf = with_version(call->c, older)))
		return -1;
	call->d.conf = conf;
	call->d.conf_len = strlen(conf);
	rc = cni_delegate_run(&call->d, out, e);
	free(conf);
	return rc;
}

int cni_ipam(const struct cni_ctx *c, const char *command, const struct cni_state *st,
	     char **out, struct cni_error *e)
{
	struct cni_ipam_call call;

	*out = NULL;
	if (cni_ipam_start(c, command, st, &call, e) < 0)
		return -1;
	return cni_ipam_finish(&call, out, e);
}

bool cni_ipam_speaks(const struct cni_ctx *c, const char *version)
{
	char in[64], *out = NULL, needle[32];
	struct cni_error ignored;
	struct cni_delegate d = { .type = c->cfg.ipam_type, .command = "VERSION",
				  .path = c->env.path, .conf = in };
	bool yes;

	if (!c->cfg.ipam_type)
		return false;
	d.conf_len = (size_t)snprintf(in, sizeof(in), "{\"cniVersion\":\"%s\"}", version);
	if (cni_delegate_run(&d, &out, &ignored) < 0)
		return false;
	snprintf(needle, sizeof(needle), "\"%s\"", version);
	yes = strstr(out, needle) != NULL;
	free(out);
	return yes;
}

int cni_ipam_network(const struct cni_ctx *c, const char *command, struct cni_error *e)
{
	struct cni_delegate d = { .type = c->cfg.ipam_type, .command = command,
				  .path = c->env.path, .conf = c->conf, .conf_len = c->conf_len };
	char *out = NULL;
	int rc;

	if (!cni_ipam_speaks(c, "1.1.0"))
		return 0;
	rc = cni_delegate_run(&d, &out, e);
	free(out);
	return rc;
}
