/* SPDX-License-Identifier: MIT */
/* keyfile.c - loading, parsing and generating the preshared key file */
#include "ttt/crypto/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"

/* Guarded, locked memory that sodium_free wipes. */
static void *secure_alloc(size_t size)
{
	if (sodium_init() < 0)
		return NULL;
	return sodium_malloc(size);
}

/* sodium_malloc puts the block's end against a guard page, so its start is
 * aligned only when the size is a multiple of the alignment: round it up. */
static struct ttt_key *key_alloc(size_t len)
{
	const size_t align = _Alignof(max_align_t);
	struct ttt_key *key;

	if (len > SIZE_MAX - sizeof(*key) - align)
		return NULL;
	key = secure_alloc((sizeof(*key) + len + align - 1) / align * align);

	if (key)
		key->len = len;
	return key;
}

void ttt_key_free(struct ttt_key *key)
{
	if (key)
		sodium_free(key); /* sodium_free wipes before freeing */
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int ttt_key_parse(const char *text, size_t n, struct ttt_key **out, struct ttt_err *err)
{
	size_t start = 0, bad = 0;
	struct ttt_key *key;
	ssize_t got;

	while (start < n && is_space(text[start]))
		start++;
	while (n > start && is_space(text[n - 1]))
		n--;
	if (n == start)
		return ttt_err_set(err, "it holds no key (empty)");
	key = key_alloc(ttt_base64_decoded_max(n - start));
	if (!key)
		return ttt_err_set(err, "out of secure memory");
	got = ttt_base64_decode(text + start, n - start, key->bytes, key->len, &bad);
	if (got <= 0) {
		ttt_key_free(key);
		if (got == 0)
			return ttt_err_set(err, "it holds no key (empty)");
		return ttt_err_set(err, "not valid base64 (at character %zu)", start + bad + 1);
	}
	key->len = (size_t)got;
	*out = key;
	return 0;
}

/* Reads at most TTT_KEYFILE_MAX bytes of fd into secure memory. */
static char *read_secret(int fd, size_t *len, const char *path, struct ttt_err *err)
{
	char *buf = secure_alloc(TTT_KEYFILE_MAX + 1);
	size_t used = 0;

	if (!buf) {
		ttt_err_set(err, "key file %s: out of secure memory", path);
		return NULL;
	}
	while (used <= TTT_KEYFILE_MAX) {
		ssize_t r = read(fd, buf + used, TTT_KEYFILE_MAX + 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ttt_err_sys(err, errno, "cannot read key file %s", path);
			sodium_free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	if (used > TTT_KEYFILE_MAX) {
		ttt_err_set(err, "key file %s is too large (more than %d bytes)", path,
			    TTT_KEYFILE_MAX);
		sodium_free(buf);
		return NULL;
	}
	*len = used;
	return buf;
}

/* Opens path for reading only once it is known to be a regular file: the
 * path is first resolved with O_PATH (symbolic links followed, as v1.4
 * did, but nothing opened: a device node or FIFO never sees an open(2) from
 * us), checked with fstat, and only then reopened through /proc/self/fd for
 * reading, so what is read is the very file that was checked. Without
 * /proc the path is opened again and must still be the same regular file
 * (only then could a path swapped in between reach a device's open). */
static int open_regular(const char *path, struct ttt_keyfile_info *info, struct ttt_err *err)
{
	struct stat st, again;
	char proc[64];
	int fd, pfd = open(path, O_PATH | O_CLOEXEC);

	if (pfd < 0)
		return ttt_err_sys(err, errno, "cannot open key file %s", path);
	if (fstat(pfd, &st) < 0) {
		ttt_err_sys(err, errno, "cannot stat key file %s", path);
		close(pfd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ttt_err_set(err, "key file %s is not a regular file", path);
		close(pfd);
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) /* no /proc mounted */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	close(pfd);
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot open key file %s", path);
	if (fstat(fd, &again) < 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino) {
		ttt_err_set(err, "key file %s changed while it was opened", path);
		close(fd);
		return -1;
	}
	if (info) {
		info->created = false;
		info->mode = st.st_mode & 07777;
	}
	return fd;
}

int ttt_keyfile_load(const char *path, struct ttt_key **key, struct ttt_keyfile_info *info,
		     struct ttt_err *err)
{
	struct ttt_err why;
	size_t len = 0;
	char *text;
	int fd, rc;

	fd = open_regular(path, info, err);
	if (fd < 0)
		return -1;
	text = read_secret(fd, &len, path, err);
	close(fd);
	if (!text)
		return -1;
	rc = ttt_key_parse(text, len, key, &why);
	sodium_free(text);
	if (rc < 0)
		return ttt_err_set(err, "key file %s: %s", path, why.msg);
	return 0;
}

/* Writes all of buf, retrying short writes. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Fills a new temporary file beside path with the base64 of key. */
static int write_temp(const char *tmp, int fd, const struct ttt_key *key, struct ttt_err *err)
{
	size_t n = ttt_base64_encoded_len(key->len);
	char *text = secure_alloc(n + 1);
	int rc = -1;

	if (!text)
		return ttt_err_set(err, "out of secure memory");
	ttt_base64_encode(key->bytes, key->len, text);
	if (fchmod(fd, 0600) < 0)
		ttt_err_sys(err, errno, "cannot set mode of %s", tmp);
	else if (write_all(fd, text, n) < 0)
		ttt_err_sys(err, errno, "cannot write %s", tmp);
	else if (fsync(fd) < 0)
		ttt_err_sys(err, errno, "cannot sync %s", tmp);
	else
		rc = 0;
	sodium_free(text);
	return rc;
}

/* Splits path into its directory (for messages and fsync) and a temp name. */
static int temp_name(const char *path, char *dir, char *tmp, struct ttt_err *err)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	const char *base = slash ? slash + 1 : path;
	int n;

	if (*base == '\0')
		return ttt_err_set(err, "key file path %s names a directory", path);
	if (dlen >= PATH_MAX)
		return ttt_err_set(err, "key file path %s is too long", path);
	if (slash)
		snprintf(dir, PATH_MAX, "%.*s", (int)(dlen ? dlen : 1), path);
	else
		snprintf(dir, PATH_MAX, ".");
	n = snprintf(tmp, PATH_MAX, "%s/.%s.XXXXXX", dir, base);
	if (n < 0 || n >= PATH_MAX)
		return ttt_err_set(err, "key file path %s is too long", path);
	return 0;
}

/* Publishes tmp as path without ever replacing an existing file. */
static int publish(const char *tmp, const char *path, const char *dir, struct ttt_err *err)
{
	int dfd;

	if (link(tmp, path) < 0)
		return ttt_err_sys(err, errno, "cannot create key file %s", path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd); /* best effort: the key is already usable */
		close(dfd);
	}
	return 0;
}

static int create_in(const char *path, const struct ttt_key *key, struct ttt_err *err)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd, rc;

	if (temp_name(path, dir, tmp, err) < 0)
		return -1;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ttt_err_set(err, "cannot create key file %s: directory %s does not exist",
					   path, dir);
		return ttt_err_sys(err, errno, "cannot create key file %s in %s", path, dir);
	}
	rc = write_temp(tmp, fd, key, err);
	if (close(fd) < 0 && rc == 0)
		rc = ttt_err_sys(err, errno, "cannot write %s", tmp);
	if (rc == 0)
		rc = publish(tmp, path, dir, err);
	(void)unlink(tmp);
	return rc;
}

