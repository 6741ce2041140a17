/* SPDX-License-Identifier: MIT */
/* collect.c - finding the tunnels of a node: control sockets and records */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"
#include "ttt/util/clock.h"

#define RECORD_MAX 65536 /* larger records are not ours */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static struct tunnel *add(struct tunnels *t)
{
	struct tunnel *v = realloc(t->v, (t->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	t->v = v;
	memset(&v[t->n], 0, sizeof(v[t->n]));
	return &v[t->n++];
}

/* Asks one worker; the outcome is in t. */
static void ask(struct tunnel *t)
{
	struct ttt_err err;
	long n;

	t->reply_buf = malloc(TTT_CONTROL_REPLY_MAX + 1);
	if (!t->reply_buf) {
		snprintf(t->error, sizeof(t->error), "out of memory");
		return;
	}
	n = ttt_control_query(t->sock, t->reply_buf, TTT_CONTROL_REPLY_MAX + 1, &err);
	if (n < 0) {
		snprintf(t->error, sizeof(t->error), "%s%s", err.msg,
			 err.code == ECONNREFUSED ? " (nobody answers: the worker died)" : "");
		return;
	}
	if (ttt_control_parse_reply(t->reply_buf, (size_t)n, &t->reply, &err) < 0) {
		snprintf(t->error, sizeof(t->error), "bad reply: %s", err.msg);
		return;
	}
	if (t->reply.errnum != 0) {
		snprintf(t->error, sizeof(t->error), "the worker refused: errno %d", t->reply.errnum);
		return;
	}
	t->answered = true;
}

/* Every <name>.sock of <dir>/sock, asked. */
static int sockets(const char *dir, struct tunnels *t, struct ttt_err *err)
{
	char sdir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (snprintf(sdir, sizeof(sdir), "%s/%s", dir, TTT_CONTROL_SUBDIR) >= (int)sizeof(sdir))
		return ttt_err_set(err, "directory %s: path too long", dir);
	d = opendir(sdir);
	if (!d)
		return errno == ENOENT ? 0 : ttt_err_sys(err, errno, "cannot list %s", sdir);
	while ((de = readdir(d)) != NULL) {
		size_t len;
		struct tunnel *x;
		if (!has_suffix(de->d_name, TTT_CONTROL_SUFFIX))
			continue;
		len = strlen(de->d_name) - strlen(TTT_CONTROL_SUFFIX);
		if (len > TTT_CONTROL_NAME_MAX)
			continue;
		x = add(t);
		if (!x) {
			closedir(d);
			return ttt_err_set(err, "out of memory");
		}
		memcpy(x->name, de->d_name, len);
		x->name[len] = '\0';
		if (snprintf(x->sock, sizeof(x->sock), "%s/%s", sdir, de->d_name) < (int)sizeof(x->sock))
			ask(x);
		else
			snprintf(x->error, sizeof(x->error), "the socket's path is too long");
	}
	closedir(d);
	return 0;
}

/* A record file, parsed; NULL when it is not a readable JSON object. */
static cJSON *read_record(int dfd, const char *name)
{
	char *buf = malloc(RECORD_MAX + 1);
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = -1;
	cJSON *o = NULL;

	if (fd >= 0 && buf)
		n = read(fd, buf, RECORD_MAX + 1);
	if (n > 0 && n <= RECORD_MAX) {
		buf[n] = '\0';
		o = cJSON_Parse(buf);
	}
	if (o && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return o;
}

static struct tunnel *by_name(struct tunnels *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!t->v[i].record && strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

/* Pairs a record with its worker's socket (or adds it alone). */
static int attach(struct tunnels *t, cJSON *rec, const char *net, const char *path)
{
	const cJSON *tn = cJSON_GetObjectItemCaseSensitive(rec, "tempName");
	const char *name = cJSON_IsString(tn) ? tn->valuestring : "";
	struct tunnel *x = name[0] ? by_name(t, name) : NULL;

	if (!x) {
		x = add(t);
		if (!x)
			return -1;
		snprintf(x->name, sizeof(x->name), "%s", name);
		snprintf(x->error, sizeof(x->error), "no control socket: the worker is not "
						     "running, or predates ttt");
	}
	x->record = rec;
	snprintf(x->network, sizeof(x->network), "%s", net);
	snprintf(x->record_path, sizeof(x->record_path), "%s", path);
	return 0;
}

/* The records of one network directory. */
static int records_of(const char *dir, const char *net, struct tunnels *t)
{
	char ndir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (snprintf(ndir, sizeof(ndir), "%s/%s", dir, net) >= (int)sizeof(ndir) ||
	    !(d = opendir(ndir)))
		return 0;
	while ((de = readdir(d)) != NULL) {
		cJSON *rec;
		if (de->d_name[0] == '.' || !strchr(de->d_name, ':') ||
		    !has_suffix(de->d_name, ".json") || !(rec = read_record(dirfd(d), de->d_name)))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", ndir, de->d_name) >= (int)sizeof(path))
			path[0] = '\0';
		if (attach(t, rec, net, path) < 0) {
			cJSON_Delete(rec);
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static int records(const char *dir, struct tunnels *t, struct ttt_err *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : ttt_err_sys(err, errno, "cannot list %s", dir);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (de->d_name[0] == '.' || strcmp(de->d_name, TTT_CONTROL_SUBDIR) == 0 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (records_of(dir, de->d_name, t) < 0) {
			closedir(d);
			return ttt_err_set(err, "out of memory");
		}
	}
	closedir(d);
	return 0;
}

/* Network, then container and interface, then name: a stable order. */
static int order(const void *a, const void *b)
{
	const struct tunnel *x = a, *y = b;
	int c = strcmp(x->network, y->network);

	if (c == 0)
		c = strcmp(tunnel_rec(x, "containerID"), tunnel_rec(y, "containerID"));
	if (c == 0)
		c = strcmp(tunnel_rec(x, "ifname"), tunnel_rec(y, "ifname"));
	return c ? c : strcmp(x->name, y->name);
}

int tunnels_collect(const char *dir, struct tunnels *t, struct ttt_err *err)
{
	memset(t, 0, sizeof(*t));
	t->now_ns = ttt_realtime_ns();
	if (sockets(dir, t, err) < 0 || records(dir, t, err) < 0) {
		tunnels_free(t);
		return -1;
	}
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), order);
	return 0;
}

void tunnels_free(struct tunnels *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].reply_buf);
		cJSON_Delete(t->v[i].record);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *tunnel_get(const struct tunnel *t, const char *key)
{
	return t->answered ? ttt_control_get(&t->reply, key) : NULL;
}

uint64_t tunnel_num(const struct tunnel *t, const char *key)
{
	const char *v = tunnel_get(t, key);
	char *end;
	unsigned long long n;

	if (!v || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	return errno || *end ? 0 : (uint64_t)n;
}

const char *tunnel_rec(const struct tunnel *t, const char *key)
{
	const cJSON *v = t->record ? cJSON_GetObjectItemCaseSensitive(t->record, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : "";
}

const char *tunnel_listen(const struct tunnel *t)
{
	const char *v = tunnel_get(t, "listen");

	return v ? v : tunnel_rec(t, "listen")[0] ? tunnel_rec(t, "listen") : NULL;
}

const char *tunnel_pod(const struct tunnel *t, char *out, size_t len)
{
	const char *ns = tunnel_rec(t, "podNamespace"), *name = tunnel_rec(t, "podName");

	if (!name[0])
		snprintf(out, len, "%s", "");
	else
		snprintf(out, len, "%s%s%s", ns, ns[0] ? "/" : "", name);
	return out;
}

bool tunnel_is_counter(const char *key)
{
	return strncmp(key, "tx_", 3) == 0 || strncmp(key, "rx_", 3) == 0;
}

bool tunnel_is_drop(const char *key)
{
	static const char *const traffic[] = { "tx_frames",	 "tx_bytes",	   "rx_frames",
					       "rx_bytes",	 "rx_peer_changes", "tx_keepalive",
					       "rx_keepalive",	 "tx_gso_refused", "tx_resegmented" };

	if (!tunnel_is_counter(key))
		return false;
	for (size_t i = 0; i < sizeof(traffic) / sizeof(traffic[0]); i++)
		if (strcmp(key, traffic[i]) == 0)
			return false;
	return true;
}
