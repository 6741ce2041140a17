/* SPDX-License-Identifier: MIT */
/* test_cni_parse.c - the CNI plugin's parsers: environment, CNI_ARGS,
 * configuration (with per-attachment precedence), versions */
#include "helpers.h"

#include "cni/lib/args.h"
#include "cni/config.h"
#include "cni/lib/env.h"
#include "cni/lib/version.h"

/* --- environment ---------------------------------------------------------- */

static const char *const *fake_env;

static const char *fake_lookup(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *p = fake_env; *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

static int load_env(struct cni_env *env, struct cni_error *e, const char *const *vars)
{
	fake_env = vars;
	return cni_env_load(fake_lookup, env, e);
}

static void env_add_complete(void **state)
{
	static const char *const vars[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=abc-1.2_x",
					    "CNI_NETNS=/var/run/netns/x", "CNI_IFNAME=net1",
					    "CNI_PATH=/opt/cni/bin", NULL };
	struct cni_env env;
	struct cni_error e;

	(void)state;
	assert_int_equal(load_env(&env, &e, vars), 0);
	assert_int_equal(env.command, CNI_CMD_ADD);
	assert_string_equal(env.container_id, "abc-1.2_x");
	assert_string_equal(env.args, "");
}

struct env_case {
	const char *vars[7];
	int code;
	const char *msg;
};

static void env_refusals(void **state)
{
	static const struct env_case cases[] = {
		{ { NULL }, 4, "CNI_COMMAND is not set" },
		{ { "CNI_COMMAND=", NULL }, 4, "CNI_COMMAND is not set" },
		{ { "CNI_COMMAND=add", NULL }, 4, "unknown CNI_COMMAND: add" },
		{ { "CNI_COMMAND=ADD", "CNI_NETNS=/n", "CNI_IFNAME=e", "CNI_PATH=/p", NULL }, 4,
		  "CNI_CONTAINERID is required for ADD" },
		{ { "CNI_COMMAND=CHECK", "CNI_CONTAINERID=c", "CNI_IFNAME=e", "CNI_PATH=/p", NULL }, 4,
		  "CNI_NETNS is required for CHECK" },
		{ { "CNI_COMMAND=DEL", "CNI_CONTAINERID=c", "CNI_PATH=/p", NULL }, 4,
		  "CNI_IFNAME is required for DEL" },
		{ { "CNI_COMMAND=GC", NULL }, 4, "CNI_PATH is required for GC" },
		{ { "CNI_COMMAND=DEL", "CNI_CONTAINERID=-c", "CNI_IFNAME=e", "CNI_PATH=/p", NULL }, 4,
		  "CNI_CONTAINERID '-c' is not valid" },
		{ { "CNI_COMMAND=DEL", "CNI_CONTAINERID=c", "CNI_IFNAME=a/b", "CNI_PATH=/p", NULL }, 4,
		  "CNI_IFNAME 'a/b' is not a valid" },
	};
	struct cni_env env;
	struct cni_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load_env(&env, &e, cases[i].vars), -1);
		assert_int_equal(e.code, cases[i].code);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
	}
}

static void env_optional_by_command(void **state)
{
	static const char *const del[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=c",
					   "CNI_IFNAME=eth0", "CNI_PATH=/p", "CNI_NETNS=", NULL };
	static const char *const version[] = { "CNI_COMMAND=VERSION", NULL };
	static const char *const status[] = { "CNI_COMMAND=STATUS", "CNI_PATH=/p", NULL };
	struct cni_env env;
	struct cni_error e;

	(void)state;
	assert_int_equal(load_env(&env, &e, del), 0); /* containerd's second DEL */
	assert_null(env.netns);
	assert_int_equal(load_env(&env, &e, version), 0);
	assert_int_equal(load_env(&env, &e, status), 0);
}

/* --- CNI_ARGS ----------------------------------------------------------------- */

