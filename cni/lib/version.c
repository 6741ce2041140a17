/* SPDX-License-Identifier: MIT */
/* version.c - supported versions and VERSION */
#include "cni/lib/version.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

bool cni_version_supported(const char *v)
{
	for (int i = 0; cni_versions[i]; i++)
		if (strcmp(v, cni_versions[i]) == 0)
			return true;
	return false;
}

/* Fills three numbers; returns 0 when v is digits.digits.digits. */
static int split(const char *v, long n[3])
{
	char *end;

	for (int i = 0; i < 3; i++) {
		if (*v < '0' || *v > '9')
			return -1;
		n[i] = strtol(v, &end, 10);
		if (*end != (i < 2 ? '.' : '\0'))
			return -1;
		v = end + (i < 2);
	}
	return 0;
}

int cni_version_cmp(const char *a, const char *b)
{
	long x[3], y[3];
	int ba = split(a, x), bb = split(b, y);

	if (ba || bb)
		return ba - bb ? (ba ? -1 : 1) : 0;
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

void cni_version_print(FILE *out, const char *conf)
{
	cJSON *in = conf ? cJSON_Parse(conf) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "cniVersion");
	const char *echo = cJSON_IsString(v) && cni_version_supported(v->valuestring)
				   ? v->valuestring
				   : CNI_VERSION_LATEST;

	fprintf(out, "{\"cniVersion\":\"%s\",\"supportedVersions\":[", echo);
	cJSON_Delete(in);
	for (int i = 0; cni_versions[i]; i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", cni_versions[i]);
	fprintf(out, "]}\n");
}
