/* SPDX-License-Identifier: MIT */
/* derivekey.c - `ttt derive-key ID NETKEY NEWKEY`: the key file of one link */
#include <errno.h>
#include <string.h>

#include "tool.h"
#include "ttt/crypto/linkkey.h"

static void derive_usage(FILE *out)
{
	fprintf(out,
		"Usage: " TOOL_NAME " derive-key <link> <network key file> <new key file>\n"
		"\n"
		"The key of link <link> (HKDF-SHA256 of the network key and the link identity,\n"
		"as `ttt-worker --link` and the CNI plugin use it), written into <new key file>\n"
		"in base64 as ttt-worker and tinytaptunnel v1.4 read it: the key file of a peer\n"
		"that takes a plain key file. The file is created with mode 0600 and never\n"
		"replaces an existing file. The same as `ttt-worker --derive-key`.\n");
}

int cmd_derive_key(int argc, char **argv)
{
	struct ttt_err err;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		derive_usage(stdout);
		return 0;
	}
	if (argc != 4) {
		derive_usage(stderr);
		return 2;
	}
	if (ttt_keyfile_derive(argv[2], argv[1], argv[3], &err) < 0) {
		fprintf(stderr, "%s derive-key: %s%s\n", TOOL_NAME, err.msg,
			err.code == EEXIST ? " (it is left as it is)" : "");
		return 1;
	}
	printf("wrote the key of link %s to %s (mode 0600)\n", argv[1], argv[3]);
	return 0;
}