static void args_known_and_passive(void **state)
{
	struct cni_args a;
	struct cni_error e;

	(void)state;
	assert_int_equal(cni_args_parse("K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_UID=u;"
					"K8S_POD_INFRA_CONTAINER_ID=i;MAC=02:00:00:00:00:09;"
					"TTT_PEER=198.18.0.2:1;TTT_LISTEN=:2",
					&a, &e),
			 0);
	assert_string_equal(a.mac, "02:00:00:00:00:09");
	assert_string_equal(a.peer, "198.18.0.2:1");
	assert_string_equal(a.listen, ":2");
	assert_int_equal(cni_args_parse("", &a, &e), 0);
	assert_string_equal(a.peer, "");
	assert_int_equal(cni_args_parse(";;MAC=x;", &a, &e), 0);
	assert_string_equal(a.mac, "x");
	/* containerd 1.6: only these, in any order */
	assert_int_equal(cni_args_parse("K8S_POD_INFRA_CONTAINER_ID=i;K8S_POD_NAME=lab-a;"
					"IgnoreUnknown=1;K8S_POD_NAMESPACE=default",
					&a, &e),
			 0);
	assert_string_equal(a.k8s_namespace, "default");
	assert_string_equal(a.k8s_pod, "lab-a");
}

static void args_unknown_keys(void **state)
{
	struct cni_args a;
	struct cni_error e;

	(void)state;
	assert_int_equal(cni_args_parse("FOO=1", &a, &e), -1);
	assert_int_equal(e.code, CNI_ERR_INVALID_CONFIG);
	assert_int_equal(cni_args_parse("FOO=1;IgnoreUnknown=1", &a, &e), 0);
	assert_int_equal(cni_args_parse("IgnoreUnknown=true;FOO=1", &a, &e), 0);
	assert_int_equal(cni_args_parse("IgnoreUnknown=0;FOO=1", &a, &e), -1);
	assert_int_equal(cni_args_parse("XIgnoreUnknown=1;FOO=1", &a, &e), -1);
	assert_int_equal(cni_args_parse("garbage", &a, &e), -1);
	assert_int_equal(e.code, CNI_ERR_INVALID_ENV);
	assert_int_equal(cni_args_parse("=v", &a, &e), -1);
}

/* --- configuration -------------------------------------------------------- */

static int parse(const char *json, const struct cni_args *a, struct cni_config *c,
		 struct cni_error *e)
{
	static const struct cni_args none;

	return cni_config_parse(json, strlen(json), a ? a : &none, c, e);
}

