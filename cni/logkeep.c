/* SPDX-License-Identifier: MIT */
/* logkeep.c - keeping the logs of removed attachments, within bounds */
#include "logkeep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PRUNE_SCAN_MAX 1024 /* files looked at per prune (more go in later prunes) */

/* Appends "tinytaptunnel: <time> <why>: ..." to the log name. */
static void last_line(const struct cni_store *s, const char *name, const char *stamp,
		      const char *why)
{
	char line[256];
	int fd = cni_store_openat(s, name, O_WRONLY | O_APPEND, 0);
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "tinytaptunnel: %s %s: attachment removed, worker "
					 "stopped; log kept in %s/\n", stamp, why, CNI_LOGKEEP_DIR);
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		n = 0; /* the log is kept all the same */
	close(fd);
}

/* The kept logs' directory, created 0700 and opened without following a
 * symbolic link; -1 when there is none. */
static int open_old(const struct cni_store *s, bool create)
{
	if (create && mkdirat(s->dir_fd, CNI_LOGKEEP_DIR, 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(s->dir_fd, CNI_LOGKEEP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Moves name (in the network's directory) to old/<base><suffix> without
 * replacing anything (linkat never follows a link); on a name taken
 * already, tries <base>-2, -3... out receives the name in old/. */
static int move(const struct cni_store *s, const char *name, int old_fd, const char *base,
		const char *suffix, char out[PATH_MAX])
{
	for (int i = 1; i <= 9; i++) {
		char alt[8] = "";
		if (i > 1)
			snprintf(alt, sizeof(alt), "-%d", i);
		if (snprintf(out, PATH_MAX, "%s%s%s", base, alt, suffix) >= PATH_MAX)
			return -1;
		if (linkat(s->dir_fd, name, old_fd, out, 0) == 0)
			return unlinkat(s->dir_fd, name, 0);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Whether name is a regular file in the network's directory. */
static bool is_file(const struct cni_store *s, const char *name)
{
	struct stat st;

	return fstatat(s->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

void cni_log_keep(const struct cni_store *s, const char *cid, const char *ifname,
		  const char *why, char kept[PATH_MAX])
{
	char log[PATH_MAX], log1[PATH_MAX], base[256], stamp[32], moved[PATH_MAX], spare[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;
	int old_fd;

	kept[0] = '\0';
	if (cni_store_name(cid, ifname, ".log", log) < 0 ||
	    cni_store_name(cid, ifname, ".log.1", log1) < 0 || !is_file(s, log))
		return;
	if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return;
	last_line(s, log, stamp, why);
	/* A file name holds 255 bytes: the container ID gives way. */
	snprintf(base, sizeof(base), "%.200s:%s.%s", cid, ifname, stamp);
	old_fd = open_old(s, true);
	if (old_fd < 0)
		return;
	if (move(s, log, old_fd, base, ".log", moved) == 0 &&
	    snprintf(kept, PATH_MAX, "%s/%s/%s", s->dir, CNI_LOGKEEP_DIR, moved) < PATH_MAX) {
		/* The rotated part, beside it under the same name. */
		if (is_file(s, log1) && snprintf(spare, sizeof(spare), "%s.1", moved) < PATH_MAX &&
		    linkat(s->dir_fd, log1, old_fd, spare, 0) == 0)
			(void)unlinkat(s->dir_fd, log1, 0);
	} else {
		kept[0] = '\0';
	}
	close(old_fd);
	cni_log_prune(s);
}

struct kept {
	char name[256];
	time_t mtime;
	off_t size;
};

static int oldest_first(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Reads the kept files of dir into k (at most PRUNE_SCAN_MAX). */
static size_t scan(DIR *d, struct kept *k, off_t *total)
{
	struct dirent *de;
	size_t n = 0;

	*total = 0;
	while (n < PRUNE_SCAN_MAX && (de = readdir(d)) != NULL) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		snprintf(k[n].name, sizeof(k[n].name), "%s", de->d_name);
		k[n].mtime = st.st_mtime;
		k[n].size = st.st_size;
		*total += st.st_size;
		n++;
	}
	return n;
}

void cni_log_prune(const struct cni_store *s)
{
	struct kept *k;
	time_t limit = time(NULL) - CNI_LOGKEEP_SECONDS;
	off_t total;
	size_t n;
	int fd = open_old(s, false);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	k = malloc(PRUNE_SCAN_MAX * sizeof(*k));
	if (!k) {
		closedir(d);
		return;
	}
	n = scan(d, k, &total);
	qsort(k, n, sizeof(*k), oldest_first);
	for (size_t i = 0; i < n; i++) {
		size_t left = n - i; /* files still kept, this one included */
		bool over = left > CNI_LOGKEEP_COUNT || (total > CNI_LOGKEEP_BYTES && left > 1);
		if (!over && k[i].mtime >= limit)
			continue;
		if (unlinkat(dirfd(d), k[i].name, 0) == 0 || errno == ENOENT)
			total -= k[i].size;
	}
	free(k);
	closedir(d);
}
