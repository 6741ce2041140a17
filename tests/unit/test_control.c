/* SPDX-License-Identifier: MIT */
/* test_control.c - the control socket: its line protocol (requests,
 * replies, values with control characters, limits), names and paths, and
 * a worker and a client talking over a real socket (stale and live sockets,
 * modes, refusals). */
#include "helpers.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ttt/worker/control.h"

static int req(const char *s)
{
	return ttt_control_parse_request(s, strlen(s));
}

static void requests(void **state)
{
	static const char get[] = "get=1\n\n";
	char big[TTT_CONTROL_REQUEST_MAX + 2];

	(void)state;
	assert_int_equal(req(get), 1);
	for (size_t n = 0; n < sizeof(get) - 1; n++) /* every prefix: wait for more */
		assert_int_equal(ttt_control_parse_request(get, n), 0);
	assert_int_equal(req("get=1\n\nget=1\n\n"), -1);
	assert_int_equal(req("get=1\nx"), -1);
	assert_int_equal(req("get=2\n\n"), -1);
	assert_int_equal(req("set=1\n\n"), -1);
	assert_int_equal(req("GET=1\n\n"), -1);
	assert_int_equal(req("\n"), -1);
	assert_int_equal(ttt_control_parse_request("get\0=1\n\n", 8), -1);
	memset(big, 'g', sizeof(big));
	assert_int_equal(ttt_control_parse_request(big, sizeof(big)), -1);
}

/* Parses text (copied into a buffer one byte longer). */
static int parse(const char *text, struct ttt_control_reply *r, char *buf, struct ttt_err *err)
{
	size_t n = strlen(text);

	memcpy(buf, text, n);
	return ttt_control_parse_reply(buf, n, r, err);
}

static void replies(void **state)
{
	char buf[TTT_CONTROL_REPLY_MAX + 1];
	struct ttt_control_reply r;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse("name=a\ntx_frames=12\nlog=/x y=z\nerrno=0\n\n", &r, buf, &err), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.errnum, 0);
	assert_string_equal(ttt_control_get(&r, "tx_frames"), "12");
	assert_string_equal(ttt_control_get(&r, "log"), "/x y=z"); /* the first '=' splits */
	assert_null(ttt_control_get(&r, "peer"));
	assert_int_equal(parse("errno=22\n\n", &r, buf, &err), 0);
	assert_int_equal(r.errnum, 22);
	assert_int_equal(parse("empty=\nerrno=0\n\n", &r, buf, &err), 0);
	assert_string_equal(ttt_control_get(&r, "empty"), "");
}

static void refused(const char *text, const char *why)
{
	char buf[TTT_CONTROL_REPLY_MAX + 1];
	struct ttt_control_reply r;
	struct ttt_err err;

	if (parse(text, &r, buf, &err) == 0)
		fail_msg("accepted: %s", text);
	if (!strstr(err.msg, why))
		fail_msg("'%s' refused with '%s', not '%s'", text, err.msg, why);
}

static void bad_replies(void **state)
{
	char many[TTT_CONTROL_REPLY_MAX];
	size_t n = 0;

	(void)state;
	refused("", "does not end with an empty line");
	refused("\n", "does not end with an empty line");
	refused("errno=0\n", "does not end with an empty line");
	refused("errno=0", "in the middle of a line");
	refused("errno=0\n\nmore=1\n", "does not end with an empty line");
	refused("a=1\n\n", "errno=N");
	refused("errno=x\n\n", "errno=N");
	refused("errno=-1\n\n", "errno=N");
	refused("errno=99999\n\n", "errno=N");
	refused("Name=a\nerrno=0\n\n", "malformed line 1");
	refused("=a\nerrno=0\n\n", "malformed line 1");
	refused("a\nerrno=0\n\n", "malformed line 1");
	refused("a=1\nb=x\ty\nerrno=0\n\n", "control character on line 2");
	refused("a=1\rb\nerrno=0\n\n", "control character on line 1");
	for (int i = 0; i <= TTT_CONTROL_KEYS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "k%d=%d\n", i, i);
	snprintf(many + n, sizeof(many) - n, "errno=0\n\n");
	refused(many, "more than 128 lines");
}

