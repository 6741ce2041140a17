/* SPDX-License-Identifier: MIT */
/* genkey.c - `ttt genkey [FILE]`: a new preshared key */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"
#include "ttt/crypto/keyfile.h"

static void genkey_usage(FILE *out)
{
	fprintf(out,
		"Usage: " TOOL_NAME " genkey [FILE]\n"
		"\n"
		"A new preshared key: %d random bytes, base64, as ttt-worker reads it. FILE is\n"
		"created with mode 0600 and never replaces an existing file (it is written to a\n"
		"temporary name and linked into place). Without FILE, the key goes to standard\n"
		"output.\n",
		TTT_KEY_GEN_LEN);
}

/* Like wg genkey: a warning when stdout is a file others may read. */
static void warn_loose_stdout(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
		fprintf(stderr, "%s genkey: warning: writing the key to a file group or others may "
				"read (mode %04o)\n", TOOL_NAME, (unsigned)(st.st_mode & 07777));
}

int cmd_genkey(int argc, char **argv)
{
	struct ttt_key *key = NULL;
	struct ttt_err err;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		genkey_usage(stdout);
		return 0;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		genkey_usage(stderr);
		return 2;
	}
	if (argc == 1) {
		warn_loose_stdout();
		if (ttt_key_print_new(STDOUT_FILENO, &err) == 0)
			return 0;
		fprintf(stderr, "%s genkey: %s\n", TOOL_NAME, err.msg);
		return 1;
	}
	if (ttt_keyfile_create(argv[1], &key, &err) < 0) {
		fprintf(stderr, "%s genkey: %s%s\n", TOOL_NAME, err.msg,
			err.code == EEXIST ? " (it is left as it is)" : "");
		return 1;
	}
	ttt_key_free(key);
	return 0;
}
