/* SPDX-License-Identifier: MIT */
/* fuzz_cni_result.c - libFuzzer harness: CNI results as the plugin reads
 * them back from IPAM plugins (cni_result_parse_text), then printed in
 * every version we speak (cni_result_print) and freed.
 *
 * The input is the IPAM plugin's output (a NUL-terminated copy). Checked
 * (abort on a mismatch): a refusal says why; the counts stay within the
 * arrays; every printed result is JSON that parses again, and when the
 * plugin's own parser accepts it, with as many interfaces, addresses and
 * routes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cni/lib/error.h"
#include "cni/lib/result.h"
#include "cni/lib/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printed(const struct cni_result *r, const char *text)
{
	struct cni_result again;
	struct cni_error e;
	cJSON *doc = cJSON_Parse(text);

	if (!doc || !cJSON_IsObject(doc))
		abort(); /* we printed something that is not a JSON object */
	cJSON_Delete(doc);
	memset(&e, 0, sizeof(e));
	if (cni_result_parse_text(text, &again, &e) == 0) {
		if (again.n_ifaces != r->n_ifaces || again.n_ips != r->n_ips ||
		    again.n_routes != r->n_routes || (again.dns == NULL) != (r->dns == NULL))
			abort();
		for (int i = 0; i < r->n_ips; i++)
			if (again.ips[i].family != r->ips[i].family ||
			    again.ips[i].iface != r->ips[i].iface ||
			    strcmp(again.ips[i].address, r->ips[i].address) != 0)
				abort();
	}
	cni_result_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct cni_result r;
	struct cni_error e;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&e, 0, sizeof(e));
	if (cni_result_parse_text(text, &r, &e) != 0) {
		if (e.code <= 0 || e.msg[0] == '\0')
			abort();
	} else {
		if (r.n_ifaces < 0 || r.n_ifaces > CNI_MAX_IFACES || r.n_ips < 0 ||
		    r.n_ips > CNI_MAX_IPS || r.n_routes < 0 || r.n_routes > CNI_MAX_ROUTES)
			abort();
		for (int i = 0; cni_versions[i]; i++) {
			char *out = cni_result_print(&r, cni_versions[i]);
			if (!out)
				abort();
			check_printed(&r, out);
			free(out);
		}
	}
	cni_result_free(&r);
	free(text);
	return 0;
}
