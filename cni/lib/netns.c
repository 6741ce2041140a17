/* SPDX-License-Identifier: MIT */
/* netns.c - entering and leaving network namespaces */
#include "cni/lib/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int cni_netns_open(const char *path, struct cni_error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0) {
		int code = errno == ENOENT ? CNI_ERR_UNKNOWN_CONTAINER : CNI_ERR_INTERNAL;
		cni_fail(e, code, "cannot open network namespace %s: %s", path, strerror(errno));
		return cni_detail(e, "CNI_NETNS");
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		cni_fail(e, CNI_ERR_UNKNOWN_CONTAINER, "%s is not a network namespace", path);
		return cni_detail(e, "CNI_NETNS");
	}
	return fd;
}

int cni_netns_run(int nsfd, int (*fn)(void *arg, struct cni_error *e), void *arg,
		  struct cni_error *e)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int rc;

	if (home < 0)
		return cni_fail(e, CNI_ERR_INTERNAL, "cannot open our own network namespace: %s",
				strerror(errno));
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		close(home);
		return cni_fail(e, CNI_ERR_INTERNAL, "cannot enter the network namespace: %s",
				strerror(errno));
	}
	rc = fn(arg, e);
	if (setns(home, CLONE_NEWNET) < 0) {
		/* Carrying on in the wrong namespace would damage it: stop here. */
		close(home);
		cni_fail(e, CNI_ERR_INTERNAL, "cannot return to our network namespace: %s",
			 strerror(errno));
		abort();
	}
	close(home);
	return rc;
}
