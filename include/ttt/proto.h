/* SPDX-License-Identifier: MIT */
/* proto.h - every wire and offload constant, in one place
 *
 * The tinytaptunnel v1.4 datagram:
 *
 *     | HMAC-SHA256 (32) | UNIX time ns, big-endian u64 (8) | frame (1..MTU+14) |
 *
 * and the protocol headers the data path looks into: Ethernet, IPv4, IPv6,
 * TCP, UDP, and the virtio_net_hdr that a tap opened with IFF_VNET_HDR puts
 * in front of every packet. */
#ifndef TTT_PROTO_H
#define TTT_PROTO_H

/* The v1.4 datagram. */
#define TTT_HMAC_LEN 32
#define TTT_TS_LEN 8
#define TTT_HDR_LEN (TTT_HMAC_LEN + TTT_TS_LEN) /* 40 */
#define TTT_MTU_DEFAULT 1418 /* 1500 - IPv4 20 - UDP 8 - Ethernet 14 - 40 */
/* The largest datagram a v1.4 peer sends (and receives: it truncates
 * anything longer): 40 + 1418 + 14. A receiver accepts at least this much
 * whatever its own MTU, and the MTU taken from the path is never larger
 * than TTT_MTU_DEFAULT, so a v1.4 peer can take every datagram we send. */
#define TTT_V14_DGRAM_MAX 1472
#define TTT_MTU_MIN 68
#define TTT_MTU_MAX 65453 /* keeps a datagram within 65507, IPv4's UDP limit */
#define TTT_WINDOW_DEFAULT_NS 3000000000ULL
#define TTT_WINDOW_MAX_SECONDS 3600

/* Ethernet. */
#define TTT_ETH_ALEN 6   /* an Ethernet (MAC) address */
#define TTT_ETH_HLEN 14  /* destination, source, type */
#define TTT_ETH_P_IPV4 0x0800
#define TTT_ETH_P_IPV6 0x86dd
#define TTT_ETH_P_8021Q 0x8100
#define TTT_ETH_P_8021AD 0x88a8
#define TTT_ETH_P_EXPERIMENTAL 0x88b5 /* IEEE 802 local experimental */
#define TTT_VLAN_HLEN 4

/* The keepalive (--keepalive): an authenticated datagram whose frame is an
 * Ethernet header alone, sent to the IEEE 802.1 MAC Control (pause) group
 * address, which bridges never forward (Linux bridges drop it on arrival,
 * before learning the source), with the local experimental EtherType, which
 * no protocol handler takes: a v1.4 peer writes it to its tap and the
 * kernel discards it. Our receiver counts it (rx_keepalive) and drops it. */
#define TTT_KEEPALIVE_DST { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x01 }
#define TTT_KEEPALIVE_SRC { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 }
#define TTT_KEEPALIVE_LEN TTT_ETH_HLEN
#define TTT_KEEPALIVE_MAX_SECONDS 65535

/* IP. */
#define TTT_IPV4_HLEN 20 /* without options */
#define TTT_IPV6_HLEN 40
#define TTT_IPPROTO_TCP 6
#define TTT_IPPROTO_UDP 17
#define TTT_UDP_HLEN 8
#define TTT_UDP4_OVERHEAD (TTT_IPV4_HLEN + TTT_UDP_HLEN) /* 28 */
#define TTT_UDP6_OVERHEAD (TTT_IPV6_HLEN + TTT_UDP_HLEN) /* 48 */
#define TTT_IPV4_UDP_MAX 65507 /* the largest UDP payload over IPv4 */

/* TCP. */
#define TTT_TCP_HLEN 20 /* without options */
#define TTT_TCP_FIN 0x01
#define TTT_TCP_SYN 0x02
#define TTT_TCP_RST 0x04
#define TTT_TCP_PSH 0x08
#define TTT_TCP_ACK 0x10
#define TTT_TCP_URG 0x20
#define TTT_TCP_ECE 0x40
#define TTT_TCP_CWR 0x80
#define TTT_TCP_CSUM_OFFSET 16 /* of the checksum field in the TCP header */

/* struct virtio_net_hdr (linux/virtio_net.h), in host byte order as tun
 * uses it by default: flags (1), gso_type (1), hdr_len (2), gso_size (2),
 * csum_start (2), csum_offset (2). */
#define TTT_VNET_HDR_LEN 10

#endif
