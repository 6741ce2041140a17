/* SPDX-License-Identifier: MIT */
/* gone.c - `ttt show --gone`: the kept logs of removed attachments
 * (<dir>/<network>/old/, see cni/logkeep.h), newest last */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"
#include "ttt/util/clock.h"

#define TAIL 4096

struct gone {
	char network[256];
	char path[PATH_MAX];
	struct stat st;
	char stats[TAIL]; /* the last "stats: ..." line the worker wrote, or "" */
};

/* The counters the worker logged last (when it stopped). */
static void last_stats(const char *path, char *out, size_t len)
{
	char buf[TAIL + 1], *hit = NULL, *p = buf, *nl;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	ssize_t n = -1;

	out[0] = '\0';
	if (end >= 0 && lseek(fd, end > TAIL ? end - TAIL : 0, SEEK_SET) >= 0)
		n = read(fd, buf, TAIL);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while ((p = strstr(p, "stats: ")) != NULL)
		hit = p++;
	if (!hit)
		return;
	hit += strlen("stats: ");
	nl = strchr(hit, '\n');
	if (nl)
		*nl = '\0';
	snprintf(out, len, "%s", hit);
}

static int by_time(const void *a, const void *b)
{
	const struct gone *x = a, *y = b;

	if (x->st.st_mtime != y->st.st_mtime)
		return x->st.st_mtime < y->st.st_mtime ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Appends the kept logs of one network to *v. */
static int scan_network(const char *dir, const char *net, struct gone **v, size_t *n)
{
	char odir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (snprintf(odir, sizeof(odir), "%s/%s/old", dir, net) >= (int)sizeof(odir) ||
	    !(d = opendir(odir)))
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct gone *g, *nv;
		if (de->d_name[0] == '.')
			continue;
		nv = realloc(*v, (*n + 1) * sizeof(**v));
		if (!nv) {
			closedir(d);
			return -1;
		}
		*v = nv;
		g = &nv[*n];
		snprintf(g->network, sizeof(g->network), "%s", net);
		if (snprintf(g->path, sizeof(g->path), "%s/%s", odir, de->d_name) >= (int)sizeof(g->path) ||
		    lstat(g->path, &g->st) < 0 || !S_ISREG(g->st.st_mode))
			continue;
		last_stats(g->path, g->stats, sizeof(g->stats));
		(*n)++;
	}
	closedir(d);
	return 0;
}

static int scan_all(const char *dir, struct gone **v, size_t *n)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	*v = NULL;
	*n = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, TTT_CONTROL_SUBDIR) == 0)
			continue;
		if (scan_network(dir, de->d_name, v, n) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), by_time);
	return 0;
}

static void print_text(FILE *out, const struct gone *v, size_t n)
{
	uint64_t now = ttt_realtime_ns();
	char ago[96];

	for (size_t i = 0; i < n; i++) {
		uint64_t m = (uint64_t)v[i].st.st_mtime * TTT_NSEC_PER_SEC;
		format_duration(now > m ? now - m : 0, ago, sizeof(ago));
		fprintf(out, "%slog: %s\n  network: %s\n  last written: %s ago\n  size: %lld bytes\n",
			i ? "\n" : "", v[i].path, v[i].network, ago, (long long)v[i].st.st_size);
		if (v[i].stats[0])
			fprintf(out, "  last counters: %s\n", v[i].stats);
	}
}

static int print_json(FILE *out, const struct gone *v, size_t n)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = root ? cJSON_AddArrayToObject(root, "gone") : NULL;
	char *text;

	for (size_t i = 0; list && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (o && !cJSON_AddItemToArray(list, o)) {
			cJSON_Delete(o);
			o = NULL;
		}
		if (!o || !cJSON_AddStringToObject(o, "network", v[i].network) ||
		    !cJSON_AddStringToObject(o, "log", v[i].path) ||
		    !cJSON_AddNumberToObject(o, "modified", (double)v[i].st.st_mtime) ||
		    !cJSON_AddNumberToObject(o, "bytes", (double)v[i].st.st_size) ||
		    !cJSON_AddStringToObject(o, "last_stats", v[i].stats))
			list = NULL;
	}
	text = list ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return -1;
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}

int show_gone(FILE *out, const char *dir, bool json)
{
	struct gone *v;
	size_t n;
	int rc;

	if (scan_all(dir, &v, &n) < 0) {
		free(v);
		fprintf(stderr, "%s: out of memory\n", TOOL_NAME);
		return -1;
	}
	rc = 0;
	if (json)
		rc = print_json(out, v, n);
	else
		print_text(out, v, n);
	free(v);
	return rc;
}
