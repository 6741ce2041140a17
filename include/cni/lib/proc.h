/* SPDX-License-Identifier: MIT */
/* proc.h - processes we started, known by PID and start time
 *
 * A PID alone can be reused by an unrelated process after ours died; the
 * start time (field 22 of /proc/PID/stat) tells them apart, so we never
 * signal a stranger. */
#ifndef CNI_PROC_H
#define CNI_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Start time of a live (not zombie) process in clock ticks since boot, 0
 * when there is no such process or it is a zombie. */
uint64_t cni_proc_start_time(pid_t pid);

/* Whether pid still is the process that started at start. */
bool cni_proc_alive(pid_t pid, uint64_t start);

/* Stops it: SIGTERM, then SIGKILL after timeout_ms. Returns 0 once it is
 * gone (or already was), -1 if it survived even SIGKILL. */
int cni_proc_stop(pid_t pid, uint64_t start, int timeout_ms);

/* The same in two halves, so that other work overlaps the process's exit. */
struct cni_stopping {
	pid_t pid;
	uint64_t start;
	int pidfd; /* -1: none (gone already, or no pidfd support) */
	bool gone;
};

void cni_proc_stop_begin(pid_t pid, uint64_t start, struct cni_stopping *s);
int cni_proc_stop_end(struct cni_stopping *s, int timeout_ms);

#endif
