/* SPDX-License-Identifier: MIT */
/* oldkernel.c - runs a command as on Linux 4.17, as far as it can tell
 *
 *   oldkernel COMMAND [ARG...]
 *
 * A seccomp filter, inherited by everything COMMAND starts, makes every
 * system call that Linux 4.17 did not have fail with ENOSYS (on x86_64:
 * io_pgetevents and rseq, 4.18, and every number from pidfd_send_signal,
 * 5.1, up: pidfd_open, clone3, close_range, ...), and the UDP socket
 * options UDP_SEGMENT (4.18) and UDP_GRO (5.0) fail with ENOPROTOOPT, as
 * that kernel answers. What the filter cannot show: a 4.17 kernel ignores
 * a UDP_SEGMENT control message in sendmsg, which this one would honour. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#define FIRST_NEW_418 333 /* io_pgetevents; rseq is 334 */
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#define FIRST_NEW_418 292 /* io_pgetevents; rseq is 293 */
#else
#error "oldkernel knows the system call numbers of x86_64 and aarch64 only"
#endif

#define NR offsetof(struct seccomp_data, nr)
#define ARG(i) offsetof(struct seccomp_data, args[i]) /* low 32 bits (little-endian) */
#define RET_ERRNO(e) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))
#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* A socket option call: level SOL_UDP and UDP_SEGMENT or UDP_GRO refused.
 * Seven instructions; every "no" jumps past the last one. */
#define UDP_OPTION(sysnr)                                                      \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (sysnr), 0, 6),                  \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG(1)),                          \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOL_UDP, 0, 4),                  \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG(2)),                          \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, UDP_SEGMENT, 1, 0),              \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, UDP_GRO, 0, 1),                  \
	RET_ERRNO(ENOPROTOOPT)

/* Installs the filter on this process (and what it will run). */
static int install(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, FIRST_NEW_418, 0, 1),
		RET_ERRNO(ENOSYS),
		UDP_OPTION(__NR_getsockopt),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
		UDP_OPTION(__NR_setsockopt),
		RET_ALLOW,
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: oldkernel COMMAND [ARG...]\n");
		return 2;
	}
	if (install() < 0) {
		fprintf(stderr, "oldkernel: cannot install the seccomp filter: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "oldkernel: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}
