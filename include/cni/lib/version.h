/* SPDX-License-Identifier: MIT */
/* version.h - the CNI spec versions we speak */
#ifndef CNI_VERSION_H
#define CNI_VERSION_H

#include <stdbool.h>
#include <stdio.h>

#define CNI_VERSION_LATEST "1.1.0"

/* "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", then NULL. */
extern const char *const cni_versions[];

bool cni_version_supported(const char *v);

/* <0, 0, >0 like strcmp, comparing major.minor.patch numerically; a
 * malformed version sorts first. */
int cni_version_cmp(const char *a, const char *b);

/* The VERSION command's answer, echoing the cniVersion asked for on stdin
 * (conf, may be NULL) when we support it, as the spec says. */
void cni_version_print(FILE *out, const char *conf);

#endif
