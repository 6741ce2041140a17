/* SPDX-License-Identifier: MIT */
/* env.h - the CNI_* environment a runtime runs the plugin with */
#ifndef CNI_ENV_H
#define CNI_ENV_H

#include <stdbool.h>

#include "cni/lib/error.h"

enum cni_command { CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_VERSION, CNI_CMD_STATUS,
		   CNI_CMD_GC };

struct cni_env {
	enum cni_command command;
	const char *command_name;
	const char *container_id; /* NULL when not given (GC, STATUS, VERSION) */
	const char *netns;        /* NULL or "" when not given (DEL may lack it) */
	const char *ifname;
	const char *args;         /* CNI_ARGS, "" when not given */
	const char *path;         /* CNI_PATH */
};

/* Reads the variables through lookup (getenv in production) and checks the
 * ones the command needs: missing, empty or malformed ones are refused with
 * CNI_ERR_INVALID_ENV, as libcni's skel does. */
int cni_env_load(const char *(*lookup)(const char *name), struct cni_env *env,
		 struct cni_error *e);

const char *cni_command_name(enum cni_command c);

/* Whether a network name, plugin type or container ID follows the spec's
 * rule: a letter or digit, then letters, digits, '_', '.', '-'. */
bool cni_name_valid(const char *name);

#endif
