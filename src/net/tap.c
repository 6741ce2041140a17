/* SPDX-License-Identifier: MIT */
/* tap.c - creating and adopting tap devices */
#include "ttt/net/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ttt/proto.h"

void ttt_vnet_hdr_read(const uint8_t p[TTT_VNET_HDR_LEN], struct ttt_vnet_hdr *h)
{
	h->flags = p[0];
	h->gso_type = p[1];
	memcpy(&h->hdr_len, p + 2, 2);
	memcpy(&h->gso_size, p + 4, 2);
	memcpy(&h->csum_start, p + 6, 2);
	memcpy(&h->csum_offset, p + 8, 2);
}

void ttt_vnet_hdr_write(uint8_t p[TTT_VNET_HDR_LEN], const struct ttt_vnet_hdr *h)
{
	p[0] = h->flags;
	p[1] = h->gso_type;
	memcpy(p + 2, &h->hdr_len, 2);
	memcpy(p + 4, &h->gso_size, 2);
	memcpy(p + 6, &h->csum_start, 2);
	memcpy(p + 8, &h->csum_offset, 2);
}

ssize_t ttt_tap_read(int fd, uint8_t *buf, size_t cap)
{
	return read(fd, buf, cap);
}

int ttt_tap_write(int fd, const struct iovec *iov, int cnt)
{
	return writev(fd, iov, cnt) < 0 ? -1 : 0;
}

int ttt_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IF_NAMESIZE || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

static int make_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* The vnet header's size and the offloads we can undo (gso.c). */
static int enable_offload(int fd)
{
	int hdr = TTT_VNET_HDR_LEN;
	unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(fd, TUNSETOFFLOAD, off) < 0)
		return -1;
	return 0;
}

static int tunsetiff_error(int e, const char *name, struct ttt_err *err)
{
	if (e == EBUSY)
		return ttt_err_set(err, "interface %s already exists and is in use", name);
	if (e == EINVAL)
		return ttt_err_set(err, "interface %s already exists and is not a free tap",
				   name);
	if (e == EPERM)
		return ttt_err_set(err, "creating a tap needs CAP_NET_ADMIN (run as root)");
	return ttt_err_sys(err, e, "cannot create tap %s", name);
}

int ttt_tap_open(const char *name, unsigned flags, char ifname[IF_NAMESIZE],
		 struct ttt_err *err)
{
	struct ifreq ifr;
	int fd;

	if (name && *name && !ttt_ifname_valid(name))
		return ttt_err_set(err, "'%s' is not a valid interface name", name);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ttt_err_sys(err, errno, "cannot open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (flags & TTT_TAP_OFFLOAD ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", name && *name ? name : "tap%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		return tunsetiff_error(e, name && *name ? name : "tapN", err);
	}
	if ((flags & TTT_TAP_OFFLOAD) && enable_offload(fd) < 0) {
		ttt_err_sys(err, errno, "cannot enable offloads on tap %s", ifr.ifr_name);
		close(fd);
		return -1;
	}
	memcpy(ifname, ifr.ifr_name, IF_NAMESIZE);
	ifname[IF_NAMESIZE - 1] = '\0';
	return fd;
}

int ttt_tap_adopt(int fd, char ifname[IF_NAMESIZE], bool *offload, struct ttt_err *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return ttt_err_sys(err, errno, "inherited descriptor %d is not a tap", fd);
	if ((ifr.ifr_flags & (IFF_TAP | IFF_TUN)) != IFF_TAP || !(ifr.ifr_flags & IFF_NO_PI))
		return ttt_err_set(err, "inherited descriptor %d is not a tap opened with "
					"IFF_TAP | IFF_NO_PI", fd);
	*offload = (ifr.ifr_flags & IFF_VNET_HDR) != 0;
	if (make_nonblocking(fd) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    (*offload && enable_offload(fd) < 0))
		return ttt_err_sys(err, errno, "inherited tap descriptor %d", fd);
	memcpy(ifname, ifr.ifr_name, IF_NAMESIZE);
	ifname[IF_NAMESIZE - 1] = '\0';
	return 0;
}
