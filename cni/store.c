/* SPDX-License-Identifier: MIT */
/* store.c - the state directory and its locks */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *dir, struct cni_error *e)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len >= sizeof(path))
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state directory path is too long");
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return cni_fail(e, CNI_ERR_IO, "cannot create %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return cni_fail(e, CNI_ERR_IO, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

/* Locks path, retrying when the file was unlinked (by a DEL) while we
 * waited, so two holders can never lock two different inodes. */
static int lock_file(const char *path, int op, struct cni_error *e)
{
	for (;;) {
		struct stat a, b;
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return cni_fail(e, CNI_ERR_IO, "cannot open lock %s: %s", path, strerror(errno));
		while (flock(fd, op) < 0) {
			if (errno != EINTR) {
				close(fd);
				return cni_fail(e, CNI_ERR_IO, "cannot lock %s: %s", path,
						strerror(errno));
			}
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

int cni_store_open(struct cni_store *s, const char *state_dir, const char *network,
		   bool exclusive, struct cni_error *e)
{
	char lock[PATH_MAX + 8];
	int n;

	s->net_lock = s->att_lock = -1;
	n = snprintf(s->dir, sizeof(s->dir), "%s/%s", state_dir, network);
	if (n < 0 || (size_t)n >= sizeof(s->dir))
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state directory path is too long");
	if (mkdir_p(s->dir, e) < 0)
		return -1;
	snprintf(lock, sizeof(lock), "%s/.lock", s->dir);
	s->net_lock = lock_file(lock, exclusive ? LOCK_EX : LOCK_SH, e);
	return s->net_lock < 0 ? -1 : 0;
}

int cni_store_path(const struct cni_store *s, const char *cid, const char *ifname,
		   const char *suffix, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s/%s:%s%s", s->dir, cid, ifname, suffix);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

int cni_store_lock(struct cni_store *s, const char *cid, const char *ifname,
		   struct cni_error *e)
{
	if (cni_store_path(s, cid, ifname, ".lock", s->att_lock_path) < 0)
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state path is too long");
	s->att_lock = lock_file(s->att_lock_path, LOCK_EX, e);
	return s->att_lock < 0 ? -1 : 0;
}

void cni_store_close(struct cni_store *s, bool remove_att_lock)
{
	if (s->att_lock >= 0) {
		if (remove_att_lock)
			(void)unlink(s->att_lock_path); /* while still holding it */
		close(s->att_lock);
		s->att_lock = -1;
	}
	if (s->net_lock >= 0) {
		close(s->net_lock);
		s->net_lock = -1;
	}
}
