/* SPDX-License-Identifier: MIT */
/* state.c - attachment records as JSON files */
#include "state.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logkeep.h"
#include "ttt/worker/control.h"

static cJSON *to_json(const struct cni_state *st)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "containerID", st->container_id) ||
	    !cJSON_AddStringToObject(o, "ifname", st->ifname) ||
	    !cJSON_AddStringToObject(o, "netns", st->netns) ||
	    !cJSON_AddBoolToObject(o, "ready", st->ready) ||
	    !cJSON_AddStringToObject(o, "tempName", st->temp_name) ||
	    !cJSON_AddBoolToObject(o, "ipamStarted", st->ipam_started) ||
	    !cJSON_AddNumberToObject(o, "workerPid", st->worker_pid) ||
	    !cJSON_AddNumberToObject(o, "workerStart", (double)st->worker_start) ||
	    !cJSON_AddStringToObject(o, "mac", st->mac) ||
	    !cJSON_AddBoolToObject(o, "moved", st->moved) ||
	    !cJSON_AddNumberToObject(o, "ifindex", st->ifindex) ||
	    !cJSON_AddStringToObject(o, "listen", st->listen) ||
	    !cJSON_AddStringToObject(o, "peer", st->peer) ||
	    !cJSON_AddStringToObject(o, "link", st->link) ||
	    !cJSON_AddNumberToObject(o, "mtu", st->mtu) ||
	    (st->pod_namespace[0] &&
	     !cJSON_AddStringToObject(o, "podNamespace", st->pod_namespace)) ||
	    (st->pod_name[0] && !cJSON_AddStringToObject(o, "podName", st->pod_name))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static void copy(char *dst, size_t len, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	snprintf(dst, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static double number(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : 0;
}

static void from_json(const cJSON *o, struct cni_state *st)
{
	memset(st, 0, sizeof(*st));
	copy(st->container_id, sizeof(st->container_id), o, "containerID");
	copy(st->ifname, sizeof(st->ifname), o, "ifname");
	copy(st->netns, sizeof(st->netns), o, "netns");
	copy(st->temp_name, sizeof(st->temp_name), o, "tempName");
	copy(st->mac, sizeof(st->mac), o, "mac");
	copy(st->listen, sizeof(st->listen), o, "listen");
	copy(st->peer, sizeof(st->peer), o, "peer");
	copy(st->link, sizeof(st->link), o, "link");
	copy(st->pod_namespace, sizeof(st->pod_namespace), o, "podNamespace");
	copy(st->pod_name, sizeof(st->pod_name), o, "podName");
	st->moved = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "moved"));
	st->ifindex = (int)number(o, "ifindex");
	st->ready = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ready"));
	st->ipam_started = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ipamStarted"));
	st->worker_pid = (pid_t)number(o, "workerPid");
	st->worker_start = (uint64_t)number(o, "workerStart");
	st->mtu = number(o, "mtu") <= 65535 ? (unsigned)number(o, "mtu") : 0;
}

/* Writes text into a new file name (O_EXCL: a leftover of a plugin that
 * died is removed first, never followed). No fsync: a record guards
 * recovery within one boot (a plugin that dies loses nothing the kernel
 * has, and the rename is atomic), and nothing it names outlives the
 * machine - workers, taps, the container's namespace. After a power loss
 * the record may be missing or empty (read_record takes that for no
 * record): DEL still asks the IPAM plugin to release, as for a container
 * it never saw. */
static int write_file(const struct cni_store *s, const char *name, const char *text,
		      struct cni_error *e)
{
	size_t len = strlen(text);
	int fd = cni_store_openat(s, name, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0 && errno == EEXIST && unlinkat(s->dir_fd, name, 0) == 0)
		fd = cni_store_openat(s, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot write %s/%s: %s", s->dir, name, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len) {
		cni_fail(e, CNI_ERR_IO, "cannot write %s/%s: %s", s->dir, name, strerror(errno));
		close(fd);
		return -1;
	}
	return close(fd) < 0 ? cni_fail(e, CNI_ERR_IO, "cannot write %s/%s", s->dir, name) : 0;
}

