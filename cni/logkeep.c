/* SPDX-License-Identifier: MIT */
/* logkeep.c - keeping the logs of removed attachments, within bounds */
#include "logkeep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PRUNE_SCAN_MAX 1024 /* files looked at per prune (more go in later prunes) */

/* Appends "tinytaptunnel: <time> <why>: ..." to the log at path. */
static void last_line(const char *path, const char *stamp, const char *why)
{
	char line[256];
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "tinytaptunnel: %s %s: attachment removed, worker "
					 "stopped; log kept in %s/\n", stamp, why, CNI_LOGKEEP_DIR);
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		n = 0; /* the log is kept all the same */
	close(fd);
}

/* Moves from to dir/<base><suffix> without replacing anything; on a name
 * taken already, tries <base>-2, -3... */
static int move(const char *from, const char *dir, const char *base, const char *suffix,
		char out[PATH_MAX])
{
	for (int i = 1; i <= 9; i++) {
		char alt[8] = "";
		if (i > 1)
			snprintf(alt, sizeof(alt), "-%d", i);
		if (snprintf(out, PATH_MAX, "%s/%s%s%s", dir, base, alt, suffix) >= PATH_MAX)
			return -1;
		if (link(from, out) == 0)
			return unlink(from);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

void cni_log_keep(const struct cni_store *s, const char *cid, const char *ifname,
		  const char *why, char kept[PATH_MAX])
{
	char log[PATH_MAX], log1[PATH_MAX], dir[PATH_MAX], base[256], stamp[32], spare[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;

	kept[0] = '\0';
	if (cni_store_path(s, cid, ifname, ".log", log) < 0 ||
	    cni_store_path(s, cid, ifname, ".log.1", log1) < 0 || access(log, F_OK) < 0 ||
	    snprintf(dir, sizeof(dir), "%s/%s", s->dir, CNI_LOGKEEP_DIR) >= (int)sizeof(dir))
		return;
	if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return;
	last_line(log, stamp, why);
	/* A file name holds 255 bytes: the container ID gives way. */
	snprintf(base, sizeof(base), "%.200s:%s.%s", cid, ifname, stamp);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return;
	if (move(log, dir, base, ".log", kept) < 0) {
		kept[0] = '\0';
		return;
	}
	/* The rotated part, beside it under the same name. */
	if (access(log1, F_OK) == 0) {
		snprintf(spare, sizeof(spare), "%s.1", kept);
		if (link(log1, spare) == 0)
			(void)unlink(log1);
	}
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
	char dir[PATH_MAX];
	struct kept *k;
	time_t limit = time(NULL) - CNI_LOGKEEP_SECONDS;
	off_t total;
	size_t n;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/%s", s->dir, CNI_LOGKEEP_DIR) >= (int)sizeof(dir) ||
	    !(d = opendir(dir)))
		return;
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