int ttt_keyfile_write(const char *path, const struct ttt_key *key, struct ttt_err *err)
{
	return create_in(path, key, err);
}

int ttt_keyfile_create(const char *path, struct ttt_key **out, struct ttt_err *err)
{
	struct ttt_key *key = key_alloc(TTT_KEY_GEN_LEN);

	if (!key)
		return ttt_err_set(err, "out of secure memory");
	randombytes_buf(key->bytes, key->len);
	if (create_in(path, key, err) < 0) {
		ttt_key_free(key);
		return -1;
	}
	*out = key;
	return 0;
}

struct ttt_key *ttt_key_new(size_t len)
{
	return key_alloc(len);
}

int ttt_key_print_new(int fd, struct ttt_err *err)
{
	size_t n = ttt_base64_encoded_len(TTT_KEY_GEN_LEN);
	struct ttt_key *key = key_alloc(TTT_KEY_GEN_LEN);
	char *text = secure_alloc(n + 2);
	int rc = 0;

	if (!key || !text) {
		rc = ttt_err_set(err, "out of secure memory");
	} else {
		randombytes_buf(key->bytes, key->len);
		ttt_base64_encode(key->bytes, key->len, text);
		text[n] = '\n';
		if (write_all(fd, text, n + 1) < 0)
			rc = ttt_err_sys(err, errno, "cannot write the key");
	}
	ttt_key_free(key);
	if (text)
		sodium_free(text);
	return rc;
}

int ttt_keyfile_load_or_create(const char *path, struct ttt_key **key,
			       struct ttt_keyfile_info *info, struct ttt_err *err)
{
	struct ttt_keyfile_info unused;

	if (!info)
		info = &unused;
	if (ttt_keyfile_load(path, key, info, err) == 0)
		return 0;
	if (err->code != ENOENT)
		return -1;
	if (ttt_keyfile_create(path, key, err) == 0) {
		info->created = true;
		info->mode = 0600;
		return 0;
	}
	if (err->code != EEXIST)
		return -1;
	/* Another process created it between our two calls: use theirs. */
	return ttt_keyfile_load(path, key, info, err);
}
