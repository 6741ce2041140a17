/* SPDX-License-Identifier: MIT */
/* fuzz_cni_config.c - libFuzzer harness: CNI_ARGS (cni_args_parse) and the
 * network configuration on stdin (cni_config_parse), as the plugin's main
 * reads them, plus what it derives from them: the prevResult (CHECK parses
 * it with cni_result_parse), the VERSION answer and the error JSON.
 *
 * Input: CNI_ARGS, then a NUL or newline, then the configuration (the rest,
 * passed with its length and no terminator, as read from stdin). Without a
 * separator the whole input is the configuration and CNI_ARGS is empty.
 * When CNI_ARGS is refused, the configuration is still parsed, without it.
 * Output goes to /dev/null (opened once). Checked (abort on a mismatch): a
 * refusal says why and carries a code; the version a failed parse leaves
 * behind stays readable after cni_config_free; every string of an accepted
 * configuration is readable (ASan sees a dangling pointer); an accepted
 * attachment has a valid link identity (or none, with linkKeys false), a
 * listen port range in order, and a pod's own listen or peer only within
 * podArgs (else a refusal for ADD, with a code, naming the field). The
 * runtime's container ID and interface are "ctr-1" and "net1". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/lib/args.h"
#include "cni/config.h"
#include "cni/lib/env.h"
#include "cni/lib/error.h"
#include "cni/lib/result.h"
#include "cni/lib/version.h"
#include "ttt/crypto/linkkey.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static void check_error(const struct cni_error *e, const char *version)
{
	if (e->code <= 0 || e->msg[0] == '\0' || strnlen(e->msg, sizeof(e->msg)) == sizeof(e->msg) ||
	    strnlen(e->details, sizeof(e->details)) == sizeof(e->details))
		abort();
	cni_error_print(devnull, e, version ? version : CNI_VERSION_LATEST);
}

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void accepted(const struct cni_config *c)
{
	size_t n = 0;

	if (!c->root || !c->cni_version || !cni_version_supported(c->cni_version) || !c->name ||
	    !cni_name_valid(c->name) || !c->state_dir || c->mtu < 68 || c->mtu > 65453 ||
	    !(c->window_ns > 0 && c->window_ns <= 3600000000000ULL))
		abort();
	n += touch(c->key_file) + touch(c->listen) + touch(c->peer) + touch(c->ipam_type) +
	     touch(c->state_dir);
	if (c->have_mac && (c->mac[0] & 1))
		abort(); /* must be unicast */
	if (c->prev_result) {
		struct cni_result r;
		struct cni_error e;

		memset(&e, 0, sizeof(e));
		if (cni_result_parse(c->prev_result, &r, &e) < 0)
			check_error(&e, c->cni_version);
		cni_result_free(&r);
	}
	if (c->valid_attachments && !cJSON_IsArray(c->valid_attachments))
		abort();
	if (c->listen && (c->listen_range.lo == 0 || c->listen_range.lo > c->listen_range.hi))
		abort();
	if (c->attach_refused) {
		struct cni_error e;
		if (cni_config_attachment_ok(c, &e) == 0 || e.details[0] == '\0')
			abort();
		check_error(&e, c->cni_version);
	} else if (c->link_keys ? !ttt_link_id_valid(c->link) : c->link[0] != '\0') {
		abort();
	}
	n += touch(c->listen_field) + touch(c->peer_field) + touch(c->link_field);
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = NULL;
	struct cni_args args;
	struct cni_config c;
	struct cni_error e;
	char *argtext, *conf, *conf_z;
	size_t alen = 0, clen;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\0' || data[i] == '\n') {
			sep = data + i;
			alen = i;
			break;
		}
	}
	if (!sep)
		alen = 0;
	clen = sep ? size - alen - 1 : size;
	argtext = xmalloc(alen + 1);
	memcpy(argtext, data, alen);
	argtext[alen] = '\0';
	conf = xmalloc(clen); /* exactly the bytes read, no terminator */
	memcpy(conf, sep ? sep + 1 : data, clen);

	memset(&e, 0, sizeof(e));
	memset(&args, 0, sizeof(args));
	if (cni_args_parse(argtext, &args, &e) < 0) {
		check_error(&e, NULL);
		memset(&args, 0, sizeof(args));
	}
	args.container_id = "ctr-1";
	args.ifname = "net1";
	memset(&e, 0, sizeof(e));
	if (cni_config_parse(conf, clen, &args, &c, &e) == 0) {
		accepted(&c);
		cni_config_free(&c);
	} else {
		check_error(&e, c.cni_version);
		if (c.root)
			abort(); /* freed on failure */
		cni_config_free(&c); /* harmless a second time */
		if (c.cni_version && !cni_version_supported(c.cni_version))
			abort();
	}
	/* VERSION echoes the configuration's cniVersion when it can. */
	conf_z = xmalloc(clen + 1);
	memcpy(conf_z, conf, clen);
	conf_z[clen] = '\0';
	cni_version_print(devnull, conf_z);
	free(conf_z);
	free(conf);
	free(argtext);
	return 0;
}
