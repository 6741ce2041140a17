/* SPDX-License-Identifier: MIT */
/* test_options.c - ttt-worker's command line */
#include "helpers.h"

#include "datapath/frame.h"
#include "ttt/worker/options.h"

/* argv from a NULL-terminated list of arguments (after the program name). */
static int build_argv(char *argv[16], va_list ap)
{
	int argc = 0;

	argv[argc++] = (char *)"ttt-worker";
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	argv[argc] = NULL;
	return argc;
}

static enum ttt_options_result parse(struct ttt_options *o, struct ttt_err *err, ...)
{
	char *argv[16];
	int argc;
	va_list ap;

	va_start(ap, err);
	argc = build_argv(argv, ap);
	va_end(ap);
	return ttt_options_parse(argc, argv, o, err);
}

static void original_usage(void **state)
{
	struct ttt_options o;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse(&o, &err, "k", ":9123", NULL), TTT_OPTIONS_RUN);
	assert_string_equal(o.keyfile, "k");
	assert_string_equal(o.local, ":9123");
	assert_null(o.peer);
	assert_int_equal(o.mtu, 1418);
	assert_false(o.mtu_given); /* the worker takes it from the path */
	assert_int_equal(o.keepalive, 0);
	assert_int_equal(o.window_ns, 3000000000ULL);
	assert_int_equal(o.tap_fd, -1);
	assert_int_equal(o.sock_fd, -1);
	assert_int_equal(o.log_level, TTT_LOG_INFO);
	assert_int_equal(parse(&o, &err, "k", ":9123", "198.18.0.2:9123", NULL), TTT_OPTIONS_RUN);
	assert_string_equal(o.peer, "198.18.0.2:9123");
}

static void no_arguments_is_usage(void **state)
{
	struct ttt_options o;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse(&o, &err, NULL), TTT_OPTIONS_USAGE);
}

static void options_anywhere(void **state)
{
	struct ttt_options o;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse(&o, &err, "--mtu", "9000", "k", "--window=0.5", ":1", "-v",
			       "--ifname", "tun-x", NULL),
			 TTT_OPTIONS_RUN);
	assert_int_equal(o.mtu, 9000);
	assert_true(o.mtu_given);
	assert_int_equal(o.window_ns, 500000000ULL);
	assert_string_equal(o.ifname, "tun-x");
	assert_int_equal(o.log_level, TTT_LOG_DEBUG);
	assert_int_equal(parse(&o, &err, "--supervise", "--no-offload", "k", ":1", NULL), TTT_OPTIONS_RUN);
	assert_true(o.supervise);
	assert_true(o.no_offload);
	assert_int_equal(parse(&o, &err, "-qq", "--tap-fd", "3", "--socket-fd", "4", "k", ":1",
			       NULL),
			 TTT_OPTIONS_RUN);
	assert_int_equal(o.log_level, TTT_LOG_ERROR);
	assert_int_equal(o.ready_fd, -1);
	assert_false(o.supervise);
	assert_int_equal(o.tap_fd, 3);
	assert_int_equal(o.sock_fd, 4);
	assert_int_equal(parse(&o, &err, "--keepalive", "25", "k", ":1", NULL), TTT_OPTIONS_RUN);
	assert_int_equal(o.keepalive, 25);
	assert_int_equal(parse(&o, &err, "--keepalive=0", "--mtu=1418", "k", ":1", NULL),
			 TTT_OPTIONS_RUN);
	assert_int_equal(o.keepalive, 0);
	assert_true(o.mtu_given);
}

/* ttt_options_to_argv writes what parses back to the same options: the one
 * command line the CNI plugin starts workers with. */
static void assert_same(const struct ttt_options *a, const struct ttt_options *b)
{
	assert_string_equal(a->keyfile, b->keyfile);
	assert_string_equal(a->local, b->local);
	assert_true((a->peer == NULL) == (b->peer == NULL));
	if (a->peer)
		assert_string_equal(a->peer, b->peer);
	assert_true((a->ifname == NULL) == (b->ifname == NULL));
	if (a->ifname)
		assert_string_equal(a->ifname, b->ifname);
	assert_int_equal(a->mtu, b->mtu);
	assert_int_equal(a->mtu_given, b->mtu_given);
	assert_int_equal(a->keepalive, b->keepalive);
	assert_int_equal(a->window_ns, b->window_ns);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->tap_fd, b->tap_fd);
	assert_int_equal(a->sock_fd, b->sock_fd);
	assert_int_equal(a->ready_fd, b->ready_fd);
	assert_int_equal(a->no_offload, b->no_offload);
	assert_int_equal(a->supervise, b->supervise);
	assert_true((a->link == NULL) == (b->link == NULL));
	if (a->link)
		assert_string_equal(a->link, b->link);
	assert_true((a->replay_state == NULL) == (b->replay_state == NULL));
	if (a->replay_state)
		assert_string_equal(a->replay_state, b->replay_state);
	assert_true((a->log_file == NULL) == (b->log_file == NULL));
	if (a->log_file)
		assert_string_equal(a->log_file, b->log_file);
	assert_int_equal(a->log_max, b->log_max);
	assert_true((a->control_dir == NULL) == (b->control_dir == NULL));
	if (a->control_dir)
		assert_string_equal(a->control_dir, b->control_dir);
	assert_true((a->name == NULL) == (b->name == NULL));
	if (a->name)
		assert_string_equal(a->name, b->name);
	assert_int_equal(b->replay_fd, -1); /* what only a supervisor sets: never parsed */
	assert_int_equal(b->control_fd, -1);
	assert_int_equal(b->restarts, 0);
	assert_int_equal(b->since_ns, 0);
}

