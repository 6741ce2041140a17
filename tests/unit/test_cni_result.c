/* SPDX-License-Identifier: MIT */
/* test_cni_result.c - reading IPAM results and prevResult, printing results
 * in each spec version, and error JSON */
#include "helpers.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>

#include "cni/lib/error.h"
#include "cni/lib/result.h"

static const char *host_local_100 =
	"{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"198.19.0.10/24\",\"gateway\":"
	"\"198.19.0.1\"},{\"address\":\"2001:db8:ff::10/64\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"},"
	"{\"dst\":\"2001:db8::/32\",\"gw\":\"2001:db8:ff::1\"}],\"dns\":{\"nameservers\":"
	"[\"198.19.0.53\"]}}";

static void ipam_result_100(void **state)
{
	struct cni_result r;
	struct cni_error e;

	(void)state;
	if (cni_result_parse_text(host_local_100, &r, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(r.n_ips, 2);
	assert_int_equal(r.ips[0].family, AF_INET);
	assert_string_equal(r.ips[0].gateway, "198.19.0.1");
	assert_int_equal(r.ips[1].family, AF_INET6);
	assert_int_equal(r.ips[1].iface, -1);
	assert_int_equal(r.n_routes, 2);
	assert_string_equal(r.routes[1].gw, "2001:db8:ff::1");
	assert_non_null(r.dns);
	cni_result_free(&r);
}

static void ipam_result_040(void **state)
{
	struct cni_result r;
	struct cni_error e;

	(void)state;
	assert_int_equal(cni_result_parse_text("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\","
					       "\"address\":\"198.19.0.10/24\"}],\"dns\":{}}",
					       &r, &e),
			 0);
	assert_int_equal(r.n_ips, 1);
	cni_result_free(&r);
}

static void bad_results(void **state)
{
	static const char *cases[] = {
		"nope",
		"[]",
		"{\"ips\":{}}",
		"{\"ips\":[{\"gateway\":\"198.19.0.1\"}]}",
		"{\"ips\":[{\"address\":\"198.19.0.10\"}]}",
		"{\"ips\":[{\"address\":\"198.19.0.10/33\"}]}",
		"{\"ips\":[{\"address\":\"198.19.0.300/24\"}]}",
		"{\"ips\":[{\"address\":\"198.19.0.10/24\",\"gateway\":\"2001:db8::1\"}]}",
		"{\"ips\":[{\"address\":\"198.19.0.10/24\",\"interface\":0}]}",
		"{\"routes\":[{\"dst\":\"0.0.0.0\"}]}",
		"{\"routes\":[{\"dst\":\"::/0\",\"gw\":\"198.19.0.1\"}]}",
		"{\"interfaces\":[{\"mac\":\"x\"}]}",
		/* found by fuzz_cni_result: */
		"{\"interfaces\":[{\"name\":\"\"}]}",
		"{\"interfaces\":[{\"name\":\"eth0\",\"mtu\":1e23}]}",
		"{\"interfaces\":[{\"name\":\"eth0\",\"mtu\":4294968714}]}",
		"{\"interfaces\":[{\"name\":\"eth0\",\"mtu\":-1}]}",
	};
	struct cni_result r;
	struct cni_error e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cni_result_parse_text(cases[i], &r, &e) == 0)
			fail_msg("accepted: %s", cases[i]);
		assert_int_equal(e.code, CNI_ERR_DECODE);
		cni_result_free(&r);
	}
}

static void too_many_entries(void **state)
{
	char json[8192] = "{\"ips\":[";
	struct cni_result r;
	struct cni_error e;

	(void)state;
	for (int i = 0; i <= CNI_MAX_IPS; i++)
		snprintf(json + strlen(json), sizeof(json) - strlen(json),
			 "%s{\"address\":\"198.19.0.%d/24\"}", i ? "," : "", i + 1);
	strcat(json, "]}");
	assert_int_equal(cni_result_parse_text(json, &r, &e), -1);
	assert_non_null(strstr(e.msg, "more than"));
	cni_result_free(&r);
}