static void config_full(void **state)
{
	static const char *json =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"lab-link\",\"type\":\"tinytaptunnel\","
		"\"keyFile\":\"/k\",\"listen\":\"198.18.0.1:9123\",\"peer\":\"198.18.0.2:9123\","
		"\"mtu\":1400,\"mac\":\"02:00:00:00:00:01\",\"window\":2.5,\"keepalive\":25,"
		"\"ipam\":{\"type\":\"host-local\",\"subnet\":\"198.19.0.0/24\"},"
		"\"unknownField\":{\"ignored\":true}}";
	struct cni_config c;
	struct cni_error e;

	(void)state;
	if (parse(json, NULL, &c, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.cni_version, "1.0.0");
	assert_string_equal(c.name, "lab-link");
	assert_string_equal(c.key_file, "/k");
	assert_string_equal(c.listen, "198.18.0.1:9123");
	assert_string_equal(c.peer, "198.18.0.2:9123");
	assert_int_equal(c.mtu, 1400);
	assert_true(c.mtu_given);
	assert_int_equal(c.keepalive, 25);
	assert_true(c.have_mac);
	assert_int_equal(c.mac[5], 1);
	assert_int_equal(c.window_ns, 2500000000ULL);
	assert_string_equal(c.ipam_type, "host-local");
	assert_string_equal(c.state_dir, CNI_STATE_DIR_DEFAULT);
	cni_config_free(&c);
}

static void config_defaults(void **state)
{
	struct cni_config c;
	struct cni_error e;

	(void)state;
	assert_int_equal(parse("{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}", NULL, &c, &e), 0);
	assert_int_equal(c.mtu, 1418);
	assert_false(c.mtu_given); /* ADD takes it from the path */
	assert_int_equal(c.keepalive, 0);
	assert_false(c.have_mac);
	assert_null(c.peer);
	assert_null(c.ipam_type);
	assert_null(c.listen);
	cni_config_free(&c);
}

/* Precedence: runtimeConfig > args.cni > CNI_ARGS > the configuration. */
#define BASE "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"peer\":\"198.18.0.2:1\"," \
	     "\"mac\":\"02:00:00:00:00:01\",\"listen\":\":1\"%s}"
static void config_precedence(void **state)
{
	struct cni_args a;
	struct cni_config c;
	struct cni_error e;
	char json[512];

	(void)state;
	memset(&a, 0, sizeof(a));
	strcpy(a.mac, "02:00:00:00:00:02");
	strcpy(a.peer, "198.18.0.3:1");
	snprintf(json, sizeof(json), BASE, "");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(c.mac[5], 2);
	assert_string_equal(c.peer, "198.18.0.3:1");
	assert_string_equal(c.listen, ":1");
	cni_config_free(&c);
	snprintf(json, sizeof(json), BASE,
		 ",\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:03\",\"peer\":\"198.18.0.4:1\","
		 "\"listen\":\":4\"}}");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(c.mac[5], 3);
	assert_string_equal(c.peer, "198.18.0.4:1");
	assert_string_equal(c.listen, ":4");
	cni_config_free(&c);
	snprintf(json, sizeof(json), BASE,
		 ",\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:03\"}},"
		 "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:05\"}");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(c.mac[5], 5);
	cni_config_free(&c);
	strcpy(a.peer, "bad");
	snprintf(json, sizeof(json), BASE, "");
	assert_int_equal(parse(json, &a, &c, &e), -1);
	assert_non_null(strstr(e.msg, "CNI_ARGS TTT_PEER"));
}

/* A pod's own listen and peer (args.cni, CNI_ARGS) are refused unless
 * podArgs allows them - at ADD and CHECK, never at DEL: the configuration
 * still parses, and the refusal names the field. */
static void pod_choices_need_pod_args(void **state)
{
	static const char *open_conf =
		",\"podArgs\":{\"peer\":[\"198.18.0.0/24\",\"2001:db8::/64\"],"
		"\"listen\":[\"0.0.0.0/0\"],\"listenPorts\":\"2-9\"},\"link\":\"{namespace}/{pod}\"";
	static const struct {
		const char *extra, *peer, *listen, *msg; /* msg NULL: allowed */
	} cases[] = {
		{ "", "198.18.0.3:1", "", "CNI_ARGS TTT_PEER '198.18.0.3:1': a pod may not choose" },
		{ "", "", ":4", "CNI_ARGS TTT_LISTEN ':4': a pod may not choose where" },
		{ ",\"args\":{\"cni\":{\"peer\":\"198.18.0.4:1\"}}", "", "", "args.cni.peer" },
		{ "*", "198.18.0.3:1", ":4", NULL },
		{ "*", "[2001:db8::7]:1", "", NULL },
		{ "*", "198.18.1.3:1", "", "outside the prefixes a pod may choose (podArgs.peer)" },
		{ "*", "[2001:db8:1::7]:1", "", "outside the prefixes" },
		{ "*", "peer.example:1", "", "must be an IP address" },
		{ "*", "", ":10", "outside the ports a pod may choose (podArgs.listenPorts)" },
		{ "*", "", "198.18.0.1:9", NULL },
	};
	struct cni_args a;
	struct cni_config c;
	struct cni_error e;
	char json[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&a, 0, sizeof(a));
		strcpy(a.peer, cases[i].peer);
		strcpy(a.listen, cases[i].listen);
		strcpy(a.k8s_namespace, "ns");
		strcpy(a.k8s_pod, "p");
		snprintf(json, sizeof(json), BASE,
			 strcmp(cases[i].extra, "*") == 0 ? open_conf : cases[i].extra);
		assert_int_equal(parse(json, &a, &c, &e), 0); /* DEL, GC, STATUS still work */
		if (!cases[i].msg) {
			assert_int_equal(cni_config_attachment_ok(&c, &e), 0);
		} else {
			assert_int_equal(cni_config_attachment_ok(&c, &e), -1);
			assert_int_equal(e.code, 7);
			if (!strstr(e.msg, cases[i].msg))
				fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
		}
		cni_config_free(&c);
	}
	memset(&a, 0, sizeof(a));
	strcpy(a.mac, "02:00:00:00:00:02"); /* the MAC of its own interface: allowed */
	snprintf(json, sizeof(json), BASE, "");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(cni_config_attachment_ok(&c, &e), 0);
	cni_config_free(&c);
}