static void round_trip(const char *first, ...)
{
	char *argv[64];
	struct ttt_options o, back;
	struct ttt_argv v;
	struct ttt_err err;
	va_list ap;
	int argc, n = 0;

	va_start(ap, first);
	argv[0] = (char *)"ttt-worker";
	argv[1] = (char *)first;
	argc = 2;
	for (const char *a; (a = va_arg(ap, const char *)) != NULL;)
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	va_end(ap);
	assert_int_equal(ttt_options_parse(argc, argv, &o, &err), TTT_OPTIONS_RUN);
	ttt_options_to_argv(&o, "ttt-worker", &v);
	while (v.v[n])
		n++;
	assert_true(n < TTT_ARGV_MAX);
	assert_int_equal(ttt_options_parse(n, v.v, &back, &err), TTT_OPTIONS_RUN);
	assert_same(&o, &back);
	for (int i = 0; i < n; i++) /* positional arguments come after "--" */
		if (strcmp(v.v[i], "--") == 0) {
			assert_string_equal(v.v[i + 1], o.keyfile);
			return;
		}
	fail_msg("no \"--\" before the positional arguments");
}

static void argv_round_trip(void **state)
{
	(void)state;
	round_trip("k", ":1", NULL);
	round_trip("--mtu", "1418", "k", ":1", NULL); /* given, even when it is the default */
	round_trip("--keepalive", "65535", "--tap-fd=3", "--socket-fd", "4", "--ready-fd", "5",
		   "--supervise", "--no-offload", "--mtu", "68", "--window", "1", "-qq", "k",
		   "198.18.0.1:1", "[2001:db8::2]:2", NULL);
	round_trip("--supervise", "--tap-fd=3", "--socket-fd", "4", "--ready-fd", "5", "--mtu",
		   "9000", "--window", "0.000000001", "k", "198.18.0.1:1", "[2001:db8::2]:2", NULL);
	round_trip("-v", "--no-offload", "--ifname", "tun-x", "--window", "3599.999999999", "--",
		   "--supervise", "--mtu", NULL);
	round_trip("-q", "k", ":1", NULL);
	round_trip("-qq", "--window=2.5", "k", ":1", NULL);
	round_trip("--link", "default/lab-a", "--replay-state", "/run/r", "--log-file", "/run/l",
		   "--log-max", "65536", "k", ":1", NULL);
	round_trip("--supervise", "--tap-fd", "3", "--socket-fd", "4", "--ready-fd", "5",
		   "--link", "-v", "--log-file", "-q", "--", "-k", "--help",
		   "--mtu", NULL); /* values that look like options stay values */
	/* Everything at once: the longest command line ttt_options_to_argv writes. */
	round_trip("--supervise", "--no-offload", "--tap-fd", "3", "--socket-fd", "4", "--ready-fd",
		   "5", "--link", "default/lab-a", "--log-file", "/run/x/w.log",
		   "--log-max", "18446744073709551615", "--control-dir", "/run/x/sock", "--name",
		   "ttt0123abcd", "--mtu", "65453", "--keepalive", "65535", "--window", "3600",
		   "-v", "k",
		   "[2001:db8::1]:65535", "[2001:db8::2]:65535", NULL);
	round_trip("--supervise", "--no-offload", "--ifname", "tun-x", "--socket-fd", "4",
		   "--ready-fd", "5", "--link", "default/lab-a", "--replay-state", "/run/x/w.replay",
		   "--log-file", "/run/x/w.log", "--log-max", "4096", "--control-dir", "/run/x/sock",
		   "--name", "ttt0123abcd", "--keepalive", "25", "--window", "0.5", "-qq", "k", ":1",
		   "h:2", NULL); /* no --mtu: the worker takes it from the path */
	round_trip("--control-dir", "none", "k", ":1", NULL);
}

static void derive_key_usage(void **state)
{
	struct ttt_options o;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse(&o, &err, "--derive-key", "lab", "net.key", "peer.key", NULL),
			 TTT_OPTIONS_RUN);
	assert_string_equal(o.derive_key, "lab");
	assert_string_equal(o.keyfile, "net.key");
	assert_string_equal(o.local, "peer.key");
	assert_int_equal(parse(&o, &err, "--derive-key", "lab", "net.key", NULL), TTT_OPTIONS_ERROR);
	assert_non_null(strstr(err.msg, "<network key file> <new key file>"));
}

