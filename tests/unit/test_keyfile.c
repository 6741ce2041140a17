/* SPDX-License-Identifier: MIT */
/* test_keyfile.c - reading, refusing and generating key files */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/base64.h"
#include "ttt/crypto/keyfile.h"

static char dir[256];

static int make_dir(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/ttt-keyfile-XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *in_dir(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int entries_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

static void vector_key(void **state)
{
	static const char hex[] = "014f094a602b96a70053b2ea33d8fe4375d5150c9716a25bd9feb8e23b4cd7c9";
	struct ttt_key *key = NULL;
	struct ttt_err err;
	size_t n;
	uint8_t *want = hex_decode(hex, &n);

	(void)state;
	if (ttt_keyfile_load(vector_path("preshared.key"), &key, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(key->len, 32);
	assert_memory_equal(key->bytes, want, 32);
	ttt_key_free(key);
	free(want);
}

static void generated_file(void **state)
{
	const char *path = in_dir("new.key");
	struct ttt_keyfile_info info;
	struct ttt_key *key = NULL, *again = NULL;
	struct ttt_err err;
	struct stat st;
	size_t len;
	char *text;
	mode_t old = umask(0);

	(void)state;
	if (ttt_keyfile_load_or_create(path, &key, &info, &err) < 0)
		fail_msg("%s", err.msg);
	umask(old);
	assert_true(info.created);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600); /* even with umask 0 */
	text = slurp(path, &len);
	assert_int_equal(len, 44); /* base64 of 32 bytes, no newline, as v1.4 */
	assert_null(strchr(text, '\n'));
	assert_int_equal(key->len, 32);
	assert_int_equal(ttt_keyfile_load(path, &again, NULL, &err), 0);
	assert_memory_equal(key->bytes, again->bytes, 32);
	assert_int_equal(entries_in_dir(), 1); /* no temporary file left */
	ttt_key_free(key);
	ttt_key_free(again);
	free(text);
	unlink(path);
}

static void never_overwritten(void **state)
{
	const char *path = in_dir("old.key");
	struct ttt_keyfile_info info;
	struct ttt_key *key = NULL;
	struct ttt_err err;
	char *text;

	(void)state;
	write_file(path, "Zm9vYmFy", 0600);
	assert_int_equal(ttt_keyfile_create(path, &key, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_int_equal(ttt_keyfile_load_or_create(path, &key, &info, &err), 0);
	assert_false(info.created);
	assert_int_equal(key->len, 6);
	assert_memory_equal(key->bytes, "foobar", 6);
	text = slurp(path, NULL);
	assert_string_equal(text, "Zm9vYmFy");
	assert_int_equal(entries_in_dir(), 1);
	ttt_key_free(key);
	free(text);
	unlink(path);
}

static void whitespace_trimmed(void **state)
{
	struct ttt_key *key = NULL;
	struct ttt_err err;

	(void)state;
	assert_int_equal(ttt_key_parse(" \t Zm9v\r\nYmFy \n\n", 16, &key, &err), 0);
	assert_int_equal(key->len, 6);
	ttt_key_free(key);
	assert_int_equal(ttt_key_parse("AQ==", 4, &key, &err), 0); /* a 1-byte key */
	assert_int_equal(key->len, 1);
	/* found by fuzz_keyfile: sodium_malloc of an odd size was misaligned */
	assert_int_equal((uintptr_t)key % _Alignof(struct ttt_key), 0);
	ttt_key_free(key);
}

/* Loading `text` fails with a message naming the file and containing want. */
static void refused(const char *name, const char *text, const char *want)
{
	const char *path = in_dir(name);
	struct ttt_key *key = NULL;
	struct ttt_err err;

	if (text)
		write_file(path, text, 0600);
	assert_int_equal(ttt_keyfile_load_or_create(path, &key, NULL, &err), -1);
	assert_null(key);
	if (!strstr(err.msg, path) || !strstr(err.msg, want))
		fail_msg("message '%s' lacks '%s' or '%s'", err.msg, path, want);
	if (text)
		assert_int_equal(unlink(path), 0);
}

static void bad_files_refused(void **state)
{
	char big[TTT_KEYFILE_MAX + 8];

	(void)state;
	refused("empty.key", "", "empty");
	refused("blank.key", " \n\t\n", "empty");
	refused("junk.key", "this is not base64!", "not valid base64");
	refused("short.key", "Zm9vY", "not valid base64");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused("big.key", big, "too large");
	assert_int_equal(mkdir(in_dir("adir"), 0700), 0);
	refused("adir", NULL, "not a regular file");
	assert_int_equal(rmdir(in_dir("adir")), 0);
	refused("missing/dir.key", NULL, "does not exist");
	assert_int_equal(entries_in_dir(), 0);
}

static void loose_mode_reported(void **state)
{
	const char *path = in_dir("loose.key");
	struct ttt_keyfile_info info;
	struct ttt_key *key = NULL;
	struct ttt_err err;

	(void)state;
	write_file(path, "Zm9vYmFy", 0644);
	assert_int_equal(ttt_keyfile_load(path, &key, &info, &err), 0);
	assert_int_equal(info.mode, 0644);
	assert_true(ttt_keyfile_mode_is_loose(info.mode));
	assert_false(ttt_keyfile_mode_is_loose(0600));
	assert_false(ttt_keyfile_mode_is_loose(0400));
	ttt_key_free(key);
	unlink(path);
}

static void dangling_symlink_refused(void **state)
{
	const char *path = in_dir("link.key");
	struct ttt_key *key = NULL;
	struct ttt_err err;

	(void)state;
	assert_int_equal(symlink(in_dir("nowhere"), path), 0);
	assert_int_equal(ttt_keyfile_load_or_create(path, &key, NULL, &err), -1);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(access(in_dir("nowhere"), F_OK), -1); /* nothing made */
	assert_int_equal(entries_in_dir(), 1);
	unlink(path);
}

static void symlink_to_regular_file_followed(void **state)
{
	const char *path = in_dir("via-link.key");
	struct ttt_key *key = NULL;
	struct ttt_err err;
	char *target = realpath(vector_path("preshared.key"), NULL);

	(void)state;
	assert_non_null(target);
	assert_int_equal(symlink(target, path), 0);
	free(target);
	if (ttt_keyfile_load(path, &key, NULL, &err) < 0)
		fail_msg("%s", err.msg); /* v1.4 followed links: a Secret's ..data does */
	assert_int_equal(key->len, 32);
	ttt_key_free(key);
	unlink(path);
}

/* The attack: a key file path that leads to a device node or a FIFO must
 * be refused without being opened, as root, for reading. A FIFO shows
 * whether it was: a writer blocked in open(2) is released by any reader. */
static void fifo_never_opened(void **state)
{
	char fifo[512], link[512];
	struct ttt_key *key = NULL;
	struct ttt_err err;
	int status = -1, rfd;
	pid_t writer, done;

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s", in_dir("fifo.key"));
	snprintf(link, sizeof(link), "%s", in_dir("to-fifo.key"));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink(fifo, link), 0);
	writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		alarm(5);
		_exit(open(fifo, O_WRONLY) >= 0 ? 0 : 1); /* blocks until someone reads */
	}
	usleep(50 * 1000);
	assert_int_equal(ttt_keyfile_load(fifo, &key, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	assert_int_equal(ttt_keyfile_load(link, &key, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	usleep(200 * 1000);
	done = waitpid(writer, &status, WNOHANG);
	rfd = open(fifo, O_RDONLY | O_NONBLOCK); /* now release the writer */
	assert_int_equal(waitpid(writer, &status, 0), writer);
	if (rfd >= 0)
		close(rfd);
	assert_int_equal(done, 0); /* it was still blocked: nobody had opened the FIFO */
	unlink(link);
	unlink(fifo);
}

static void device_refused(void **state)
{
	const char *link = in_dir("to-null.key");
	struct ttt_key *key = NULL;
	struct ttt_err err;

	(void)state;
	assert_int_equal(symlink("/dev/null", link), 0);
	assert_int_equal(ttt_keyfile_load(link, &key, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	assert_null(key);
	unlink(link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vector_key),
		cmocka_unit_test(generated_file),
		cmocka_unit_test(never_overwritten),
		cmocka_unit_test(whitespace_trimmed),
		cmocka_unit_test(bad_files_refused),
		cmocka_unit_test(loose_mode_reported),
		cmocka_unit_test(dangling_symlink_refused),
		cmocka_unit_test(symlink_to_regular_file_followed),
		cmocka_unit_test(fifo_never_opened),
		cmocka_unit_test(device_refused),
	};

	return cmocka_run_group_tests_name("keyfile", tests, make_dir, remove_dir);
}
