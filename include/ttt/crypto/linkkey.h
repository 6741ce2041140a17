/* SPDX-License-Identifier: MIT */
/* linkkey.h - one key per link, derived from a network's key
 *
 * Every attachment of a CNI network reads the same key file. So that a
 * datagram sealed for one link is never accepted on another, each link
 * uses its own key, derived from the network's key and the link's identity
 * (a name the network's administrator gives the link; both ends use the
 * same one):
 *
 *     link key = HKDF-SHA256(salt = "tinytaptunnel link key v1",
 *                            IKM  = the network key's bytes,
 *                            info = the link identity,
 *                            L    = 32 bytes)                  (RFC 5869)
 *
 * The wire format does not change: a link key is an ordinary key, and a
 * key file holding it (ttt_keyfile_derive) is all a standalone peer - v1.4
 * included - needs to be the other end of the link. */
#ifndef TTT_LINKKEY_H
#define TTT_LINKKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ttt/crypto/keyfile.h"
#include "ttt/util/err.h"

#define TTT_LINK_ID_MAX 255 /* bytes in a link identity */
#define TTT_LINK_KEY_LEN 32
#define TTT_LINK_KEY_SALT "tinytaptunnel link key v1"

/* HKDF-SHA256 (RFC 5869): extract with salt, expand with info into out_len
 * bytes (at most 255 * 32). Returns 0, or -1 when out_len is too large. */
int ttt_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
		    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

/* Whether id is a usable link identity: 1 to TTT_LINK_ID_MAX printable
 * ASCII characters, no white space (it appears on command lines and in
 * logs). */
bool ttt_link_id_valid(const char *id);

/* The key of link id under the network key net, in guarded memory (free
 * with ttt_key_free). */
int ttt_link_key_derive(const struct ttt_key *net, const char *id, struct ttt_key **out,
			struct ttt_err *err);

/* Reads the network key file net_path and writes the key of link id into a
 * new key file out_path (mode 0600, base64 as v1.4 reads it; an existing
 * file is never overwritten: err->code is EEXIST then). */
int ttt_keyfile_derive(const char *net_path, const char *id, const char *out_path,
		       struct ttt_err *err);

#endif