#define NET "{\"cniVersion\":\"1.0.0\",\"name\":\"lab\",\"listen\":\"198.18.0.1:9123\"%s}"

/* The link identity: the network's name by default, a template expanded
 * from the runtime's values, a table entry's, or none (linkKeys false). */
static void link_identity(void **state)
{
	struct cni_args a;
	struct cni_config c;
	struct cni_error e;
	char json[1024];

	(void)state;
	memset(&a, 0, sizeof(a));
	a.container_id = "ctr1";
	a.ifname = "net1";
	snprintf(json, sizeof(json), NET, "");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_true(c.link_keys);
	assert_string_equal(c.link, "lab");
	cni_config_free(&c);
	snprintf(json, sizeof(json), NET, ",\"link\":\"{network}:{container}:{ifname}\"");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_string_equal(c.link, "lab:ctr1:net1");
	cni_config_free(&c);
	snprintf(json, sizeof(json), NET, ",\"link\":\"{namespace}/{pod}\"");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(cni_config_attachment_ok(&c, &e), -1); /* no K8S_POD_* given */
	assert_non_null(strstr(e.msg, "needs {namespace}, which the runtime did not give"));
	assert_string_equal(e.details, "link");
	cni_config_free(&c);
	strcpy(a.k8s_namespace, "default");
	strcpy(a.k8s_pod, "lab-a");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_string_equal(c.link, "default/lab-a");
	assert_string_equal(c.pod, "default/lab-a");
	cni_config_free(&c);
	snprintf(json, sizeof(json), NET, ",\"linkKeys\":false");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_false(c.link_keys);
	assert_string_equal(c.link, "");
	cni_config_free(&c);
}

#define BARE "{\"cniVersion\":\"1.0.0\",\"name\":\"lab\"%s}"

/* The safety rule: when pods choose listen or peer, or ports come from a
 * range, several attachments share a configuration: each must be its own
 * link, or one pod could speak into another's. */
static void link_must_name_the_pod(void **state)
{
	static const struct {
		const char *extra, *msg;
	} cases[] = {
		{ ",\"podArgs\":{\"peer\":[\"198.18.0.0/24\"]}", "field 'name' must name one pod" },
		{ ",\"podArgs\":{\"peer\":[\"198.18.0.0/24\"]},\"link\":\"x-{pod}\"",
		  "field 'link' must name one pod" },
		{ ",\"listen\":\"198.18.0.1:9200-9299\"", "field 'name' must name one pod" },
		{ ",\"listen\":\"198.18.0.1:9200-9299\",\"link\":\"{pod}\"", "must name one pod" },
		{ ",\"linkKeys\":false,\"link\":\"x\"", "'linkKeys' false" },
		{ ",\"linkKeys\":false,\"podArgs\":{\"peer\":[\"198.18.0.0/24\"]}", "'linkKeys' false" },
		{ ",\"linkKeys\":false,\"listen\":\"198.18.0.1:1-2\"", "'linkKeys' false" },
		{ ",\"linkKeys\":\"no\"", "'linkKeys' must be true or false" },
		{ ",\"link\":\"{bogus}\"", "may use {network}, {namespace}, {pod}" },
		{ ",\"link\":\"a b\"", "printable characters without spaces" },
		{ ",\"podArgs\":{\"peer\":\"198.18.0.0/24\"}", "'podArgs.peer' must be an array" },
		{ ",\"podArgs\":{\"peer\":[\"198.18.0.0/33\"]}", "'podArgs.peer' must be an array" },
		{ ",\"podArgs\":{\"listen\":[\"198.18.0.0/24\"]}", "'podArgs.listenPorts' is needed" },
		{ ",\"podArgs\":{\"listenPorts\":\"9-1\"}", "'podArgs.listenPorts' must be" },
		{ ",\"listen\":\"198.18.0.1:9300-9200\",\"link\":\"{container}\"", "port range" },
		{ ",\"listen\":\"198.18.0.1:0-9\",\"link\":\"{container}\"", "port range" },
	};
	struct cni_args a;
	struct cni_config c;
	struct cni_error e;
	char json[1024];

	(void)state;
	memset(&a, 0, sizeof(a));
	strcpy(a.k8s_namespace, "ns");
	strcpy(a.k8s_pod, "p");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), BARE, cases[i].extra);
		if (parse(json, &a, &c, &e) == 0) {
			int ok = cni_config_attachment_ok(&c, &e);
			cni_config_free(&c);
			if (ok == 0)
				fail_msg("case %zu accepted", i);
		}
		assert_int_equal(e.code, 7);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, cases[i].msg);
	}
	snprintf(json, sizeof(json), BARE,
		 ",\"listen\":\"[2001:db8::1]:9200-9299\",\"link\":\"{namespace}/{pod}\"");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_string_equal(c.listen_range.host, "[2001:db8::1]");
	assert_int_equal(c.listen_range.lo, 9200);
	assert_int_equal(c.listen_range.hi, 9299);
	cni_config_free(&c);
}

