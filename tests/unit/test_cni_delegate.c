/* SPDX-License-Identifier: MIT */
/* test_cni_delegate.c - running a delegate (IPAM) plugin in two halves:
 * its stdin is handed over at start, so it runs to its end while we do
 * other work, and a stdin larger than a pipe still arrives whole. The
 * delegate is a shell script in a temporary directory standing in for
 * CNI_PATH. */
#include "helpers.h"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cni/lib/delegate.h"

/* Copies its stdin to $FAKE_OUT (complete when the name appears), then
 * prints a result. */
static const char copier[] = "#!/bin/sh\n"
			     "cat >\"$FAKE_OUT.part\" && mv \"$FAKE_OUT.part\" \"$FAKE_OUT\"\n"
			     "echo '{\"cniVersion\":\"1.0.0\"}'\n";
/* Reads nothing: exits with a result at once. */
static const char deaf[] = "#!/bin/sh\necho '{\"cniVersion\":\"1.0.0\"}'\n";

struct fixture {
	char dir[64], out[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ttt-delegate.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->out, sizeof(f->out), "%s/stdin.copy", f->dir);
	assert_int_equal(setenv("FAKE_OUT", f->out, 1), 0);
	signal(SIGPIPE, SIG_IGN); /* as the plugin's main does */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];

	for (const char *const *n = (const char *const[]){ "copier", "deaf", "stdin.copy", NULL }; *n;
	     n++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, *n);
		(void)unlink(path);
	}
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

static void install(const struct fixture *f, const char *name, const char *script)
{
	char path[128];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	out = fopen(path, "w");
	assert_non_null(out);
	assert_int_equal(fputs(script, out) >= 0, 1);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chmod(path, 0700), 0);
}

/* Whether path exists within ms. */
static int appears(const char *path, int ms)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int waited = 0; waited <= ms; waited += 10) {
		if (access(path, F_OK) == 0)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

static char *conf_of(size_t len)
{
	char *c = malloc(len + 1);

	assert_non_null(c);
	for (size_t i = 0; i < len; i++)
		c[i] = (char)('a' + i % 26);
	c[len] = '\0';
	return c;
}

/* The delegate gets all of a usual configuration at start: it finishes
 * before cni_delegate_finish is called. */
static void stdin_at_start(void **state)
{
	struct fixture *f = *state;
	char *conf = conf_of(300), *out = NULL, *copy;
	struct cni_delegate d = { .type = "copier", .command = "ADD", .container_id = "c1",
				  .path = f->dir, .conf = conf, .conf_len = 300 };
	struct cni_running r;
	struct cni_error e;
	size_t n;

	install(f, "copier", copier);
	assert_int_equal(cni_delegate_start(&d, &r, &e), 0);
	assert_true(appears(f->out, 10000)); /* without finish: it had its stdin */
	assert_int_equal(cni_delegate_finish(&r, &out, &e), 0);
	assert_non_null(strstr(out, "cniVersion"));
	copy = slurp(f->out, &n);
	assert_int_equal(n, 300);
	assert_memory_equal(copy, conf, 300);
	free(copy);
	free(out);
	free(conf);
}

/* A configuration larger than a pipe holds: the rest goes in finish. */
static void stdin_larger_than_a_pipe(void **state)
{
	struct fixture *f = *state;
	size_t len = 300 * 1024, n;
	char *conf = conf_of(len), *out = NULL, *copy;
	struct cni_delegate d = { .type = "copier", .command = "DEL", .container_id = "c1",
				  .path = f->dir, .conf = conf, .conf_len = len };
	struct cni_error e;

	install(f, "copier", copier);
	assert_int_equal(cni_delegate_run(&d, &out, &e), 0);
	copy = slurp(f->out, &n);
	assert_int_equal(n, len);
	assert_memory_equal(copy, conf, len);
	free(copy);
	free(out);
	free(conf);
}

/* A delegate that never reads its stdin and exits: its result counts, the
 * broken pipe does no harm. */
static void delegate_reads_nothing(void **state)
{
	struct fixture *f = *state;
	size_t len = 300 * 1024;
	char *conf = conf_of(len), *out = NULL;
	struct cni_delegate d = { .type = "deaf", .command = "ADD", .container_id = "c1",
				  .path = f->dir, .conf = conf, .conf_len = len };
	struct cni_error e;

	install(f, "deaf", deaf);
	assert_int_equal(cni_delegate_run(&d, &out, &e), 0);
	assert_non_null(strstr(out, "cniVersion"));
	free(out);
	free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stdin_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(stdin_larger_than_a_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(delegate_reads_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