static void nul_and_length(void **state)
{
	char buf[TTT_CONTROL_REPLY_MAX + 2];
	struct ttt_control_reply r;
	struct ttt_err err;

	(void)state;
	memcpy(buf, "a=\0\nerrno=0\n\n", 13);
	assert_int_equal(ttt_control_parse_reply(buf, 13, &r, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(ttt_control_parse_reply(buf, TTT_CONTROL_REPLY_MAX + 1, &r, &err), -1);
	assert_non_null(strstr(err.msg, "longer than"));
}

static void writing(void **state)
{
	char buf[64], copy[TTT_CONTROL_REPLY_MAX + 1];
	struct ttt_control_out o = { .buf = buf, .cap = sizeof(buf), .len = 0 };
	struct ttt_control_reply r;
	struct ttt_err err;

	(void)state;
	ttt_control_put(&o, "log", "/a\nb\x7f%s", "\tc");
	ttt_control_put(&o, "n", "%d", 42);
	assert_false(o.overflow);
	assert_string_equal(buf, "log=/a?b??c\nn=42\n");
	snprintf(copy, sizeof(copy), "%serrno=0\n\n", buf);
	assert_int_equal(ttt_control_parse_reply(copy, strlen(copy), &r, &err), 0);
	assert_string_equal(ttt_control_get(&r, "log"), "/a?b??c");
	/* A line that does not fit is not cut: the reply overflows, unchanged. */
	ttt_control_put(&o, "long", "%s", "0123456789012345678901234567890123456789012345");
	assert_true(o.overflow);
	assert_int_equal(o.len, strlen("log=/a?b??c\nn=42\n"));
	ttt_control_put(&o, "x", "1");
	assert_int_equal(o.len, strlen("log=/a?b??c\nn=42\n"));
}

static void names_and_paths(void **state)
{
	char path[TTT_CONTROL_PATH_MAX], dir[200];
	struct ttt_err err;

	(void)state;
	assert_true(ttt_control_name_valid("ttt0123abcd"));
	assert_true(ttt_control_name_valid("lab@eu-1:a.b_c"));
	assert_false(ttt_control_name_valid(""));
	assert_false(ttt_control_name_valid(".x"));
	assert_false(ttt_control_name_valid("a/b"));
	assert_false(ttt_control_name_valid("a b"));
	assert_false(ttt_control_name_valid("a\nb"));
	memset(dir, 'n', 65);
	dir[65] = '\0';
	assert_false(ttt_control_name_valid(dir));
	dir[64] = '\0';
	assert_true(ttt_control_name_valid(dir));
	assert_int_equal(ttt_control_path("/run/tinytaptunnel/sock", "w", path, &err), 0);
	assert_string_equal(path, "/run/tinytaptunnel/sock/w.sock");
	memset(dir, 'd', sizeof(dir) - 1);
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	assert_int_equal(ttt_control_path(dir, "w", path, &err), -1);
	assert_non_null(strstr(err.msg, "longer than 107 bytes"));
	assert_int_equal(ttt_control_path("/d", "../x", path, &err), -1);
}

static void run_dir(void **state)
{
	char dir[256];

	(void)state;
	assert_int_equal(setenv(TTT_RUN_DIR_ENV, "relative", 1), 0);
	assert_string_equal(ttt_run_dir(), TTT_RUN_DIR_DEFAULT);
	assert_int_equal(setenv(TTT_RUN_DIR_ENV, "/tmp/x", 1), 0);
	ttt_control_dir_default(dir, sizeof(dir));
	assert_string_equal(dir, "/tmp/x/sock");
	assert_int_equal(unsetenv(TTT_RUN_DIR_ENV), 0);
	ttt_control_dir_default(dir, sizeof(dir));
	assert_string_equal(dir, TTT_RUN_DIR_DEFAULT "/sock");
}

/* --- a worker and a client ------------------------------------------------- */

static void fill(struct ttt_control_out *o, void *arg)
{
	ttt_control_put(o, "name", "%s", (const char *)arg);
	ttt_control_put(o, "tx_frames", "%d", 7);
}

static void *serve_once(void *arg)
{
	int lfd = *(int *)arg;
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, 5000) == 1)
		ttt_control_serve(lfd, fill, (void *)"unit");
	return NULL;
}

