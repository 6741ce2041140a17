/* SPDX-License-Identifier: MIT */
/* main.c - the tinytaptunnel CNI plugin: read the environment, CNI_ARGS
 * and the configuration, run one command, print its result or error. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "cni/lib/version.h"
#include "ttt/util/steptime.h"

#define STDIN_MAX (1 << 20)

static const char *lookup(const char *name)
{
	return getenv(name);
}

/* All of stdin (NUL-terminated), or NULL when too large or unreadable. */
static char *read_stdin(size_t *len)
{
	char *buf = malloc(STDIN_MAX + 1);
	size_t used = 0;

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t n = read(0, buf + used, STDIN_MAX + 1 - used);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0 || (used += (size_t)n) > STDIN_MAX)
			break;
	}
	if (used > STDIN_MAX) {
		free(buf);
		return NULL;
	}
	buf[used] = '\0';
	*len = used;
	return buf;
}

static int dispatch(struct cni_ctx *c, struct cni_error *e)
{
	switch (c->env.command) {
	case CNI_CMD_ADD:
		return cni_cmd_add(c, e);
	case CNI_CMD_DEL:
		return cni_cmd_del(c, e);
	case CNI_CMD_CHECK:
		return cni_cmd_check(c, e);
	case CNI_CMD_STATUS:
		return cni_cmd_status(c, e);
	case CNI_CMD_GC:
		return cni_cmd_gc(c, e);
	case CNI_CMD_VERSION:
		break;
	}
	return 0;
}

/* CHECK arrived in 0.4.0, STATUS and GC in 1.1.0. */
static int version_allows(const struct cni_ctx *c, struct cni_error *e)
{
	const char *need = c->env.command == CNI_CMD_CHECK ? "0.4.0"
			   : c->env.command == CNI_CMD_STATUS || c->env.command == CNI_CMD_GC
				   ? "1.1.0"
				   : "0.0.0";

	if (cni_version_cmp(c->cfg.cni_version, need) >= 0)
		return 0;
	return cni_fail(e, CNI_ERR_INCOMPATIBLE_VERSION, "%s needs cniVersion %s or later, not %s",
			c->env.command_name, need, c->cfg.cni_version);
}

static int run(struct cni_ctx *c, struct cni_error *e)
{
	if (cni_env_load(lookup, &c->env, e) < 0)
		return -1;
	if (c->env.command == CNI_CMD_VERSION) {
		cni_version_print(c->out, c->conf);
		return 0;
	}
	if (!c->conf)
		return cni_fail(e, CNI_ERR_IO, "cannot read the configuration from stdin");
	c->args.container_id = c->env.container_id;
	c->args.ifname = c->env.ifname;
	if (cni_args_parse(c->env.args, &c->args, e) < 0 ||
	    cni_config_parse(c->conf, c->conf_len, &c->args, &c->cfg, e) < 0 ||
	    version_allows(c, e) < 0)
		return -1;
	ttt_steptime("plugin", "parse");
	return dispatch(c, e);
}

int main(void)
{
	struct cni_ctx c;
	struct cni_error e = { .code = 0, .msg = "", .details = "" };
	char *conf;
	int rc;

	ttt_steptime("plugin", "main");
	memset(&c, 0, sizeof(c));
	c.out = stdout;
	signal(SIGPIPE, SIG_IGN); /* a delegate closing its stdin must not kill us */
	conf = read_stdin(&c.conf_len);
	c.conf = conf;
	rc = run(&c, &e);
	if (rc < 0)
		cni_error_print(stdout, &e,
				c.cfg.cni_version && cni_version_supported(c.cfg.cni_version)
					? c.cfg.cni_version
					: CNI_VERSION_LATEST);
	fflush(stdout);
	cni_config_free(&c.cfg);
	free(conf);
	ttt_steptime("plugin", "end");
	return rc < 0 ? 1 : 0;
}
