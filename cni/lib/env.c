/* SPDX-License-Identifier: MIT */
/* env.c - reading and validating CNI_* variables */
#include "cni/lib/env.h"

#include <string.h>

#include "ttt/net/tap.h"

static const char *const names[] = {
	[CNI_CMD_ADD] = "ADD",	       [CNI_CMD_DEL] = "DEL", [CNI_CMD_CHECK] = "CHECK",
	[CNI_CMD_VERSION] = "VERSION", [CNI_CMD_STATUS] = "STATUS", [CNI_CMD_GC] = "GC",
};

const char *cni_command_name(enum cni_command c)
{
	return names[c];
}

bool cni_name_valid(const char *name)
{
	const char *p;

	for (p = name; *p; p++) {
		int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9');
		if (!alnum && (p == name || (*p != '_' && *p != '.' && *p != '-')))
			return false;
	}
	return p != name;
}

/* Which variables each command needs. */
enum { NEED_ID = 1, NEED_NETNS = 2, NEED_IFNAME = 4, NEED_PATH = 8 };

static const int needs[] = {
	[CNI_CMD_ADD] = NEED_ID | NEED_NETNS | NEED_IFNAME | NEED_PATH,
	[CNI_CMD_CHECK] = NEED_ID | NEED_NETNS | NEED_IFNAME | NEED_PATH,
	[CNI_CMD_DEL] = NEED_ID | NEED_IFNAME | NEED_PATH,
	[CNI_CMD_GC] = NEED_PATH,
	[CNI_CMD_STATUS] = NEED_PATH,
	[CNI_CMD_VERSION] = 0,
};

static int parse_command(const char *s, enum cni_command *c)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*c = (enum cni_command)i;
			return 0;
		}
	return -1;
}

static int missing(struct cni_error *e, const char *var, const char *cmd)
{
	cni_fail(e, CNI_ERR_INVALID_ENV, "%s is required for %s", var, cmd);
	return cni_detail(e, "environment variable %s", var);
}

static int check_needed(const struct cni_env *env, struct cni_error *e)
{
	int n = needs[env->command];
	const char *cmd = env->command_name;

	if ((n & NEED_ID) && !env->container_id)
		return missing(e, "CNI_CONTAINERID", cmd);
	if (env->container_id && !cni_name_valid(env->container_id))
		return cni_fail(e, CNI_ERR_INVALID_ENV,
				"CNI_CONTAINERID '%s' is not valid (letters, digits, '_', '.', "
				"'-', starting with a letter or digit)", env->container_id);
	if ((n & NEED_NETNS) && !env->netns)
		return missing(e, "CNI_NETNS", cmd);
	if ((n & NEED_IFNAME) && !env->ifname)
		return missing(e, "CNI_IFNAME", cmd);
	if (env->ifname && !ttt_ifname_valid(env->ifname))
		return cni_fail(e, CNI_ERR_INVALID_ENV, "CNI_IFNAME '%s' is not a valid interface name",
				env->ifname);
	if ((n & NEED_PATH) && !env->path)
		return missing(e, "CNI_PATH", cmd);
	return 0;
}

/* An empty variable counts as absent. */
static const char *get(const char *(*lookup)(const char *), const char *name)
{
	const char *v = lookup(name);

	return v && *v ? v : NULL;
}

int cni_env_load(const char *(*lookup)(const char *name), struct cni_env *env,
		 struct cni_error *e)
{
	const char *cmd = get(lookup, "CNI_COMMAND");

	memset(env, 0, sizeof(*env));
	if (!cmd) {
		cni_fail(e, CNI_ERR_INVALID_ENV, "CNI_COMMAND is not set");
		return cni_detail(e, "environment variable CNI_COMMAND");
	}
	if (parse_command(cmd, &env->command) < 0)
		return cni_fail(e, CNI_ERR_INVALID_ENV, "unknown CNI_COMMAND: %s", cmd);
	env->command_name = names[env->command];
	env->container_id = get(lookup, "CNI_CONTAINERID");
	env->netns = get(lookup, "CNI_NETNS");
	env->ifname = get(lookup, "CNI_IFNAME");
	env->args = get(lookup, "CNI_ARGS");
	if (!env->args)
		env->args = "";
	env->path = get(lookup, "CNI_PATH");
	return check_needed(env, e);
}