int cni_state_save(const struct cni_store *s, const struct cni_state *st, struct cni_error *e)
{
	char name[PATH_MAX], tmp[PATH_MAX];
	cJSON *o = to_json(st);
	char *text = o ? cJSON_Print(o) : NULL;
	int rc = -1;

	cJSON_Delete(o);
	if (!text)
		return cni_fail(e, CNI_ERR_INTERNAL, "out of memory");
	if (cni_store_name(st->container_id, st->ifname, ".json", name) < 0 ||
	    cni_store_name(st->container_id, st->ifname, ".json.tmp", tmp) < 0)
		cni_fail(e, CNI_ERR_INVALID_CONFIG, "state path is too long");
	else if (write_file(s, tmp, text, e) == 0)
		rc = renameat(s->dir_fd, tmp, s->dir_fd, name) < 0
			     ? cni_fail(e, CNI_ERR_IO, "cannot rename %s/%s: %s", s->dir, tmp,
					strerror(errno))
			     : 0;
	free(text);
	return rc;
}

static int read_record(const struct cni_store *s, const char *name, struct cni_state *st,
		       bool *found, struct cni_error *e)
{
	char buf[8192];
	ssize_t n;
	cJSON *o;
	int fd = cni_store_openat(s, name, O_RDONLY, 0);

	*found = false;
	if (fd < 0)
		return errno == ENOENT ? 0
				       : cni_fail(e, CNI_ERR_IO, "cannot read %s/%s: %s", s->dir, name,
						  strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return cni_fail(e, CNI_ERR_IO, "cannot read %s/%s: %s", s->dir, name, strerror(errno));
	if (n == 0)
		return 0; /* left by a machine crash (see write_file): nothing to recover */
	buf[n] = '\0';
	o = cJSON_Parse(buf);
	if (!o)
		return cni_fail(e, CNI_ERR_DECODE, "state file %s/%s is corrupt", s->dir, name);
	from_json(o, st);
	cJSON_Delete(o);
	*found = true;
	return 0;
}

int cni_state_load(const struct cni_store *s, const char *cid, const char *ifname,
		   struct cni_state *st, bool *found, struct cni_error *e)
{
	char name[PATH_MAX];

	if (cni_store_name(cid, ifname, ".json", name) < 0)
		return cni_fail(e, CNI_ERR_INVALID_CONFIG, "state path is too long");
	return read_record(s, name, st, found, e);
}

int cni_state_control_dir(const struct cni_store *s, char out[PATH_MAX])
{
	const char *slash = strrchr(s->dir, '/'); /* s->dir is <stateDir>/<network> */
	int n;

	if (!slash)
		return -1;
	n = snprintf(out, PATH_MAX, "%.*s/%s", (int)(slash - s->dir), s->dir, TTT_CONTROL_SUBDIR);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

int cni_state_control_path(const struct cni_store *s, const struct cni_state *st,
			   char out[PATH_MAX])
{
	char dir[PATH_MAX];
	int n;

	if (!st->temp_name[0] || cni_state_control_dir(s, dir) < 0)
		return -1;
	n = snprintf(out, PATH_MAX, "%s/%s%s", dir, st->temp_name, TTT_CONTROL_SUFFIX);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

void cni_state_remove(const struct cni_store *s, struct cni_state *st, const char *why)
{
	static const char *const suffixes[] = { ".json", ".json.tmp", ".replay" };
	char name[PATH_MAX], path[PATH_MAX];

	/* The worker is gone: its supervisor removed the socket, unless killed. */
	if (cni_state_control_path(s, st, path) == 0)
		(void)unlink(path);
	cni_log_keep(s, st->container_id, st->ifname, why, st->kept_log);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (cni_store_name(st->container_id, st->ifname, suffixes[i], name) == 0)
			(void)unlinkat(s->dir_fd, name, 0);
}

static bool is_record(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0 && strchr(name, ':');
}

int cni_state_each(const struct cni_store *s, int (*fn)(struct cni_state *st, void *arg),
		   void *arg, struct cni_error *e)
{
	int fd = dup(s->dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return cni_fail(e, CNI_ERR_IO, "cannot list %s: %s", s->dir, strerror(errno));
	}
	rewinddir(d);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct cni_state st;
		bool found;
		if (!is_record(de->d_name))
			continue;
		if (read_record(s, de->d_name, &st, &found, e) == 0 && found)
			rc = fn(&st, arg);
	}
	closedir(d);
	return rc;
}
