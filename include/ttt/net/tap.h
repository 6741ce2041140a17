/* tap.h - the tap device: a file descriptor carrying Ethernet frames
 *
 * Opened from /dev/net/tun with IFF_TAP | IFF_NO_PI, non-blocking and
 * close-on-exec. A tap that is not persistent disappears when its last
 * descriptor closes. */
#ifndef TTT_TAP_H
#define TTT_TAP_H

#include <net/if.h>
#include <stdbool.h>

#include "ttt/util/err.h"

/* Open the tap with a virtio_net_hdr before every packet, and offer the
 * kernel checksum and TCP segmentation offload (see gso.h): it may then
 * hand over 64 KiB TCP superframes in one read. */
#define TTT_TAP_OFFLOAD 1u

/* Creates (or attaches to a persistent) tap. name may be NULL or "" to let
 * the kernel choose tapN; the name it got is written to ifname. */
int ttt_tap_open(const char *name, unsigned flags, char ifname[IF_NAMESIZE],
		 struct ttt_err *err);

/* Takes over an inherited tap descriptor: checks it is a tap without packet
 * information, makes it non-blocking and close-on-exec, reports its name
 * and whether it was opened with IFF_VNET_HDR (whose offloads it enables). */
int ttt_tap_adopt(int fd, char ifname[IF_NAMESIZE], bool *offload, struct ttt_err *err);

/* Whether name is usable as a Linux interface name (1-15 characters, no '/',
 * ':' or whitespace, not "." or ".."). */
int ttt_ifname_valid(const char *name);

#endif
