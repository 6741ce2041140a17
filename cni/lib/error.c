/* SPDX-License-Identifier: MIT */
/* error.c - CNI error JSON */
#include "cni/lib/error.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cni_fail(struct cni_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->details[0] = '\0';
	return -1;
}

int cni_fail_err(struct cni_error *e, int code, const struct ttt_err *err)
{
	return cni_fail(e, code, "%s", err->msg);
}

int cni_fail_errf(struct cni_error *e, int code, const struct ttt_err *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n + 2 < sizeof(e->msg)) { /* a message too long is cut short */
		size_t room = sizeof(e->msg) - (size_t)n - 2, len = strnlen(err->msg, room - 1);
		memcpy(e->msg + n, ": ", 2);
		memcpy(e->msg + n + 2, err->msg, len);
		e->msg[(size_t)n + 2 + len] = '\0';
	}
	e->code = code;
	e->details[0] = '\0';
	return -1;
}

int cni_detail(struct cni_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
	return -1;
}

void cni_error_print(FILE *out, const struct cni_error *e, const char *version)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	if (o && cJSON_AddStringToObject(o, "cniVersion", version) &&
	    cJSON_AddNumberToObject(o, "code", e->code) && cJSON_AddStringToObject(o, "msg", e->msg) &&
	    (!e->details[0] || cJSON_AddStringToObject(o, "details", e->details)) &&
	    (text = cJSON_Print(o)) != NULL) {
		fprintf(out, "%s\n", text);
		free(text);
	} else { /* out of memory: still say something a runtime can parse */
		fprintf(out, "{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"out of memory\"}\n",
			version, CNI_ERR_INTERNAL);
	}
	cJSON_Delete(o);
}
