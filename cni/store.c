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

static int bad_dir(struct cni_error *e, const char *path, const char *why)
{
	cni_fail(e, CNI_ERR_INVALID_CONFIG, "state directory %s %s", path, why);
	return cni_detail(e, "stateDir");
}

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

/* The directory name (relative to at, or absolute), opened without
 * following a symbolic link, and checked to be the plugin's own. */
static int open_own_dir(int at, const char *name, const char *path, struct cni_error *e)
{
	struct stat st;
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return bad_dir(e, path, "is not a directory (a symbolic link?): refused");
	if (fd < 0) {
		cni_fail(e, CNI_ERR_IO, "cannot open state directory %s: %s", path, strerror(errno));
		return cni_detail(e, "stateDir");
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return cni_fail(e, CNI_ERR_IO, "cannot stat state directory %s: %s", path,
				strerror(errno));
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		if (st.st_uid != geteuid())
			return bad_dir(e, path, "is not owned by root: refused (whoever owns it "
						"could redirect what the plugin writes there)");
		return bad_dir(e, path, "is writable by group or others: refused (chmod 0700 it)");
	}
	return fd;
}

/* Locks name, retrying when the file was unlinked (by a DEL) while we
 * waited, so two holders can never lock two different inodes. */
static int lock_file(const struct cni_store *s, const char *name, int op, struct cni_error *e)
{
	for (;;) {
		struct stat a, b;
		int fd = cni_store_openat(s, name, O_RDWR | O_CREAT, 0600);
		if (fd < 0)
			return cni_fail(e, CNI_ERR_IO, "cannot open lock %s/%s: %s", s->dir, name,
					strerror(errno));
		while (flock(fd, op) < 0) {
			if (errno != EINTR) {
				close(fd);
				return cni_fail(e, CNI_ERR_IO, "cannot lock %s/%s: %s", s->dir, name,
						strerror(errno));
			}
		}
		if (fstat(fd, &a) == 0 && fstatat(s->dir_fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

int cni_store_open(struct cni_store *s, const char *state_dir, const char *network,
		   bool exclusive, struct cni_error *e)
{
	int top, n;

	s->net_lock = s->att_lock = s->dir_fd = -1;
	n = snprintf(s->dir, sizeof(s->dir), "%s/%s", state_dir, network);
	if (n < 0 || (size_t)n >= sizeof(s->dir))
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state directory path is too long");
	if (mkdir_p(state_dir, e) < 0 || (top = open_own_dir(AT_FDCWD, state_dir, state_dir, e)) < 0)
		return -1;
	if (mkdirat(top, network, 0700) < 0 && errno != EEXIST) {
		cni_fail(e, CNI_ERR_IO, "cannot create %s: %s", s->dir, strerror(errno));
		close(top);
		return -1;
	}
	s->dir_fd = open_own_dir(top, network, s->dir, e);
	close(top);
	if (s->dir_fd < 0)
		return -1;
	s->net_lock = lock_file(s, ".lock", exclusive ? LOCK_EX : LOCK_SH, e);
	return s->net_lock < 0 ? -1 : 0;
}

int cni_store_name(const char *cid, const char *ifname, const char *suffix, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s:%s%s", cid, ifname, suffix);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

int cni_store_path(const struct cni_store *s, const char *cid, const char *ifname,
		   const char *suffix, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s/%s:%s%s", s->dir, cid, ifname, suffix);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

int cni_store_openat(const struct cni_store *s, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd = openat(s->dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
			mode);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int cni_store_lock(struct cni_store *s, const char *cid, const char *ifname,
		   struct cni_error *e)
{
	if (cni_store_name(cid, ifname, ".lock", s->att_lock_name) < 0)
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state path is too long");
	s->att_lock = lock_file(s, s->att_lock_name, LOCK_EX, e);
	return s->att_lock < 0 ? -1 : 0;
}

void cni_store_close(struct cni_store *s, bool remove_att_lock)
{
	if (s->att_lock >= 0) {
		if (remove_att_lock)
			(void)unlinkat(s->dir_fd, s->att_lock_name, 0); /* while still holding it */
		close(s->att_lock);
		s->att_lock = -1;
	}
	if (s->net_lock >= 0) {
		close(s->net_lock);
		s->net_lock = -1;
	}
	if (s->dir_fd >= 0) {
		close(s->dir_fd);
		s->dir_fd = -1;
	}
}
