/* SPDX-License-Identifier: MIT */
/* cmd_status.c - STATUS (1.1.0): can we serve ADD now?
 *
 * Ready when /dev/net/tun opens, the key file holds a key, ttt-worker is
 * installed and the IPAM plugin (if it speaks 1.1.0) reports ready too. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ipam.h"
#include "spawn.h"
#include "ttt/crypto/keyfile.h"

int cni_cmd_status(struct cni_ctx *c, struct cni_error *e)
{
	struct ttt_key *key = NULL;
	struct ttt_err err;
	char worker[PATH_MAX];
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return cni_fail(e, CNI_ERR_NOT_AVAILABLE, "cannot open /dev/net/tun: %s",
				strerror(errno));
	close(fd);
	if (!c->cfg.key_file)
		return cni_fail(e, CNI_ERR_NOT_AVAILABLE, "no keyFile is configured");
	if (ttt_keyfile_load(c->cfg.key_file, &key, NULL, &err) < 0)
		return cni_fail_err(e, CNI_ERR_NOT_AVAILABLE, &err);
	ttt_key_free(key);
	if (cni_find_worker(c->env.path, worker, e) < 0) {
		e->code = CNI_ERR_NOT_AVAILABLE;
		return -1;
	}
	return cni_ipam_network(c, "STATUS", e);
}
