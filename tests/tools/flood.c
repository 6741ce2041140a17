/* SPDX-License-Identifier: MIT */
/* flood.c - forged datagrams at full speed, for the fault tests: random
 * lengths (41 to 1472 bytes: past the length check, so every one costs the
 * receiver a MAC) and random contents, 64 per sendmmsg(), for a given time.
 * Usage: flood <IPv4 address> <port> <seconds>. Prints how many it sent. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXLEN 1472

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char buf[BATCH][MAXLEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET };
	unsigned long long sent = 0;
	unsigned seed = 12345;
	double end;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: flood <IPv4 address> <port> <seconds>\n");
		return 2;
	}
	to.sin_port = htons((unsigned short)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	for (int i = 0; i < BATCH; i++)
		for (int k = 0; k < MAXLEN; k++)
			buf[i][k] = (unsigned char)rand_r(&seed);
	end = now() + atof(argv[3]);
	while (now() < end) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = 41 + (size_t)rand_r(&seed) % (MAXLEN - 40);
			buf[i][0] = (unsigned char)rand_r(&seed); /* no two alike */
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &to;
			msgs[i].msg_hdr.msg_namelen = sizeof(to);
		}
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned long long)n;
	}
	printf("%llu\n", sent);
	close(fd);
	return 0;
}