/* Prints r in version and parses the text back. */
static cJSON *printed(const struct cni_result *r, const char *version)
{
	char *text = cni_result_print(r, version);
	cJSON *o;

	assert_non_null(text);
	o = cJSON_Parse(text);
	free(text);
	assert_non_null(o);
	return o;
}

static const char *str_at(const cJSON *o, const char *a, int i, const char *b)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, a), i), b);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void print_versions(void **state)
{
	struct cni_result r;
	struct cni_error e;
	cJSON *o;

	(void)state;
	assert_int_equal(cni_result_parse_text(host_local_100, &r, &e), 0);
	r.n_ifaces = 1;
	strcpy(r.ifaces[0].name, "net1");
	strcpy(r.ifaces[0].mac, "02:00:00:00:00:01");
	strcpy(r.ifaces[0].sandbox, "/var/run/netns/c1");
	r.ifaces[0].mtu = 1418;
	r.ips[0].iface = r.ips[1].iface = 0;

	o = printed(&r, "0.3.1");
	assert_string_equal(cJSON_GetObjectItem(o, "cniVersion")->valuestring, "0.3.1");
	assert_string_equal(str_at(o, "ips", 0, "version"), "4");
	assert_string_equal(str_at(o, "ips", 1, "version"), "6");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "interfaces"), 0),
					"mtu"));
	cJSON_Delete(o);

	o = printed(&r, "1.0.0");
	assert_null(str_at(o, "ips", 0, "version"));
	assert_string_equal(str_at(o, "interfaces", 0, "sandbox"), "/var/run/netns/c1");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "ips"), 1),
					     "interface")->valueint, 0);
	assert_string_equal(str_at(o, "routes", 1, "gw"), "2001:db8:ff::1");
	assert_null(str_at(o, "routes", 0, "gw"));
	assert_non_null(cJSON_GetObjectItem(o, "dns"));
	cJSON_Delete(o);

	o = printed(&r, "1.1.0");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "interfaces"), 0),
					     "mtu")->valueint, 1418);
	cJSON_Delete(o);
	cni_result_free(&r);
}

static void error_json(void **state)
{
	struct cni_error e;
	char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	cJSON *o;

	(void)state;
	cni_fail(&e, 7, "field '%s' is wrong", "mtu");
	cni_detail(&e, "mtu");
	cni_error_print(f, &e, "1.0.0");
	fclose(f);
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_int_equal(cJSON_GetObjectItem(o, "code")->valueint, 7);
	assert_string_equal(cJSON_GetObjectItem(o, "msg")->valuestring, "field 'mtu' is wrong");
	assert_string_equal(cJSON_GetObjectItem(o, "details")->valuestring, "mtu");
	assert_string_equal(cJSON_GetObjectItem(o, "cniVersion")->valuestring, "1.0.0");
	cJSON_Delete(o);
}

static void ip_families(void **state)
{
	(void)state;
	assert_int_equal(cni_ip_family("198.19.0.1", false), AF_INET);
	assert_int_equal(cni_ip_family("198.19.0.1/32", true), AF_INET);
	assert_int_equal(cni_ip_family("::/0", true), AF_INET6);
	assert_int_equal(cni_ip_family("198.19.0.1/", true), 0);
	assert_int_equal(cni_ip_family("198.19.0.1/24", false), 0);
	assert_int_equal(cni_ip_family("::1/129", true), 0);
	assert_int_equal(cni_ip_family("", false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipam_result_100), cmocka_unit_test(ipam_result_040),
		cmocka_unit_test(bad_results),	   cmocka_unit_test(too_many_entries),
		cmocka_unit_test(print_versions),  cmocka_unit_test(error_json),
		cmocka_unit_test(ip_families),
	};

	return cmocka_run_group_tests_name("cni_result", tests, NULL, NULL);
}