static char tmpdir[64];

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ttt-control.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void a_real_exchange(void **state)
{
	char dir[128], path[TTT_CONTROL_PATH_MAX], reply[1024];
	struct ttt_control_reply r;
	struct ttt_err err;
	struct stat st;
	pthread_t th;
	long n;
	int lfd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/run/sock", tmpdir);
	lfd = ttt_control_listen(dir, "w", path, &err);
	assert_true(lfd >= 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(pthread_create(&th, NULL, serve_once, &lfd), 0);
	n = ttt_control_query(path, reply, sizeof(reply), &err);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(n > 0);
	assert_string_equal(reply, "name=unit\ntx_frames=7\nerrno=0\n\n");
	assert_int_equal(ttt_control_parse_reply(reply, (size_t)n, &r, &err), 0);
	/* A second worker may not take a live socket's place. */
	assert_int_equal(ttt_control_listen(dir, "w", path, &err), -1);
	assert_int_equal(err.code, EADDRINUSE);
	close(lfd);
	/* Nobody listens now: a client learns so, and a new worker takes over. */
	assert_int_equal(ttt_control_query(path, reply, sizeof(reply), &err), -1);
	assert_int_equal(err.code, ECONNREFUSED);
	lfd = ttt_control_listen(dir, "w", path, &err);
	assert_true(lfd >= 0);
	close(lfd);
	assert_int_equal(unlink(path), 0);
}

static void refusals(void **state)
{
	char dir[128], path[TTT_CONTROL_PATH_MAX], file[160];
	struct ttt_err err;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/loose", tmpdir);
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(ttt_control_listen(dir, "w", path, &err), -1);
	assert_non_null(strstr(err.msg, "is not ours alone"));
	assert_int_equal(chmod(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/w.sock", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ttt_control_listen(dir, "w", path, &err), -1);
	assert_non_null(strstr(err.msg, "is not a socket"));
	assert_int_equal(ttt_control_listen("relative", "w", path, &err), -1);
	assert_int_equal(ttt_control_listen(dir, "bad/name", path, &err), -1);
}

/* A worker's options: "none", the default name, a given name. */
static void from_options(void **state)
{
	char dir[128], name[TTT_CONTROL_NAME_MAX + 1], path[TTT_CONTROL_PATH_MAX], want[200];
	struct ttt_err err;
	int fd;

	(void)state;
	assert_int_equal(ttt_control_open("none", "x", name, path, &err), -1);
	assert_string_equal(err.msg, "");
	assert_string_equal(path, "");
	snprintf(dir, sizeof(dir), "%s/opts", tmpdir);
	fd = ttt_control_open(dir, NULL, name, path, &err);
	assert_true(fd >= 0);
	snprintf(want, sizeof(want), "worker-%ld", (long)getpid());
	assert_string_equal(name, want);
	snprintf(want, sizeof(want), "%s/worker-%ld.sock", dir, (long)getpid());
	assert_string_equal(path, want);
	close(fd);
	fd = ttt_control_open(dir, "lab", name, path, &err);
	assert_true(fd >= 0);
	assert_string_equal(name, "lab");
	close(fd);
	assert_int_equal(ttt_control_open("relative", "lab", name, path, &err), -1);
	assert_string_not_equal(err.msg, "");
	assert_string_equal(path, "");
}

/* A client that sends something else, or nothing, gets errno=22 or is
 * dropped after the timeout; the server never blocks past it. */
static void bad_client(void **state)
{
	char dir[128], path[TTT_CONTROL_PATH_MAX], buf[64];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ttt_err err;
	int lfd, c;
	ssize_t n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bad", tmpdir);
	lfd = ttt_control_listen(dir, "w", path, &err);
	assert_true(lfd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(write(c, "get=1\nget", 9), 9);
	ttt_control_serve(lfd, fill, (void *)"x");
	n = read(c, buf, sizeof(buf) - 1);
	assert_int_equal(n, 10);
	buf[n] = '\0';
	assert_string_equal(buf, "errno=22\n\n");
	close(c);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	ttt_control_serve(lfd, fill, (void *)"x"); /* silent client: returns after 1 s */
	assert_int_equal(read(c, buf, sizeof(buf)), 0);
	close(c);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests),	   cmocka_unit_test(replies),
		cmocka_unit_test(bad_replies),	   cmocka_unit_test(nul_and_length),
		cmocka_unit_test(writing),	   cmocka_unit_test(names_and_paths),
		cmocka_unit_test(run_dir),	   cmocka_unit_test(a_real_exchange),
		cmocka_unit_test(refusals),	   cmocka_unit_test(bad_client),
		cmocka_unit_test(from_options),
	};

	return cmocka_run_group_tests_name("control", tests, make_tmp, remove_tmp);
}
