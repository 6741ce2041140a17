/* SPDX-License-Identifier: MIT */
/* keyfile.h - the preshared key and the file it lives in
 *
 * The file holds the key in standard base64 (surrounding whitespace ignored),
 * exactly as tinytaptunnel v1.4 reads it; any non-empty key length is valid.
 * A missing file is created with 32 random bytes, mode 0600, never replacing
 * a file that exists, and never left half-written. Keys live in guarded
 * memory (libsodium) and are wiped when freed. */
#ifndef TTT_KEYFILE_H
#define TTT_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ttt/util/err.h"

#define TTT_KEY_GEN_LEN 32          /* bytes in a generated key */
#define TTT_KEYFILE_MAX (64 * 1024) /* larger files are refused */

struct ttt_key {
	size_t len;
	uint8_t bytes[];
};

struct ttt_keyfile_info {
	bool created; /* the file did not exist and was generated */
	mode_t mode;  /* permission bits of the file */
};

/* Parses key file contents (trims whitespace, decodes base64). */
int ttt_key_parse(const char *text, size_t n, struct ttt_key **key, struct ttt_err *err);

/* Reads and parses the key file. err->code is ENOENT when it does not exist.
 * Symbolic links are followed, but the file is opened for reading only after
 * it is known to be a regular file: a path naming a device node or a FIFO is
 * refused without being opened. */
int ttt_keyfile_load(const char *path, struct ttt_key **key, struct ttt_keyfile_info *info,
		     struct ttt_err *err);

/* Creates the key file with a fresh random key. err->code is EEXIST when a
 * file is already there (it is left untouched). */
int ttt_keyfile_create(const char *path, struct ttt_key **key, struct ttt_err *err);

/* Writes key into a new file at path (mode 0600), exactly as
 * ttt_keyfile_create does: err->code is EEXIST when a file is already there. */
int ttt_keyfile_write(const char *path, const struct ttt_key *key, struct ttt_err *err);

/* A zeroed key of len bytes in guarded memory (NULL when there is none). */
struct ttt_key *ttt_key_new(size_t len);

/* Writes a fresh random key (TTT_KEY_GEN_LEN bytes), base64 and a newline,
 * to fd (`ttt genkey` without a file: standard output). */
int ttt_key_print_new(int fd, struct ttt_err *err);

/* What the worker does: load the file, or create it when it does not exist. */
int ttt_keyfile_load_or_create(const char *path, struct ttt_key **key,
			       struct ttt_keyfile_info *info, struct ttt_err *err);

/* True when group or others have any access to a key file of this mode. */
static inline bool ttt_keyfile_mode_is_loose(mode_t mode)
{
	return (mode & 077) != 0;
}

/* Wipes and frees a key (NULL is fine). */
void ttt_key_free(struct ttt_key *key);

#endif