/* "links": the administrator's values for the pods it names. */
#define LINKS ",\"links\":[{\"pod\":\"default/lab-a\",\"link\":\"ab\",\"listen\":\"198.18.0.1:9201\"," \
	      "\"peer\":\"198.18.0.2:9201\",\"mac\":\"02:00:00:00:00:0a\"}," \
	      "{\"pod\":\"default/lab-b\",\"link\":\"ab\",\"listen\":\"198.18.0.2:9201\"}]"
static void links_table(void **state)
{
	static const struct {
		const char *extra, *msg;
	} bad[] = {
		{ ",\"links\":{}", "'links' must be an array" },
		{ ",\"links\":[1]", "'links[0]' must be an object" },
		{ ",\"links\":[{\"pod\":\"lab-a\",\"link\":\"x\"}]", "'links[0].pod' must be" },
		{ ",\"links\":[{\"pod\":\"a/b\"}]", "'links[0].link' must be a link identity" },
		{ ",\"links\":[{\"pod\":\"a/b\",\"link\":\"x\",\"listen\":\"1.2.3.4\"}]",
		  "'links[0].listen'" },
		{ ",\"links\":[{\"pod\":\"a/b\",\"link\":\"x\",\"peer\":\":1\"}]", "needs a host" },
		{ ",\"links\":[{\"pod\":\"a/b\",\"link\":\"x\",\"mac\":\"01:00:00:00:00:01\"}]",
		  "'links[0].mac'" },
		{ ",\"links\":[{\"pod\":\"a/b\",\"link\":\"x\"},{\"pod\":\"a/b\",\"link\":\"y\"}]",
		  "'links[1].pod' names a pod an earlier entry names" },
		{ ",\"links\":[{\"pod\":\"a/b\",\"link\":\"x\"},{\"pod\":\"a/c\",\"link\":\"x\"},"
		  "{\"pod\":\"a/d\",\"link\":\"x\"}]", "a link has two ends" },
	};
	struct cni_args a;
	struct cni_config c;
	struct cni_error e;
	char json[1024];

	(void)state;
	memset(&a, 0, sizeof(a));
	strcpy(a.k8s_namespace, "default");
	strcpy(a.k8s_pod, "lab-a");
	snprintf(json, sizeof(json), NET, LINKS);
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(cni_config_attachment_ok(&c, &e), 0);
	assert_int_equal(c.links_entry, 0);
	assert_string_equal(c.link, "ab");
	assert_string_equal(c.listen, "198.18.0.1:9201");
	assert_string_equal(c.listen_field, "links[0].listen");
	assert_string_equal(c.peer, "198.18.0.2:9201");
	assert_int_equal(c.mac[5], 0x0a);
	cni_config_free(&c);
	strcpy(a.k8s_pod, "lab-b");
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_string_equal(c.link, "ab");
	assert_null(c.peer); /* the entry has none: discovery */
	cni_config_free(&c);
	strcpy(a.k8s_pod, "lab-c"); /* not in the table: the configuration's own values */
	assert_int_equal(parse(json, &a, &c, &e), 0);
	assert_int_equal(c.links_entry, -1);
	assert_string_equal(c.listen, "198.18.0.1:9123");
	assert_string_equal(c.link, "lab");
	cni_config_free(&c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), NET, bad[i].extra);
		assert_int_equal(parse(json, &a, &c, &e), -1);
		assert_int_equal(e.code, 7);
		if (!strstr(e.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg, bad[i].msg);
	}
}