static void control_options(void **state)
{
	struct ttt_options o;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse(&o, &err, "k", ":1", NULL), TTT_OPTIONS_RUN);
	assert_null(o.control_dir);
	assert_null(o.name);
	assert_int_equal(o.control_fd, -1);
	assert_int_equal(o.restarts, 0);
	assert_int_equal(o.since_ns, 0);
	assert_int_equal(parse(&o, &err, "--name", "lab@eu-1:a.b_c", "--control-dir", "/d", "k", ":1",
			       NULL), TTT_OPTIONS_RUN);
	assert_string_equal(o.name, "lab@eu-1:a.b_c");
	assert_string_equal(o.control_dir, "/d");
}

static void refused(const char *want, ...)
{
	char *argv[16];
	int argc;
	va_list ap;
	struct ttt_options o;
	struct ttt_err err;

	va_start(ap, want);
	argc = build_argv(argv, ap);
	va_end(ap);
	assert_int_equal(ttt_options_parse(argc, argv, &o, &err), TTT_OPTIONS_ERROR);
	if (!strstr(err.msg, want))
		fail_msg("message '%s' lacks '%s'", err.msg, want);
}

static void bad_values(void **state)
{
	(void)state;
	refused("got 1 argument", "k", NULL);
	refused("got 4 arguments", "k", ":1", ":2", ":3", NULL);
	refused("MTU '67'", "--mtu", "67", "k", ":1", NULL);
	refused("MTU '65454'", "--mtu", "65454", "k", ":1", NULL);
	refused("MTU '1e3'", "--mtu", "1e3", "k", ":1", NULL);
	refused("MTU '-1'", "--mtu", "-1", "k", ":1", NULL);
	refused("window '0'", "--window", "0", "k", ":1", NULL);
	refused("keepalive '65536'", "--keepalive", "65536", "k", ":1", NULL);
	refused("keepalive '-1'", "--keepalive", "-1", "k", ":1", NULL);
	refused("keepalive '2.5'", "--keepalive", "2.5", "k", ":1", NULL);
	refused("from 0 (off) to 65535", "--keepalive", "99999999999999999999", "k", ":1", NULL);
	refused("window 'nan'", "--window", "nan", "k", ":1", NULL);
	refused("window '3s'", "--window", "3s", "k", ":1", NULL);
	refused("window '7200'", "--window", "7200", "k", ":1", NULL);
	refused("descriptor 'x'", "--tap-fd", "x", "k", ":1", NULL);
	refused("descriptor '-3'", "--ready-fd", "-3", "k", ":1", NULL);
	refused("not a valid interface name", "--ifname", "much-too-long-name", "k", ":1", NULL);
	refused("not a valid interface name", "--ifname", "a/b", "k", ":1", NULL);
	refused("cannot be used with --tap-fd", "--ifname", "t0", "--tap-fd", "3", "k", ":1",
		NULL);
	refused("unknown option '--bogus'", "--bogus", "k", ":1", NULL);
	refused("missing value for option '--mtu'", "k", ":1", "--mtu", NULL);
	refused("key file path is empty", "", ":1", NULL);
	refused("link 'a b' is not", "--link", "a b", "k", ":1", NULL);
	refused("link '' is not", "--link", "", "k", ":1", NULL);
	refused("--replay-state path is empty", "--replay-state", "", "k", ":1", NULL);
	refused("size '100' is not a number of bytes", "--log-max", "100", "k", ":1", NULL);
	refused("--control-dir 'rel/dir' is not an absolute path", "--control-dir", "rel/dir", "k",
		":1", NULL);
	refused("--name '.hidden'", "--name", ".hidden", "k", ":1", NULL);
	refused("--name 'a/b'", "--name", "a/b", "k", ":1", NULL);
	refused("--name ''", "--name", "", "k", ":1", NULL);
}

/* What a supervisor hands its child is set in the fork (supervise.c): no
 * option takes it, so no caller can hand a worker a descriptor to map as
 * its replay state or to serve as its control socket. */
static void supervisor_state_is_no_option(void **state)
{
	(void)state;
	refused("unknown option '--replay-fd'", "--replay-fd", "3", "k", ":1", NULL);
	refused("unknown option '--replay-fd=3'", "--replay-fd=3", "k", ":1", NULL);
	refused("unknown option '--control-fd'", "--control-fd", "3", "k", ":1", NULL);
	refused("unknown option '--restarts'", "--restarts", "4", "k", ":1", NULL);
	refused("unknown option '--since'", "--since", "1", "k", ":1", NULL);
	refused("unknown option '--since=1'", "k", ":1", "--since=1", NULL);
}

static void help_and_version(void **state)
{
	struct ttt_options o;
	struct ttt_err err;

	(void)state;
	assert_int_equal(parse(&o, &err, "--version", NULL), TTT_OPTIONS_DONE);
	assert_int_equal(parse(&o, &err, "-h", NULL), TTT_OPTIONS_DONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(original_usage), cmocka_unit_test(no_arguments_is_usage),
		cmocka_unit_test(options_anywhere), cmocka_unit_test(bad_values),
		cmocka_unit_test(help_and_version), cmocka_unit_test(argv_round_trip),
		cmocka_unit_test(derive_key_usage),
		cmocka_unit_test(control_options),
		cmocka_unit_test(supervisor_state_is_no_option),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