struct conf_case {
	const char *json;
	int code;
	const char *msg;
};

static void config_refusals(void **state)
{
	static const struct conf_case cases[] = {
		{ "", 6, "not valid JSON" },
		{ "null", 6, "not a JSON object" },
		{ "{\"name\":\"n\"}", 7, "field 'cniVersion' is required" },
		{ "{\"cniVersion\":1,\"name\":\"n\"}", 7, "field 'cniVersion' must be a string" },
		{ "{\"cniVersion\":\"0.2.0\",\"name\":\"n\"}", 1, "incompatible CNI version 0.2.0" },
		{ "{\"cniVersion\":\"1.0.0\"}", 7, "field 'name'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"-n\"}", 7, "field 'name'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":true}", 7, "'mtu' must be a number" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":65454}", 7, "whole number" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"window\":3601}", 7, "'window'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"keepalive\":\"25\"}", 7,
		  "'keepalive' must be a number" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"keepalive\":65536}", 7,
		  "'keepalive' must be a whole number of seconds from 0" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"keepalive\":0.5}", 7, "'keepalive'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mac\":\"00:00:00:00:00:00\"}", 7, "'mac'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mac\":\"02:00:00:00:00:0\"}", 7, "'mac'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"listen\":\"[::1]\"}", 7, "'listen'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"peer\":\":5\"}", 7, "needs a host" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"keyFile\":[]}", 7, "'keyFile' must be" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":3}}", 7, "'ipam.type'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"args\":[]}", 7, "'args' must be an object" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"args\":{\"cni\":1}}", 7, "'args.cni'" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"mac\":1}}", 7,
		  "'runtimeConfig.mac' must be a string" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":{}}", 7,
		  "must be an array" },
	};
	struct cni_config c;
	struct cni_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].json, NULL, &c, &e) == 0)
			fail_msg("case %zu accepted: %s", i, cases[i].json);
		if (e.code != cases[i].code || !strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: code %d '%s', expected %d '%s'", i, e.code, e.msg,
				 cases[i].code, cases[i].msg);
		assert_null(c.root);
	}
}

/* The version survives a failed parse, for the error's cniVersion. */
static void version_kept_after_failure(void **state)
{
	struct cni_config c;
	struct cni_error e;

	(void)state;
	assert_int_equal(parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"mtu\":1}", NULL, &c, &e),
			 -1);
	assert_string_equal(c.cni_version, "0.4.0");
}

static void versions(void **state)
{
	(void)state;
	assert_true(cni_version_supported("0.3.0"));
	assert_true(cni_version_supported("1.1.0"));
	assert_false(cni_version_supported("0.2.0"));
	assert_false(cni_version_supported("1.0"));
	assert_true(cni_version_cmp("0.10.0", "0.9.0") > 0);
	assert_true(cni_version_cmp("1.0.0", "1.0.0") == 0);
	assert_true(cni_version_cmp("0.4.0", "1.0.0") < 0);
	assert_true(cni_version_cmp("junk", "0.0.1") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_add_complete),
		cmocka_unit_test(env_refusals),
		cmocka_unit_test(env_optional_by_command),
		cmocka_unit_test(args_known_and_passive),
		cmocka_unit_test(args_unknown_keys),
		cmocka_unit_test(config_full),
		cmocka_unit_test(config_defaults),
		cmocka_unit_test(config_precedence),
		cmocka_unit_test(pod_choices_need_pod_args),
		cmocka_unit_test(link_identity),
		cmocka_unit_test(link_must_name_the_pod),
		cmocka_unit_test(links_table),
		cmocka_unit_test(config_refusals),
		cmocka_unit_test(version_kept_after_failure),
		cmocka_unit_test(versions),
	};

	return cmocka_run_group_tests_name("cni_parse", tests, NULL, NULL);
}
